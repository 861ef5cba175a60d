#include "appointments/calendar_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace dangan::appointments {

using namespace std::chrono;

const BookingRule* BranchSetup::Rule(Service s) const {
    for (const BookingRule& r : rules) {
        if (r.service == s) return &r;
    }
    return nullptr;
}

Result<BranchSetup> LoadSetup(db::Database& db, const std::string& branch_code) {
    BranchSetup setup;
    auto rules = db.Query(
        "SELECT service, slot_minutes, capacity, horizon_days, release_minute FROM booking_rules "
        "WHERE branch_code = ? ORDER BY service DESC",
        {branch_code});
    if (!rules) return rules.error();
    for (const db::Row& row : rules->rows) {
        auto service = ParseService(row.Text(0));
        if (!service) continue;
        setup.rules.push_back({*service, static_cast<int>(row.Int(1)), static_cast<int>(row.Int(2)),
                               static_cast<int>(row.Int(3)), static_cast<int>(row.Int(4))});
    }
    auto hours = db.Query(
        "SELECT weekday, opens_minute, closes_minute FROM branch_hours WHERE branch_code = ? "
        "ORDER BY weekday, opens_minute",
        {branch_code});
    if (!hours) return hours.error();
    for (const db::Row& row : hours->rows) {
        setup.hours[static_cast<int>(row.Int(0))].push_back(
            {static_cast<int>(row.Int(1)), static_cast<int>(row.Int(2))});
    }
    return setup;
}

namespace {

Status CheckRule(const BookingRule& r) {
    const std::string at(ServiceName(r.service));
    auto bad = [&](const char* field, const char* message) {
        return MakeError(ErrorCode::kInvalidArgument, message, at + "." + field, "invalid_booking_rule");
    };
    if (r.slot_minutes < 5 || r.slot_minutes > 240) return bad("slot_minutes", "每个时段应为 5 至 240 分钟");
    if (r.capacity < 0 || r.capacity > 500) return bad("capacity", "名额应为 0 至 500");
    if (r.horizon_days < 1 || r.horizon_days > 60) return bad("horizon_days", "可预约天数应为 1 至 60 天");
    if (r.release_minute < 0 || r.release_minute >= 1440) return bad("release_time", "放号时间应为 00:00 至 23:59");
    return Ok();
}

}  // namespace

Status SaveSetup(db::Connection& conn, const core::Clock& clock, const std::string& branch_code,
                 const BranchSetup& setup, const std::string& actor_id) {
    std::vector<std::pair<int, Interval>> flat;
    for (const auto& [weekday, intervals] : setup.hours) {
        for (const Interval& in : intervals) flat.emplace_back(weekday, in);
    }
    DANGAN_TRY(ValidateHours(flat));
    const std::int64_t now_ms = core::UnixMillis(clock.Now());
    for (const BookingRule& r : setup.rules) {
        DANGAN_TRY(CheckRule(r));
        auto saved = conn.Query(
            "INSERT INTO booking_rules (branch_code, service, slot_minutes, capacity, horizon_days, release_minute, "
            "updated_by, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (branch_code, service) DO UPDATE "
            "SET slot_minutes = excluded.slot_minutes, capacity = excluded.capacity, horizon_days = "
            "excluded.horizon_days, release_minute = excluded.release_minute, updated_by = excluded.updated_by, "
            "updated_at_ms = excluded.updated_at_ms",
            {branch_code, std::string(ServiceName(r.service)), std::int64_t{r.slot_minutes}, std::int64_t{r.capacity},
             std::int64_t{r.horizon_days}, std::int64_t{r.release_minute}, actor_id, now_ms});
        if (!saved) return saved.error();
        // Opened slots that have not begun take the new capacity, never below what they hold.
        auto slots = conn.Query(
            "UPDATE slots SET capacity = CASE WHEN booked > ? THEN booked ELSE ? END "
            "WHERE branch_code = ? AND service = ? AND starts_at_ms > ?",
            {std::int64_t{r.capacity}, std::int64_t{r.capacity}, branch_code, std::string(ServiceName(r.service)),
             now_ms});
        if (!slots) return slots.error();
    }
    auto cleared = conn.Query("DELETE FROM branch_hours WHERE branch_code = ?", {branch_code});
    if (!cleared) return cleared.error();
    for (const auto& [weekday, in] : flat) {
        auto added = conn.Query(
            "INSERT INTO branch_hours (branch_code, weekday, opens_minute, closes_minute) VALUES (?, ?, ?, ?)",
            {branch_code, std::int64_t{weekday}, std::int64_t{in.opens}, std::int64_t{in.closes}});
        if (!added) return added.error();
    }
    return Ok();
}

Result<std::vector<CalendarDay>> CalendarDaysBetween(db::Database& db, const std::string& branch_code, Date from,
                                                     Date to) {
    auto found = db.Query(
        "SELECT scope, day, kind, name FROM calendar_days WHERE (scope = '' OR scope = ?) AND day >= ? AND day <= ? "
        "ORDER BY day, scope",
        {branch_code, core::FormatDate(from), core::FormatDate(to)});
    if (!found) return found.error();
    std::vector<CalendarDay> out;
    for (const db::Row& row : found->rows) {
        auto date = core::ParseDate(row.Text(1));
        if (!date) continue;
        out.push_back({row.Text(0), *date, row.Text(2) == "holiday", row.Text(3)});
    }
    return out;
}

