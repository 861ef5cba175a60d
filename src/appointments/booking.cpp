#include "appointments/booking.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "appointments/calendar_store.hpp"
#include "appointments/internal.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"

namespace dangan::appointments {

using namespace internal;

namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr int kCodeDigits = 8;
constexpr int kBookAttempts = 3;  // a fresh code after a (very rare) code collision

struct PlannedSlot {
    SlotKey key;
    SlotTime time;
    int capacity = 0;
    std::int64_t deadline_at_ms = 0;  // visits
    archives::Branch branch;          // read once for the checks and the confirmation SMS
};

Result<PlannedSlot> PlanSlot(const Context& ctx, const BookRequest& r) {
    SlotKey key;
    if (r.kind == Service::kVisit) {
        auto parsed = ParseSlotId(r.slot_id);
        if (!parsed || parsed->service != Service::kVisit) {
            return MakeError(ErrorCode::kNotFound, "没有这个预约时段，请重新选择", "slot_id", "slot_not_found");
        }
        key = *parsed;
    } else {
        auto date = core::ParseDate(r.date);
        if (!date) return MakeError(ErrorCode::kInvalidArgument, "日期应为 YYYY-MM-DD", "date", "invalid_date");
        key = SlotKey{r.branch_code, Service::kRetrieval, *date, 0};
    }
    auto branch = archives::FindBranchByCode(ctx.db, key.branch_code);
    if (!branch) return branch.error();
    if (!*branch) {
        return MakeError(ErrorCode::kNotFound, "没有这个网点", r.kind == Service::kVisit ? "slot_id" : "branch_code",
                         "branch_not_found");
    }
    auto setup = LoadSetup(ctx.db, key.branch_code);
    if (!setup) return setup.error();
    const BookingRule* rule = setup->Rule(key.service);
    if (rule == nullptr) {
        return Conflict(fmt::format("{}暂未开放网上{}", (*branch)->name, KindLabel(key.service)), "service_not_offered",
                        "branch_code");
    }
    auto day = ScheduleOfDay(ctx.db, key.branch_code, *setup, key.date);
    if (!day) return day.error();
    std::optional<SlotTime> time;
    for (const SlotTime& t : SlotsOf(*day, key.service, rule->slot_minutes)) {
        if (key.service == Service::kRetrieval || t.start == key.start) time = t;
    }
    if (time) key.start = time->start;
    const core::TimePoint now = ctx.clock.Now();
    if (auto closed = WhyClosed(*day, *rule, key, time, now)) {
        const std::string field = r.kind == Service::kVisit ? "slot_id" : "date";
        if (closed->reason == "slot_not_found") {
            return MakeError(ErrorCode::kNotFound, closed->message, field, closed->reason);
        }
        return Conflict(closed->message, closed->reason, field);
    }
    const std::int64_t end_ms = core::UnixMillis(At(key.date, time->end));
    return PlannedSlot{key, *time, rule->capacity, end_ms + std::int64_t{ctx.policy.no_show_grace_minutes} * 60000,
                       std::move(**branch)};
}

Status CheckRetrieval(BookRequest& r) {
    auto purpose = ParsePurpose(r.purpose);
    if (r.purpose.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择查档用途", "purpose", "purpose_required");
    }
    if (!purpose) return MakeError(ErrorCode::kInvalidArgument, "查档用途不在可选范围内", "purpose", "invalid_purpose");
    r.purpose = *purpose;
    if (r.purpose == "other" && r.purpose_detail.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "用途选择“其他”时请填写具体用途", "purpose_detail",
                         "purpose_required");
    }
    if (r.materials.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择或填写需要调阅的材料", "materials", "materials_required");
    }
    for (std::size_t i = 0; i < r.materials.size(); ++i) {
        if (r.materials[i].text.empty() && !r.materials[i].record_id) {
            return MakeError(ErrorCode::kInvalidArgument, "请填写材料名称", fmt::format("materials[{}].text", i),
                             "materials_required");
        }
    }
    if (r.delivery != "pickup" && r.delivery != "mail") {
        return MakeError(ErrorCode::kInvalidArgument, "请选择领取方式：到网点领取或邮寄", "delivery", "invalid_delivery");
    }
    if (r.delivery == "pickup") {
        r.mail_to.reset();
        return Ok();
    }
    if (!r.mail_to) return MakeError(ErrorCode::kInvalidArgument, "邮寄时请填写收件信息", "mail_to", "mail_to_required");
    MailTo& to = *r.mail_to;
    to.name = std::string(core::TrimSpaces(to.name));
    to.address = std::string(core::TrimSpaces(to.address));
    if (to.name.empty()) return MakeError(ErrorCode::kInvalidArgument, "请填写收件人", "mail_to.name", "mail_to_required");
    auto phone = core::ValidateMobile(to.phone);
    if (!phone) return MakeError(ErrorCode::kInvalidArgument, "收件人手机号码应为 11 位数字", "mail_to.phone", "invalid_phone");
    to.phone = *phone;
    if (to.address.size() < 12) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写详细的收件地址（省市区、街道、门牌号）", "mail_to.address",
                         "address_required");
    }
    return Ok();
}

