#pragma once

// Time as a side effect: services take a Clock& so tests can pass a FixedClock. Business
// dates and times are in Asia/Shanghai, which has been UTC+8 without daylight saving since
// 1991, so a fixed offset is exact for every date the platform handles.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dangan::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
public:
    virtual ~Clock() = default;
    virtual TimePoint Now() const = 0;
};

class SystemClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

// The system clock moved by an offset that can be changed at run time: the server's clock when
// testing.clock_control is on, so end-to-end tests can reach tomorrow's slot. Thread-safe.
class AdjustableClock final : public Clock {
public:
    TimePoint Now() const override { return std::chrono::system_clock::now() + Offset(); }
    // From now on Now() runs on from `t`.
    void Set(TimePoint t) { offset_ = (t - std::chrono::system_clock::now()).count(); }

private:
    std::chrono::system_clock::duration Offset() const { return std::chrono::system_clock::duration(offset_.load()); }
    std::atomic<std::chrono::system_clock::duration::rep> offset_{0};
};

// A clock that stands still until told otherwise. Thread-safe.
class FixedClock final : public Clock {
public:
    explicit FixedClock(TimePoint t) : now_(t.time_since_epoch().count()) {}
    TimePoint Now() const override { return TimePoint(TimePoint::duration(now_.load())); }
    void Set(TimePoint t) { now_ = t.time_since_epoch().count(); }
    void Advance(std::chrono::system_clock::duration d) { now_ += d.count(); }

private:
    std::atomic<TimePoint::duration::rep> now_;
};

inline constexpr std::chrono::hours kShanghaiOffset{8};

// The calendar date in Asia/Shanghai at `t`.
std::chrono::year_month_day BusinessDate(TimePoint t);

// "2026-11-26T18:30:00.123+08:00": ISO 8601 with the Shanghai offset, millisecond precision.
std::string FormatIso8601(TimePoint t);

// Milliseconds since the Unix epoch: how the database stores instants.
inline std::int64_t UnixMillis(TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// "2026-11-26" for a date.
std::string FormatDate(std::chrono::year_month_day d);

// A strict "YYYY-MM-DD" that names a real day; nullopt otherwise.
std::optional<std::chrono::year_month_day> ParseDate(std::string_view text);

// "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"; nullopt otherwise.
std::optional<TimePoint> ParseIso8601(std::string_view text);

// The instant at which `local` (a wall-clock time in Asia/Shanghai) happens.
TimePoint FromShanghai(std::chrono::local_time<std::chrono::system_clock::duration> local);

}  // namespace dangan::core
