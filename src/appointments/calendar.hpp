#pragma once

// The rules of the branch calendar as plain functions: which days a branch opens (weekly hours,
// holidays, the working weekends of the holiday shifts 调休), the slots of a day, how far ahead
// booking reaches, and the calendar month the no-show rule counts in. Everything is in
// Asia/Shanghai; no database, no clock — callers pass "now".

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace dangan::appointments {

using Date = std::chrono::year_month_day;

enum class Service { kVisit, kRetrieval };
std::string_view ServiceName(Service s);  // "visit" | "retrieval"
std::optional<Service> ParseService(std::string_view name);

// One opening interval of a day, in minutes after midnight: [opens, closes).
struct Interval {
    int opens = 0;
    int closes = 0;
    bool operator==(const Interval&) const = default;
};

// Weekly hours: weekday 1 (Monday) … 7 (Sunday) → its intervals, sorted, not overlapping.
using WeeklyHours = std::map<int, std::vector<Interval>>;

// An entry of the holiday table.
struct CalendarDay {
    std::string scope;  // "" every branch, or a branch code
    Date date;
    bool holiday = true;  // false: a working day (调休上班) on a weekend
    std::string name;     // 国庆节, 调休上班…
};

int Weekday(Date d);  // 1 = Monday … 7 = Sunday

// How a branch's day looks: open or not, its intervals, and a note for people.
struct DaySchedule {
    Date date;
    bool open = false;
    std::vector<Interval> intervals;
    std::optional<std::string> note;  // the holiday's name, "调休上班", …
};

// The schedule of `date`: a branch entry wins over a shared one; a holiday closes the day; a
// working day opens it with Monday's hours (a shifted weekend works like a weekday); otherwise
// the weekday's hours.
DaySchedule ScheduleOf(Date date, const WeeklyHours& hours, const std::optional<CalendarDay>& branch_entry,
                       const std::optional<CalendarDay>& shared_entry);

// A slot's place in its day.
struct SlotTime {
    int start = 0;  // minutes after midnight
    int end = 0;
    bool operator==(const SlotTime&) const = default;
};

// Visits: back-to-back slots of `slot_minutes` within each interval (a remainder too short for a
// slot is left out). Retrieval: one slot per open day, from the first opening to the last closing.
std::vector<SlotTime> SlotsOf(const DaySchedule& day, Service service, int slot_minutes);

// The booking window: dates up to today + horizon_days are bookable once the release time of
// today has passed, up to today + horizon_days − 1 before it.
Date LastBookableDate(core::TimePoint now, int horizon_days, int release_minute);

// The instant of a date and minute of the day in Shanghai.
core::TimePoint At(Date date, int minute);

// "09:00": the Shanghai time of day of an instant given in Unix milliseconds.
std::string TimeOfDay(std::int64_t at_ms);

// "2026-12" — the month a no-show counts in.
std::string MonthOf(core::TimePoint t);
// The first instant of the month after the one `t` lies in: when a bar written at `t` ends.
core::TimePoint NextMonthStart(core::TimePoint t);

// "09:00" ⇄ 540. Parse accepts "H:MM" and "HH:MM" up to 24:00.
std::string FormatMinute(int minute);
std::optional<int> ParseMinute(std::string_view text);

// Slot ids: "220102-001/visit/2026-12-01/0900".
struct SlotKey {
    std::string branch_code;
    Service service = Service::kVisit;
    Date date;
    int start = 0;
};
std::string FormatSlotId(const SlotKey& key);
std::optional<SlotKey> ParseSlotId(std::string_view id);

// Checks weekly hours: weekdays 1–7, 0 ≤ opens < closes ≤ 1440, intervals of a day not
// overlapping. The error names the field as "hours[i].opens".
Status ValidateHours(const std::vector<std::pair<int, Interval>>& hours);

}  // namespace dangan::appointments
