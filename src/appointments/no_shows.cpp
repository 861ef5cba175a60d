// The no-show rule: marking, the monthly count and the credit record that bars booking, voiding,
// and the scheduled sweep (with the day-before reminders).

#include <fmt/format.h>

#include "appointments/internal.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"

namespace dangan::appointments {

using namespace internal;

namespace {

using namespace std::chrono;

constexpr int kSweepBatch = 200;

// A person's non-voided no-shows counted in `month` (YYYY-MM), on the database or in a transaction.
template <typename Source>
Result<int> NoShowsInMonth(Source& source, const std::string& person_id, const std::string& month) {
    auto counted = source.Query(
        "SELECT COUNT(*) FROM appointments WHERE person_id = ? AND no_show_month = ? AND state = 'no_show' "
        "AND no_show_voided_at_ms IS NULL",
        {person_id, month});
    if (!counted) return counted.error();
    return static_cast<int>(counted->rows.front().Int(0));
}

// Marks `a` (in state `from`) a no-show at `at_ms`, counting in the month of `at_ms`; writes the

}  // namespace

namespace internal {

Result<bool> MarkNoShow(db::Connection& conn, const Context& ctx, const Appointment& a, const std::string& from,
                        const std::string& reason, std::int64_t at_ms, const Recipient& to) {
    const std::int64_t now_ms = NowMs(ctx);
    const std::string month = MonthOf(FromMs(at_ms));
    const bool late_cancel = reason == "late_cancel";
    auto marked = conn.Query(
        "UPDATE appointments SET state = 'no_show', no_show_at_ms = ?, no_show_reason = ?, no_show_month = ?, "
        "cancelled_at_ms = ?, updated_at_ms = ? WHERE id = ? AND state = ?",
        {at_ms, reason, month, late_cancel ? db::Value(now_ms) : db::Value(nullptr), now_ms, a.id, from});
    if (!marked) return marked.error();
    if (marked->affected == 0) return false;
    DANGAN_TRY(AddEvent(conn, a.id, now_ms, "no_show", std::nullopt, reason));
    auto count = NoShowsInMonth(conn, a.person_id, month);
    if (!count) return count.error();
    Appointment marked_a = a;
    marked_a.no_show_reason = reason;
    DANGAN_TRY(Notify(conn, ctx, to.mobile, NoShowNotice(marked_a, to.branch, *count, ctx.policy)));
    if (*count < ctx.policy.no_show_limit) return true;
    const std::int64_t until_ms = core::UnixMillis(NextMonthStart(FromMs(at_ms)));
    auto written = conn.Query(
        "INSERT INTO credit_records (id, person_id, kind, period, no_shows, bars_from_ms, bars_until_ms, "
        "created_at_ms) VALUES (?, ?, 'no_show', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        {core::NewId(ctx.clock), a.person_id, month, std::int64_t{*count}, at_ms, until_ms, now_ms});
    if (!written) return written.error();
    if (written->affected == 1 && until_ms > now_ms) {
        DANGAN_TRY(Notify(conn, ctx, to.mobile, BarNotice(ctx.policy.no_show_limit, until_ms)));
    }
    return true;
}

}  // namespace internal

Error BarredError(const Bar& bar) {
    const std::int64_t until = bar.until_ms.value_or(0);
    return MakeError(ErrorCode::kForbidden,
                     fmt::format("您本月失约已满{}次，已记入信用记录，暂停预约至{}，{}起可重新预约。", bar.limit,
                                 LongDate(until - 1), LongDate(until)),
                     "person", "booking_barred");
}

Result<Bar> BarOf(const Context& ctx, const std::string& person_id) {
    const std::int64_t now_ms = NowMs(ctx);
    Bar bar;
    bar.limit = ctx.policy.no_show_limit;
    auto live = ctx.db.Query(
        "SELECT MAX(bars_until_ms) FROM credit_records WHERE person_id = ? AND revoked_at_ms IS NULL "
        "AND bars_from_ms <= ? AND bars_until_ms > ?",
        {person_id, now_ms, now_ms});
    if (!live) return live.error();
    if (auto until = live->rows.front().OptInt(0)) {
        bar.barred = true;
        bar.until_ms = *until;
    }
    auto counted = NoShowsInMonth(ctx.db, person_id, MonthOf(FromMs(now_ms)));
    if (!counted) return counted.error();
    bar.no_shows_this_month = *counted;
    return bar;
}

Result<Appointment> VoidNoShow(const Context& ctx, const std::string& id, const std::string& actor_id,
                               const std::string& reason_text) {
    const std::string reason(core::TrimSpaces(reason_text));
    if (reason.empty() || reason.size() > 600) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写撤销失约的原因", "reason", "reason_required");
    }
    auto a = Load(ctx.db, ctx.keys, id);
    if (!a) return a.error();
    if (a->state != "no_show" || a->no_show_voided_at_ms) return InvalidState(*a);
    auto to = RecipientOf(ctx, a->person_id, a->branch_code);
    if (!to) return to.error();
    const std::int64_t now_ms = NowMs(ctx);
    bool lost_race = false;
    Status done = ctx.db.Transaction([&](db::Connection& conn) -> Status {
        auto voided = conn.Query(
            "UPDATE appointments SET no_show_voided_at_ms = ?, void_reason = ?, voided_by = ?, updated_at_ms = ? "
            "WHERE id = ? AND state = 'no_show' AND no_show_voided_at_ms IS NULL",
            {now_ms, reason, actor_id, now_ms, id});
        if (!voided) return voided.error();
        if (voided->affected == 0) {
            lost_race = true;
            return Ok();
        }
        DANGAN_TRY(AddEvent(conn, id, now_ms, "no_show_voided", actor_id, reason));
        const std::string month = a->no_show_month.value_or(MonthOf(FromMs(now_ms)));
        auto count = NoShowsInMonth(conn, a->person_id, month);
        if (!count) return count.error();
        bool lifted = false;
        if (*count < ctx.policy.no_show_limit) {
            auto revoked = conn.Query(
                "UPDATE credit_records SET revoked_at_ms = ?, revoked_by = ?, revoke_reason = ? "
                "WHERE person_id = ? AND kind = 'no_show' AND period = ? AND revoked_at_ms IS NULL",
                {now_ms, actor_id, "失约记录已撤销：" + reason, a->person_id, month});
            if (!revoked) return revoked.error();
            lifted = revoked->affected > 0;
        }
        Appointment v = *a;
        v.void_reason = reason;
        return Notify(conn, ctx, to->mobile, VoidNotice(v, lifted));
    });
    if (!done) return done.error();
    auto now = Load(ctx.db, ctx.keys, id);
    if (!now) return now.error();
    if (lost_race) return InvalidState(*now);
    return now;
}

Result<std::vector<CreditRecord>> CreditRecordsOf(const Context& ctx, const std::string& person_id) {
    auto found = ctx.db.Query(
        "SELECT id, period, no_shows, bars_from_ms, bars_until_ms, created_at_ms, revoked_at_ms, revoke_reason "
        "FROM credit_records WHERE person_id = ? ORDER BY created_at_ms DESC",
        {person_id});
    if (!found) return found.error();
    std::vector<CreditRecord> out;
    for (const db::Row& row : found->rows) {
        out.push_back({row.Text(0), row.Text(1), static_cast<int>(row.Int(2)), row.Int(3), row.Int(4), row.Int(5),
                       row.OptInt(6), row.OptText(7)});
    }
    return out;
}

Result<SweepCounts> Sweep(const Context& ctx) {
    SweepCounts counts;
    const core::TimePoint now = ctx.clock.Now();
    const std::int64_t now_ms = core::UnixMillis(now);
    auto due = Select(ctx.db, ctx.keys,
                      fmt::format("WHERE state IN ('booked', 'ready') AND deadline_at_ms IS NOT NULL "
                                  "AND deadline_at_ms <= ? ORDER BY deadline_at_ms LIMIT {}",
                                  kSweepBatch),
                      {now_ms});
    if (!due) return due.error();
    for (const Appointment& a : *due) {
        auto to = RecipientOf(ctx, a.person_id, a.branch_code);
        if (!to) return to.error();
        bool marked = false;
        DANGAN_TRY(ctx.db.Transaction([&](db::Connection& conn) -> Status {
            auto m = MarkNoShow(conn, ctx, a, a.state, "absent", *a.deadline_at_ms, *to);
            if (!m) return m.error();
            marked = *m;
            return Ok();
        }));
        counts.no_shows += marked ? 1 : 0;
    }
    // Day-before reminders, in the daytime only, for visits booked more than a day ahead.
    const Date today = core::BusinessDate(now);
    const auto minute = duration_cast<minutes>(now - At(today, 0)).count();
    if (minute < 9 * 60 || minute >= 20 * 60) return counts;
    const Date tomorrow = Date(sys_days(today) + days(1));
    const std::int64_t from_ms = core::UnixMillis(At(tomorrow, 0));
    const std::int64_t to_ms = core::UnixMillis(At(tomorrow, 24 * 60));
    auto upcoming = Select(ctx.db, ctx.keys,
                           fmt::format("WHERE state = 'booked' AND reminded_at_ms IS NULL AND starts_at_ms >= ? "
                                       "AND starts_at_ms < ? AND created_at_ms < starts_at_ms - 86400000 "
                                       "ORDER BY starts_at_ms LIMIT {}",
                                       kSweepBatch),
                           {from_ms, to_ms});
    if (!upcoming) return upcoming.error();
    for (const Appointment& a : *upcoming) {
        auto to = RecipientOf(ctx, a.person_id, a.branch_code);
        if (!to) return to.error();
        bool sent = false;
        DANGAN_TRY(ctx.db.Transaction([&](db::Connection& conn) -> Status {
            auto claimed = conn.Query(
                "UPDATE appointments SET reminded_at_ms = ? WHERE id = ? AND state = 'booked' AND reminded_at_ms IS NULL",
                {now_ms, a.id});
            if (!claimed) return claimed.error();
            if (claimed->affected == 0) return Ok();
            sent = true;
            return Notify(conn, ctx, to->mobile, ReminderNotice(a, to->branch));
        }));
        counts.reminders += sent ? 1 : 0;
    }
    return counts;
}
}  // namespace dangan::appointments
