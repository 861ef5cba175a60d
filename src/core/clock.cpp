#include "core/clock.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace dangan::core {

std::chrono::year_month_day BusinessDate(TimePoint t) {
    return std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(t + kShanghaiOffset));
}

std::string FormatDate(std::chrono::year_month_day d) {
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                       static_cast<unsigned>(d.day()));
}

std::string FormatIso8601(TimePoint t) {
    auto local = t + kShanghaiOffset;
    auto day = std::chrono::floor<std::chrono::days>(local);
    std::chrono::hh_mm_ss hms(std::chrono::floor<std::chrono::milliseconds>(local - day));
    return fmt::format("{}T{:02d}:{:02d}:{:02d}.{:03d}+08:00", FormatDate(std::chrono::year_month_day(day)),
                       hms.hours().count(), hms.minutes().count(), hms.seconds().count(),
                       hms.subseconds().count());
}

TimePoint FromShanghai(std::chrono::local_time<std::chrono::system_clock::duration> local) {
    return TimePoint(local.time_since_epoch() - kShanghaiOffset);
}

namespace {

// The digits of text[pos, pos + n) as a number; -1 when any is not a digit.
int Digits(std::string_view text, std::size_t pos, std::size_t n) {
    if (pos + n > text.size()) return -1;
    int value = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (text[i] < '0' || text[i] > '9') return -1;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

}  // namespace

std::optional<std::chrono::year_month_day> ParseDate(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const int y = Digits(text, 0, 4), m = Digits(text, 5, 2), d = Digits(text, 8, 2);
    if (y < 0 || m < 0 || d < 0) return std::nullopt;
    std::chrono::year_month_day day{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                                    std::chrono::day(static_cast<unsigned>(d))};
    if (!day.ok()) return std::nullopt;
    return day;
}

std::optional<TimePoint> ParseIso8601(std::string_view text) {
    if (text.size() < 17 || text[10] != 'T' || text[13] != ':') return std::nullopt;
    auto date = ParseDate(text.substr(0, 10));
    const int hour = Digits(text, 11, 2), minute = Digits(text, 14, 2);
    if (!date || hour < 0 || hour > 23 || minute < 0 || minute > 59) return std::nullopt;
    std::size_t pos = 16;
    int second = 0, millis = 0;
    if (pos < text.size() && text[pos] == ':') {
        second = Digits(text, pos + 1, 2);
        if (second < 0 || second > 59) return std::nullopt;
        pos += 3;
        if (pos < text.size() && text[pos] == '.') {
            std::size_t end = pos + 1;
            while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
            if (end == pos + 1 || end - pos - 1 > 9) return std::nullopt;
            const std::string_view fraction = text.substr(pos + 1, std::min<std::size_t>(3, end - pos - 1));
            millis = Digits(fraction, 0, fraction.size());
            for (std::size_t i = fraction.size(); i < 3; ++i) millis *= 10;
            pos = end;
        }
    }
    int offset_minutes = 0;
    const std::string_view zone = text.substr(pos);
    if (zone != "Z") {
        if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
        const int oh = Digits(zone, 1, 2), om = Digits(zone, 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
        offset_minutes = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
    }
    const auto local = std::chrono::sys_days(*date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                       std::chrono::seconds(second) + std::chrono::milliseconds(millis);
    return TimePoint(std::chrono::duration_cast<TimePoint::duration>(local.time_since_epoch() -
                                                                       std::chrono::minutes(offset_minutes)));
}

}  // namespace dangan::core