Status PutCalendarDay(db::Connection& conn, const core::Clock& clock, const CalendarDay& day,
                      const std::string& actor_id) {
    auto saved = conn.Query(
        "INSERT INTO calendar_days (scope, day, kind, name, updated_by, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (scope, day) DO UPDATE SET kind = excluded.kind, name = excluded.name, "
        "updated_by = excluded.updated_by, updated_at_ms = excluded.updated_at_ms",
        {day.scope, core::FormatDate(day.date), std::string(day.holiday ? "holiday" : "workday"), day.name, actor_id,
         core::UnixMillis(clock.Now())});
    if (!saved) return saved.error();
    return Ok();
}

Result<bool> DeleteCalendarDay(db::Connection& conn, const std::string& scope, Date date) {
    auto deleted = conn.Query("DELETE FROM calendar_days WHERE scope = ? AND day = ?", {scope, core::FormatDate(date)});
    if (!deleted) return deleted.error();
    return deleted->affected > 0;
}

namespace {

// The schedules of [from, from + count) given the holiday entries of that range.
std::vector<DaySchedule> Schedules(const BranchSetup& setup, const std::vector<CalendarDay>& entries, Date from,
                                   int count) {
    std::map<sys_days, std::pair<std::optional<CalendarDay>, std::optional<CalendarDay>>> by_day;
    for (const CalendarDay& e : entries) {
        auto& [branch, shared] = by_day[sys_days(e.date)];
        (e.scope.empty() ? shared : branch) = e;
    }
    std::vector<DaySchedule> out;
    for (int i = 0; i < count; ++i) {
        const sys_days d = sys_days(from) + days(i);
        auto it = by_day.find(d);
        out.push_back(it == by_day.end() ? ScheduleOf(Date(d), setup.hours, std::nullopt, std::nullopt)
                                         : ScheduleOf(Date(d), setup.hours, it->second.first, it->second.second));
    }
    return out;
}

}  // namespace

Result<DaySchedule> ScheduleOfDay(db::Database& db, const std::string& branch_code, const BranchSetup& setup,
                                  Date date) {
    auto entries = CalendarDaysBetween(db, branch_code, date, date);
    if (!entries) return entries.error();
    return Schedules(setup, *entries, date, 1).front();
}

std::optional<Closed> WhyClosed(const DaySchedule& day, const BookingRule& rule, const SlotKey& key,
                                std::optional<SlotTime> time, core::TimePoint now) {
    const Date today = core::BusinessDate(now);
    if (!day.open) {
        return Closed{"slot_closed", fmt::format("{}不营业{}，请选择其他日期", core::FormatDate(key.date),
                                                 day.note ? "（" + *day.note + "）" : "")};
    }
    if (!time) return Closed{"slot_not_found", "没有这个预约时段，请重新选择"};
    if (sys_days(key.date) < sys_days(today) ||
        (key.service == Service::kVisit && At(key.date, time->start) <= now)) {
        return Closed{"slot_closed", "该时段已开始或已过去，请选择其他时段"};
    }
    if (key.service == Service::kRetrieval && sys_days(key.date) <= sys_days(today)) {
        return Closed{"slot_closed", "材料需要提前准备，领取日期最早为明天"};
    }
    const Date last = LastBookableDate(now, rule.horizon_days, rule.release_minute);
    if (sys_days(key.date) > sys_days(last)) {
        return Closed{"slot_closed", fmt::format("目前只能预约到{}，每天{}放出新一天的号", core::FormatDate(last),
                                                 FormatMinute(rule.release_minute))};
    }
    return std::nullopt;
}

Result<std::vector<DayView>> Days(db::Database& db, const std::string& branch_code, const BranchSetup& setup,
                                  Service service, Date from, int count, core::TimePoint now) {
    std::vector<DayView> out;
    const BookingRule* rule = setup.Rule(service);
    if (rule == nullptr || count <= 0) return out;
    const Date to = Date(sys_days(from) + days(count - 1));
    auto entries = CalendarDaysBetween(db, branch_code, from, to);
    if (!entries) return entries.error();
    auto taken = db.Query(
        "SELECT id, capacity, booked FROM slots WHERE branch_code = ? AND service = ? AND day >= ? AND day <= ?",
        {branch_code, std::string(ServiceName(service)), core::FormatDate(from), core::FormatDate(to)});
    if (!taken) return taken.error();
    std::map<std::string, std::pair<int, int>> opened;
    for (const db::Row& row : taken->rows) {
        opened[row.Text(0)] = {static_cast<int>(row.Int(1)), static_cast<int>(row.Int(2))};
    }
    for (DaySchedule& schedule : Schedules(setup, *entries, from, count)) {
        DayView day;
        day.schedule = std::move(schedule);
        for (const SlotTime& t : SlotsOf(day.schedule, service, rule->slot_minutes)) {
            const SlotKey key{branch_code, service, day.schedule.date, t.start};
            SlotView v;
            v.id = FormatSlotId(key);
            v.time = t;
            v.capacity = rule->capacity;
            if (auto it = opened.find(v.id); it != opened.end()) std::tie(v.capacity, v.booked) = it->second;
            v.bookable = v.booked < v.capacity && !WhyClosed(day.schedule, *rule, key, t, now);
            day.slots.push_back(std::move(v));
        }
        out.push_back(std::move(day));
    }
    return out;
}

}  // namespace dangan::appointments
