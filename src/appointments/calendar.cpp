#include "appointments/calendar.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "archives/rules.hpp"

namespace dangan::appointments {

using namespace std::chrono;

std::string_view ServiceName(Service s) { return s == Service::kVisit ? "visit" : "retrieval"; }

std::optional<Service> ParseService(std::string_view name) {
    if (name == "visit") return Service::kVisit;
    if (name == "retrieval") return Service::kRetrieval;
    return std::nullopt;
}

int Weekday(Date d) { return static_cast<int>(weekday(sys_days(d)).iso_encoding()); }

DaySchedule ScheduleOf(Date date, const WeeklyHours& hours, const std::optional<CalendarDay>& branch_entry,
                       const std::optional<CalendarDay>& shared_entry) {
    DaySchedule day;
    day.date = date;
    const std::optional<CalendarDay>& entry = branch_entry ? branch_entry : shared_entry;
    auto hours_of = [&](int weekday) {
        auto it = hours.find(weekday);
        return it == hours.end() ? std::vector<Interval>{} : it->second;
    };
    if (entry && entry->holiday) {
        day.note = entry->name;
        return day;
    }
    day.intervals = entry ? hours_of(1) : hours_of(Weekday(date));
    if (entry) day.note = entry->name.empty() ? "调休上班" : entry->name;
    day.open = !day.intervals.empty();
    return day;
}

std::vector<SlotTime> SlotsOf(const DaySchedule& day, Service service, int slot_minutes) {
    std::vector<SlotTime> slots;
    if (!day.open || day.intervals.empty()) return slots;
    if (service == Service::kRetrieval) {
        slots.push_back({day.intervals.front().opens, day.intervals.back().closes});
        return slots;
    }
    if (slot_minutes <= 0) return slots;
    for (const Interval& in : day.intervals) {
        for (int start = in.opens; start + slot_minutes <= in.closes; start += slot_minutes) {
            slots.push_back({start, start + slot_minutes});
        }
    }
    return slots;
}

Date LastBookableDate(core::TimePoint now, int horizon_days, int release_minute) {
    const Date today = core::BusinessDate(now);
    const auto since_midnight = now - At(today, 0);
    const bool released = since_midnight >= minutes(release_minute);
    return Date(sys_days(today) + days(horizon_days - (released ? 0 : 1)));
}

core::TimePoint At(Date date, int minute) {
    return core::FromShanghai(local_time<system_clock::duration>(local_days(date).time_since_epoch() + minutes(minute)));
}

std::string TimeOfDay(std::int64_t at_ms) {
    const core::TimePoint t{milliseconds(at_ms)};
    return FormatMinute(static_cast<int>(duration_cast<minutes>(t - At(core::BusinessDate(t), 0)).count()));
}

std::string MonthOf(core::TimePoint t) {
    const Date d = core::BusinessDate(t);
    return fmt::format("{:04d}-{:02d}", static_cast<int>(d.year()), static_cast<unsigned>(d.month()));
}

core::TimePoint NextMonthStart(core::TimePoint t) {
    const Date d = core::BusinessDate(t);
    const year_month next = year_month(d.year(), d.month()) + months(1);
    return At(Date(next / 1), 0);
}

std::string FormatMinute(int minute) { return fmt::format("{:02d}:{:02d}", minute / 60, minute % 60); }

std::optional<int> ParseMinute(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3) return std::nullopt;
    int h = 0, m = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (i == colon) continue;
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        (i < colon ? h : m) = (i < colon ? h : m) * 10 + (text[i] - '0');
    }
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string FormatSlotId(const SlotKey& key) {
    return fmt::format("{}/{}/{}/{:02d}{:02d}", key.branch_code, ServiceName(key.service), core::FormatDate(key.date),
                       key.start / 60, key.start % 60);
}

std::optional<SlotKey> ParseSlotId(std::string_view id) {
    std::vector<std::string_view> parts;
    std::size_t from = 0;
    while (parts.size() < 5) {
        const auto slash = id.find('/', from);
        parts.push_back(id.substr(from, slash == std::string_view::npos ? std::string_view::npos : slash - from));
        if (slash == std::string_view::npos) break;
        from = slash + 1;
    }
    if (parts.size() != 4 || !archives::IsBranchCode(parts[0]) || parts[3].size() != 4) return std::nullopt;
    auto service = ParseService(parts[1]);
    auto date = core::ParseDate(parts[2]);
    auto minute = ParseMinute(std::string(parts[3].substr(0, 2)) + ":" + std::string(parts[3].substr(2)));
    if (!service || !date || !minute || *minute >= 1440) return std::nullopt;
    return SlotKey{std::string(parts[0]), *service, *date, *minute};
}

Status ValidateHours(const std::vector<std::pair<int, Interval>>& hours) {
    for (std::size_t i = 0; i < hours.size(); ++i) {
        const auto& [weekday, in] = hours[i];
        const std::string at = fmt::format("hours[{}]", i);
        if (weekday < 1 || weekday > 7) {
            return MakeError(ErrorCode::kInvalidArgument, "星期应为 1（周一）至 7（周日）", at + ".weekday", "invalid_weekday");
        }
        if (in.opens < 0 || in.closes > 1440 || in.opens >= in.closes) {
            return MakeError(ErrorCode::kInvalidArgument, "结束时间应晚于开始时间", at + ".closes", "invalid_hours");
        }
        for (std::size_t j = 0; j < i; ++j) {
            const auto& [other_day, other] = hours[j];
            if (other_day == weekday && in.opens < other.closes && other.opens < in.closes) {
                return MakeError(ErrorCode::kInvalidArgument, "同一天的营业时段不能重叠", at + ".opens",
                                 "overlapping_hours");
            }
        }
    }
    return {};
}

}  // namespace dangan::appointments
