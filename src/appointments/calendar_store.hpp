#pragma once

// The branch calendars in the database: booking rules, weekly hours and the holiday table, and
// the days a citizen sees (calendar.hpp's rules applied to them, with the seats already taken).

#include <optional>
#include <string>
#include <vector>

#include "appointments/calendar.hpp"
#include "appointments/model.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::appointments {

// A branch's set-up for booking; `rules` holds the services it books (none: no online booking).
struct BranchSetup {
    std::vector<BookingRule> rules;
    WeeklyHours hours;

    const BookingRule* Rule(Service s) const;
};

Result<BranchSetup> LoadSetup(db::Database& db, const std::string& branch_code);

// Replaces the branch's rules and weekly hours. Slots already opened take the new capacity, but
// never below the seats they have booked. Fields are checked; errors name them.
Status SaveSetup(db::Connection& conn, const core::Clock& clock, const std::string& branch_code,
                 const BranchSetup& setup, const std::string& actor_id);

// Holiday-table entries from `from` to `to` (inclusive): the shared ones and, when branch_code is
// given, that branch's.
Result<std::vector<CalendarDay>> CalendarDaysBetween(db::Database& db, const std::string& branch_code, Date from,
                                                     Date to);
Status PutCalendarDay(db::Connection& conn, const core::Clock& clock, const CalendarDay& day,
                      const std::string& actor_id);
// false when there was no such entry.
Result<bool> DeleteCalendarDay(db::Connection& conn, const std::string& scope, Date date);

struct SlotView {
    std::string id;
    SlotTime time;
    int capacity = 0;
    int booked = 0;
    bool bookable = false;
};

struct DayView {
    DaySchedule schedule;
    std::vector<SlotView> slots;
};

// `count` days from `from` as a citizen sees them at `now`: open or not, and the slots with the
// seats left. A slot is bookable when it has seats, lies within the booking window and has not
// started (retrieval: its date is after today).
Result<std::vector<DayView>> Days(db::Database& db, const std::string& branch_code, const BranchSetup& setup,
                                  Service service, Date from, int count, core::TimePoint now);

// Why the slot `key` cannot be booked at `now` (a Chinese sentence and a reason code), or
// nothing when it can. Looks at the day's schedule and the window, not at the seats.
struct Closed {
    std::string reason;
    std::string message;
};
std::optional<Closed> WhyClosed(const DaySchedule& day, const BookingRule& rule, const SlotKey& key,
                                std::optional<SlotTime> time, core::TimePoint now);

// The schedule of one day of a branch.
Result<DaySchedule> ScheduleOfDay(db::Database& db, const std::string& branch_code, const BranchSetup& setup,
                                  Date date);

}  // namespace dangan::appointments
