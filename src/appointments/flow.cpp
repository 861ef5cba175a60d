// The staff flow and the citizen's cancel (Apply), check-in at a kiosk or the window.

#include <fmt/format.h>

#include "appointments/internal.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"

namespace dangan::appointments {

using namespace internal;

namespace {

// The rows a transition writes besides the state: column = value pairs.
struct Change {
    std::string to;
    std::vector<std::pair<std::string, db::Value>> set;
    bool release_seat = false;
    std::optional<Notice> notice;
    std::string event;
    std::string note;
};

std::string PickupCodeHash(const core::Keyring& keys, const std::string& appointment_id, std::string_view code) {
    return core::HexEncode(core::HmacSm3(keys.index_key, "pickup:" + appointment_id + ":" + std::string(code)));
}

// Collection proves who collects: the pick-up code of the ready SMS, or the ID number read off
// the ID card the person shows (for one who lost the SMS).
Status CheckCollector(const Context& ctx, const Appointment& a, const ActionInput& in, const Recipient& to,
                      const std::optional<std::string>& code_hash) {
    const std::string code(core::TrimSpaces(in.code));
    if (!code.empty()) {
        if (code_hash && core::ConstantTimeEqual(PickupCodeHash(ctx.keys, a.id, code), *code_hash)) return Ok();
        return MakeError(ErrorCode::kUnprocessable, "取件码不正确，请核对短信中的 6 位取件码，或改为核对身份证号", "code",
                         "wrong_code");
    }
    const std::string id_number(core::TrimSpaces(in.id_number));
    if (!id_number.empty()) {
        auto id = core::ValidateIdNumber(id_number, core::BusinessDate(ctx.clock.Now()));
        if (!id) return id.error();
        if (id->normalized == to.id_number) return Ok();
        return MakeError(ErrorCode::kUnprocessable, "身份证号与预约人不符", "id_number", "wrong_person");
    }
    return MakeError(ErrorCode::kInvalidArgument, "请输入短信中的取件码，或领取人的身份证号", "code", "code_required");
}

Result<Change> Plan(const Context& ctx, const Appointment& a, Action action, const ActionInput& in,
                    const Recipient& to, const std::optional<std::string>& code_hash) {
    const BranchText& branch = to.branch;
    const std::int64_t now_ms = NowMs(ctx);
    const bool visit = a.kind == Service::kVisit;
    const bool pickup = a.delivery == "pickup";
    auto require = [&](bool ok) -> Status { return ok ? Ok() : Status(InvalidState(a)); };
    Change c;
    switch (action) {
        case Action::kCheckIn: {
            DANGAN_TRY(require(visit && a.state == "booked"));
            const std::int64_t opens = a.starts_at_ms - std::int64_t{ctx.policy.check_in_early_minutes} * 60000;
            if (now_ms < opens) {
                return Conflict(fmt::format("签到时间未到，请于{}后签到", DayAndTime(opens)), "check_in_too_early", "id");
            }
            if (now_ms > a.deadline_at_ms.value_or(a.ends_at_ms)) {
                return Conflict("该预约的签到时间已过", "check_in_closed", "id");
            }
            c = {"checked_in", {{"checked_in_at_ms", now_ms}}, false, std::nullopt, "checked_in", ""};
            return c;
        }
        case Action::kPrepare:
            DANGAN_TRY(require(!visit && a.state == "received"));
            c = {"preparing", {}, false, std::nullopt, "preparing", ""};
            return c;
        case Action::kReady: {
            DANGAN_TRY(require(!visit && (a.state == "received" || a.state == "preparing")));
            c = {"ready", {}, false, std::nullopt, "ready", ""};
            if (pickup) {
                // Ready too late for the planned date (less than two hours left): no deadline, the
                // citizen cannot be blamed; staff agree a time with them.
                const std::int64_t deadline = a.ends_at_ms + std::int64_t{ctx.policy.no_show_grace_minutes} * 60000;
                Appointment ready = a;
                if (deadline > now_ms + 2 * 3600 * 1000LL) {
                    c.set.emplace_back("deadline_at_ms", deadline);
                    ready.deadline_at_ms = deadline;
                }
                const std::string code = core::RandomDigits(6);
                c.set.emplace_back("pickup_code_hash", PickupCodeHash(ctx.keys, a.id, code));
                c.notice = ReadyNotice(ready, branch, code);
            }
            return c;
        }
        case Action::kCollect:
            DANGAN_TRY(require(!visit && pickup && a.state == "ready"));
            DANGAN_TRY(CheckCollector(ctx, a, in, to, code_hash));
            c = {"collected", {}, false, std::nullopt, "collected", ""};
            return c;
        case Action::kMail: {
            DANGAN_TRY(require(!visit && !pickup && (a.state == "preparing" || a.state == "ready")));
            const std::string courier(core::TrimSpaces(in.courier));
            const std::string tracking(core::TrimSpaces(in.tracking_number));
            if (courier.empty() || courier.size() > 60) {
                return MakeError(ErrorCode::kInvalidArgument, "请填写快递公司", "courier", "courier_required");
            }
            if (tracking.size() < 6 || tracking.size() > 40) {
                return MakeError(ErrorCode::kInvalidArgument, "请填写正确的运单号", "tracking_number",
                                 "tracking_number_required");
            }
            Appointment mailed = a;
            mailed.courier = courier;
            mailed.tracking_number = tracking;
            c = {"mailed", {{"courier", courier}, {"tracking_number", tracking}}, false, MailedNotice(mailed),
                 "mailed", courier + " " + tracking};
            return c;
        }
        case Action::kReturn: {
            DANGAN_TRY(require(!visit && (a.state == "received" || a.state == "preparing")));
            const std::string reason(core::TrimSpaces(in.reason));
            if (reason.empty() || reason.size() > 600) {
                return MakeError(ErrorCode::kInvalidArgument, "请填写退回原因", "reason", "reason_required");
            }
            Appointment returned = a;
            returned.return_reason = reason;
            c = {"returned", {{"return_reason", reason}}, true, ReturnedNotice(returned), "returned", reason};
            return c;
        }
        case Action::kCancel:
            DANGAN_TRY(require(a.state == "booked" || a.state == "received" || a.state == "preparing" ||
                               a.state == "ready"));
            if (in.by_staff && core::TrimSpaces(in.reason).empty()) {
                return MakeError(ErrorCode::kInvalidArgument, "请填写取消原因（将以短信告知预约人）", "reason",
                                 "reason_required");
            }
            c = {"cancelled", {{"cancelled_at_ms", now_ms}}, true, std::nullopt, "cancelled",
                 std::string(core::TrimSpaces(in.reason))};
            if (in.by_staff) c.notice = CancelledByCentreNotice(a, branch, c.note);
            return c;
    }
    return InvalidState(a);
}

Status ReleaseSeat(db::Connection& conn, const std::string& slot_id) {
    auto released = conn.Query("UPDATE slots SET booked = booked - 1 WHERE id = ? AND booked > 0", {slot_id});
    if (!released) return released.error();
    return Ok();
}

}  // namespace

Result<Appointment> Apply(const Context& ctx, const std::string& id, Action action, const ActionInput& in) {
    auto a = Load(ctx.db, ctx.keys, id);
    if (!a) return a.error();
    auto to = RecipientOf(ctx, a->person_id, a->branch_code);
    if (!to) return to.error();
    std::optional<std::string> code_hash;
    if (action == Action::kCollect) {
        auto stored = ctx.db.Query("SELECT pickup_code_hash FROM appointments WHERE id = ?", {id});
        if (!stored) return stored.error();
        if (!stored->empty()) code_hash = stored->rows.front().OptText(0);
    }
    auto change = Plan(ctx, *a, action, in, *to, code_hash);
    if (!change) return change.error();
    const std::int64_t now_ms = NowMs(ctx);
    const bool late = action == Action::kCancel && !in.by_staff && CancelIsLate(*a, now_ms, ctx.policy);
    bool lost_race = false;
    Status done = ctx.db.Transaction([&](db::Connection& conn) -> Status {
        if (late) {
            auto marked = MarkNoShow(conn, ctx, *a, a->state, "late_cancel", now_ms, *to);
            if (!marked) return marked.error();
            lost_race = !*marked;
            if (lost_race) return Ok();
            DANGAN_TRY(AddEvent(conn, a->id, now_ms, "cancelled", in.actor_id, change->note));
            return ReleaseSeat(conn, a->slot_id);
        }
        std::string sql = "UPDATE appointments SET state = ?, updated_at_ms = ?";
        db::Params params{change->to, now_ms};
        for (auto& [column, value] : change->set) {
            sql += ", " + column + " = ?";
            params.push_back(value);
        }
        sql += " WHERE id = ? AND state = ?";
        params.push_back(a->id);
        params.push_back(a->state);
        auto updated = conn.Query(sql, params);
        if (!updated) return updated.error();
        if (updated->affected == 0) {
            lost_race = true;
            return Ok();
        }
        DANGAN_TRY(AddEvent(conn, a->id, now_ms, change->event, in.actor_id, change->note));
        if (change->release_seat) DANGAN_TRY(ReleaseSeat(conn, a->slot_id));
        if (change->notice) DANGAN_TRY(Notify(conn, ctx, to->mobile, *change->notice));
        return Ok();
    });
    if (!done) return done.error();
    auto now = Load(ctx.db, ctx.keys, id);
    if (!now) return now.error();
    if (lost_race) return InvalidState(*now);
    return now;
}

namespace {

Result<Appointment> CheckInFirst(const Context& ctx, std::vector<Appointment> found) {
    if (found.empty()) {
        return MakeError(ErrorCode::kNotFound, "没有找到您今天在本网点的预约，请到窗口咨询", "code",
                         "appointment_not_found");
    }
    // The first one still waiting, else the first (its state explains the refusal).
    for (const Appointment& a : found) {
        if (a.state == "booked") return Apply(ctx, a.id, Action::kCheckIn, {});
    }
    return Apply(ctx, found.front().id, Action::kCheckIn, {});
}

std::string Today(const Context& ctx) { return core::FormatDate(core::BusinessDate(ctx.clock.Now())); }

}  // namespace

Result<Appointment> CheckInByCode(const Context& ctx, const std::string& branch_code, const std::string& code) {
    auto found = Select(ctx.db, ctx.keys, "WHERE code = ? AND branch_code = ? AND day = ? AND kind = 'visit'",
                        {code, branch_code, Today(ctx)});
    if (!found) return found.error();
    return CheckInFirst(ctx, std::move(*found));
}

Result<Appointment> CheckInByPerson(const Context& ctx, const std::string& branch_code, const std::string& person_id) {
    auto found = Select(ctx.db, ctx.keys,
                        "WHERE person_id = ? AND branch_code = ? AND day = ? AND kind = 'visit' ORDER BY starts_at_ms",
                        {person_id, branch_code, Today(ctx)});
    if (!found) return found.error();
    return CheckInFirst(ctx, std::move(*found));
}
}  // namespace dangan::appointments