// Items picked from the person's archive get their titles; items that are not theirs are refused.
Status ResolveMaterials(const Context& ctx, BookRequest& r) {
    bool any_item = false;
    for (const Material& m : r.materials) any_item = any_item || m.record_id.has_value();
    if (!any_item) return Ok();
    auto records = archives::RecordsOfPerson(ctx.db, r.person_id, true);
    if (!records) return records.error();
    for (std::size_t i = 0; i < r.materials.size(); ++i) {
        Material& m = r.materials[i];
        if (!m.record_id) continue;
        const archives::ArchiveItem* found = nullptr;
        for (const archives::ArchiveRecord& rec : *records) {
            if (rec.id != *m.record_id) continue;
            for (const archives::ArchiveItem& item : rec.items) {
                if (m.item_seq && item.seq == *m.item_seq) found = &item;
            }
        }
        if (found == nullptr) {
            return MakeError(ErrorCode::kInvalidArgument, "所选材料不在您的档案中，请重新选择",
                             fmt::format("materials[{}]", i), "invalid_material");
        }
        if (m.text.empty()) m.text = found->title;
    }
    return Ok();
}

Result<std::string> SealMailTo(const Context& ctx, const std::optional<MailTo>& to) {
    if (!to) return std::string();
    return core::Seal(ctx.keys.seal_key,
                      json{{"name", to->name}, {"phone", to->phone}, {"address", to->address}}.dump(), kMailToData);
}

bool Mentions(const Error& e, std::string_view what) { return e.message.find(what) != std::string::npos; }

Result<Appointment> Insert(db::Connection& conn, const Context& ctx, const BookRequest& r, const PlannedSlot& slot,
                           const std::string& sealed_mail_to, const std::optional<http::IdempotencyKey>& idem,
                           const std::string& mobile, const BranchText& branch) {
    const std::int64_t now_ms = NowMs(ctx);
    const std::string slot_id = FormatSlotId(slot.key);
    const std::int64_t starts_ms = core::UnixMillis(At(slot.key.date, slot.time.start));
    const std::int64_t ends_ms = core::UnixMillis(At(slot.key.date, slot.time.end));
    auto opened = conn.Query(
        "INSERT INTO slots (id, branch_code, service, day, start_minute, end_minute, starts_at_ms, ends_at_ms, "
        "capacity, booked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) ON CONFLICT (id) DO NOTHING",
        {slot_id, slot.key.branch_code, std::string(ServiceName(slot.key.service)), core::FormatDate(slot.key.date),
         std::int64_t{slot.time.start}, std::int64_t{slot.time.end}, starts_ms, ends_ms, std::int64_t{slot.capacity}});
    if (!opened) return opened.error();
    auto seat = conn.Query("UPDATE slots SET booked = booked + 1 WHERE id = ? AND booked < capacity", {slot_id});
    if (!seat) return seat.error();
    if (seat->affected == 0) {
        return Conflict(r.kind == Service::kVisit ? "该时段已约满，请选择其他时段" : "该日期的查档登记已约满，请选择其他日期",
                        "slot_full", r.kind == Service::kVisit ? "slot_id" : "date");
    }
    Appointment a;
    a.id = core::NewId(ctx.clock);
    a.code = core::RandomDigits(kCodeDigits);
    a.kind = r.kind;
    a.person_id = r.person_id;
    a.branch_code = slot.key.branch_code;
    a.slot_id = slot_id;
    a.day = core::FormatDate(slot.key.date);
    a.starts_at_ms = starts_ms;
    a.ends_at_ms = ends_ms;
    if (r.kind == Service::kVisit) a.deadline_at_ms = slot.deadline_at_ms;
    a.state = r.kind == Service::kVisit ? "booked" : "received";
    a.channel = r.channel;
    a.created_by = r.created_by;
    if (r.kind == Service::kRetrieval) {
        a.purpose = r.purpose;
        a.purpose_detail = r.purpose_detail;
        a.materials = r.materials;
        a.delivery = r.delivery;
        a.mail_to = r.mail_to;
    }
    a.created_at_ms = a.updated_at_ms = now_ms;
    auto inserted = conn.Query(
        "INSERT INTO appointments (id, code, kind, person_id, branch_code, slot_id, day, starts_at_ms, ends_at_ms, "
        "deadline_at_ms, state, channel, created_by, purpose, purpose_detail, materials_json, delivery, "
        "mail_to_sealed, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {a.id, a.code, std::string(ServiceName(a.kind)), a.person_id, a.branch_code, a.slot_id, a.day, a.starts_at_ms,
         a.ends_at_ms, a.deadline_at_ms ? db::Value(*a.deadline_at_ms) : db::Value(nullptr), a.state, a.channel,
         a.created_by ? db::Value(*a.created_by) : db::Value(nullptr),
         a.purpose ? db::Value(*a.purpose) : db::Value(nullptr),
         a.purpose_detail && !a.purpose_detail->empty() ? db::Value(*a.purpose_detail) : db::Value(nullptr),
         a.kind == Service::kRetrieval ? db::Value(MaterialsJson(a.materials)) : db::Value(nullptr),
         a.delivery ? db::Value(*a.delivery) : db::Value(nullptr),
         sealed_mail_to.empty() ? db::Value(nullptr) : db::Value(db::Bytes{sealed_mail_to}), now_ms, now_ms});
    if (!inserted) return inserted.error();
    DANGAN_TRY(AddEvent(conn, a.id, now_ms, "created", r.created_by, a.channel));
    if (idem) DANGAN_TRY(http::RememberIdempotent(conn, *idem, a.id, now_ms));
    DANGAN_TRY(Notify(conn, ctx, mobile, ConfirmedNotice(a, branch, ctx.policy)));
    return a;
}

