#include "core/clock.hpp"

#include <fmt/format.h>

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

}  // namespace dangan::core