Result<bool> HasActiveBooking(const Context& ctx, const std::string& person_id, const std::string& slot_id) {
    auto found = ctx.db.Query(
        "SELECT 1 FROM appointments WHERE person_id = ? AND slot_id = ? "
        "AND state IN ('booked', 'checked_in', 'received', 'preparing', 'ready')",
        {person_id, slot_id});
    if (!found) return found.error();
    return !found->empty();
}

Result<Booked> Replay(const Context& ctx, const std::string& id) {
    auto a = Load(ctx.db, ctx.keys, id);
    if (!a) return a.error();
    return Booked{std::move(*a), true};
}

}  // namespace

Result<Booked> Book(const Context& ctx, BookRequest r, const std::optional<http::IdempotencyKey>& idem) {
    if (idem) {
        auto earlier = http::FindIdempotent(ctx.db, *idem);
        if (!earlier) return earlier.error();
        if (*earlier) return Replay(ctx, **earlier);
    }
    auto bar = BarOf(ctx, r.person_id);
    if (!bar) return bar.error();
    if (bar->barred) return BarredError(*bar);
    if (r.kind == Service::kRetrieval) {
        DANGAN_TRY(CheckRetrieval(r));
        DANGAN_TRY(ResolveMaterials(ctx, r));
    }
    auto slot = PlanSlot(ctx, r);
    if (!slot) return slot.error();
    auto to = RecipientOf(ctx, r.person_id, slot->branch);
    if (!to) return to.error();
    auto sealed = SealMailTo(ctx, r.mail_to);
    if (!sealed) return sealed.error();
    const std::string slot_id = FormatSlotId(slot->key);
    for (int attempt = 1;; ++attempt) {
        std::optional<Appointment> made;
        Status done = ctx.db.DurableTransaction([&](db::Connection& conn) -> Status {
            auto a = Insert(conn, ctx, r, *slot, *sealed, idem, to->mobile, to->branch);
            if (!a) return a.error();
            made = std::move(*a);
            return Ok();
        });
        if (done) return Booked{std::move(*made), false};
        const Error& e = done.error();
        if (e.reason == "constraint_violation" && Mentions(e, "booking_barred")) {
            auto now_bar = BarOf(ctx, r.person_id);
            if (!now_bar) return now_bar.error();
            return BarredError(*now_bar);
        }
        if (e.reason != "unique_violation") return e;
        // Which unique rule: the same key sent twice at once, a second booking of the slot, or a code collision.
        if (idem) {
            auto earlier = http::FindIdempotent(ctx.db, *idem);
            if (!earlier) return earlier.error();
            if (*earlier) return Replay(ctx, **earlier);
        }
        auto active = HasActiveBooking(ctx, r.person_id, slot_id);
        if (!active) return active.error();
        if (*active) {
            return Conflict(r.kind == Service::kVisit ? "您已预约了这个时段，请在“我的预约”中查看"
                                                      : "您已登记了这一天的查档，请在“我的预约”中查看",
                            "already_booked", r.kind == Service::kVisit ? "slot_id" : "date");
        }
        if (attempt >= kBookAttempts) return e;
    }
}
}  // namespace dangan::appointments
