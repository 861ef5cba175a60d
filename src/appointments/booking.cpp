#include "appointments/booking.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "appointments/calendar_store.hpp"
#include "appointments/notices.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"
#include "notify/outbox.hpp"

namespace dangan::appointments {

namespace {

using nlohmann::json;
using namespace std::chrono;

constexpr std::string_view kMailToData = "appointments.mail_to";
constexpr int kCodeDigits = 8;
constexpr int kBookAttempts = 3;  // a fresh code after a (very rare) code collision
constexpr int kSweepBatch = 200;

constexpr const char* kColumns =
    "id, code, kind, person_id, branch_code, slot_id, day, starts_at_ms, ends_at_ms, deadline_at_ms, state, "
    "channel, created_by, purpose, purpose_detail, materials_json, delivery, mail_to_sealed, courier, "
    "tracking_number, return_reason, checked_in_at_ms, cancelled_at_ms, no_show_at_ms, no_show_reason, "
    "no_show_month, no_show_voided_at_ms, void_reason, created_at_ms, updated_at_ms";

Error Conflict(std::string message, std::string reason, std::string field = {}) {
    return MakeError(ErrorCode::kConflict, std::move(message), std::move(field), std::move(reason));
}

Error NotFound() {
    return MakeError(ErrorCode::kNotFound, "没有找到这个预约，可能已被取消或链接有误", "id", "appointment_not_found");
}

Error InvalidState(const Appointment& a) {
    return Conflict(fmt::format("该预约当前为“{}”，不能进行此操作", StateLabel(a.state)), "invalid_state", "state");
}

std::int64_t NowMs(const Context& ctx) { return core::UnixMillis(ctx.clock.Now()); }
core::TimePoint FromMs(std::int64_t ms) { return core::TimePoint(milliseconds(ms)); }

// --- rows ----------------------------------------------------------------------------

std::optional<std::int64_t> OptInt(const db::Row& row, std::size_t i) { return row.OptInt(i); }

std::vector<Material> MaterialsFrom(const std::optional<std::string>& text) {
    std::vector<Material> out;
    if (!text) return out;
    const json list = json::parse(*text, nullptr, false);
    if (!list.is_array()) return out;
    for (const json& m : list) {
        Material material;
        if (m.contains("record_id") && m["record_id"].is_string()) material.record_id = m["record_id"].get<std::string>();
        if (m.contains("item_seq") && m["item_seq"].is_number_integer()) material.item_seq = m["item_seq"].get<int>();
        material.text = m.value("text", "");
        out.push_back(std::move(material));
    }
    return out;
}

std::string MaterialsJson(const std::vector<Material>& materials) {
    json list = json::array();
    for (const Material& m : materials) {
        list.push_back({{"record_id", m.record_id ? json(*m.record_id) : json(nullptr)},
                        {"item_seq", m.item_seq ? json(*m.item_seq) : json(nullptr)},
                        {"text", m.text}});
    }
    return list.dump();
}

Result<Appointment> AppointmentFrom(const db::Row& row, const core::Keyring& keys) {
    Appointment a;
    a.id = row.Text(0);
    a.code = row.Text(1);
    a.kind = row.Text(2) == "retrieval" ? Service::kRetrieval : Service::kVisit;
    a.person_id = row.Text(3);
    a.branch_code = row.Text(4);
    a.slot_id = row.Text(5);
    a.day = row.Text(6);
    a.starts_at_ms = row.Int(7);
    a.ends_at_ms = row.Int(8);
    a.deadline_at_ms = OptInt(row, 9);
    a.state = row.Text(10);
    a.channel = row.Text(11);
    a.created_by = row.OptText(12);
    a.purpose = row.OptText(13);
    a.purpose_detail = row.OptText(14);
    a.materials = MaterialsFrom(row.OptText(15));
    a.delivery = row.OptText(16);
    if (!row.IsNull(17)) {
        auto opened = core::Open(keys.seal_key, row.Blob(17).data, kMailToData);
        if (!opened) return opened.error();
        const json to = json::parse(*opened, nullptr, false);
        if (to.is_object()) a.mail_to = MailTo{to.value("name", ""), to.value("phone", ""), to.value("address", "")};
    }
    a.courier = row.OptText(18);
    a.tracking_number = row.OptText(19);
    a.return_reason = row.OptText(20);
    a.checked_in_at_ms = OptInt(row, 21);
    a.cancelled_at_ms = OptInt(row, 22);
    a.no_show_at_ms = OptInt(row, 23);
    a.no_show_reason = row.OptText(24);
    a.no_show_month = row.OptText(25);
    a.no_show_voided_at_ms = OptInt(row, 26);
    a.void_reason = row.OptText(27);
    a.created_at_ms = row.Int(28);
    a.updated_at_ms = row.Int(29);
    return a;
}

template <typename Source>
Result<std::vector<Appointment>> Select(Source& source, const core::Keyring& keys, const std::string& where,
                                        const db::Params& params) {
    auto found = source.Query(fmt::format("SELECT {} FROM appointments {}", kColumns, where), params);
    if (!found) return found.error();
    std::vector<Appointment> out;
    for (const db::Row& row : found->rows) {
        auto a = AppointmentFrom(row, keys);
        if (!a) return a.error();
        out.push_back(std::move(*a));
    }
    return out;
}

template <typename Source>
Result<Appointment> Load(Source& source, const core::Keyring& keys, const std::string& id) {
    auto found = Select(source, keys, "WHERE id = ?", {id});
    if (!found) return found.error();
    if (found->empty()) return NotFound();
    return std::move(found->front());
}

Status AddEvent(db::Connection& conn, const std::string& id, std::int64_t at_ms, const std::string& action,
                const std::optional<std::string>& actor, const std::string& note = {}) {
    auto added = conn.Query(
        "INSERT INTO appointment_events (appointment_id, seq, at_ms, action, actor_id, note) "
        "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM appointment_events WHERE appointment_id = ?",
        {id, at_ms, action, actor ? db::Value(*actor) : db::Value(nullptr),
         note.empty() ? db::Value(nullptr) : db::Value(note), id});
    if (!added) return added.error();
    return Ok();
}

// --- who and where, for the notices --------------------------------------------------

struct Recipient {
    std::string mobile;
    std::string id_number;  // to check the ID card shown at collection
    BranchText branch;
};

Result<Recipient> RecipientOf(const Context& ctx, const std::string& person_id, const std::string& branch_code) {
    auto person = archives::FindPersonById(ctx.db, ctx.keys, person_id);
    if (!person) return person.error();
    if (!*person) return MakeError(ErrorCode::kNotFound, "未找到该人员", "person_id", "person_not_found");
    auto branch = archives::FindBranchByCode(ctx.db, branch_code);
    if (!branch) return branch.error();
    if (!*branch) return MakeError(ErrorCode::kNotFound, "没有这个网点", "branch_code", "branch_not_found");
    return Recipient{(*person)->mobile, (*person)->id_number, {(*branch)->name, (*branch)->address, (*branch)->phone}};
}

Status Notify(db::Connection& conn, const Context& ctx, const std::string& mobile, const Notice& notice) {
    auto queued = notify::Enqueue(conn, ctx.keys, ctx.clock, {"sms", mobile, notice.text, notice.template_id});
    if (!queued) return queued.error();
    return Ok();
}

// --- the no-show rule ----------------------------------------------------------------

Result<int> NoShowsInMonth(db::Connection& conn, const std::string& person_id, const std::string& month) {
    auto counted = conn.Query(
        "SELECT COUNT(*) FROM appointments WHERE person_id = ? AND no_show_month = ? AND state = 'no_show' "
        "AND no_show_voided_at_ms IS NULL",
        {person_id, month});
    if (!counted) return counted.error();
    return static_cast<int>(counted->rows.front().Int(0));
}

// Marks `a` (in state `from`) a no-show at `at_ms`, counting in the month of `at_ms`; writes the
// credit record when the month reaches the limit. False when another node got there first.
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

// --- booking -------------------------------------------------------------------------

struct PlannedSlot {
    SlotKey key;
    SlotTime time;
    int capacity = 0;
    std::int64_t deadline_at_ms = 0;  // visits
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
    return PlannedSlot{key, *time, rule->capacity, end_ms + std::int64_t{ctx.policy.no_show_grace_minutes} * 60000};
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
    auto counted = ctx.db.Query(
        "SELECT COUNT(*) FROM appointments WHERE person_id = ? AND no_show_month = ? AND state = 'no_show' "
        "AND no_show_voided_at_ms IS NULL",
        {person_id, MonthOf(FromMs(now_ms))});
    if (!counted) return counted.error();
    bar.no_shows_this_month = static_cast<int>(counted->rows.front().Int(0));
    return bar;
}

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
    auto to = RecipientOf(ctx, r.person_id, slot->key.branch_code);
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

Result<std::optional<Appointment>> FindAppointment(const Context& ctx, const std::string& id) {
    auto found = Select(ctx.db, ctx.keys, "WHERE id = ?", {id});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Appointment>{};
    return std::optional<Appointment>(std::move(found->front()));
}

Result<std::vector<Appointment>> AppointmentsOfPerson(const Context& ctx, const std::string& person_id,
                                                      std::int64_t since_ms) {
    return Select(ctx.db, ctx.keys, "WHERE person_id = ? AND created_at_ms >= ? ORDER BY starts_at_ms DESC, id DESC",
                  {person_id, since_ms});
}

Result<std::vector<Appointment>> Queue(const Context& ctx, const std::string& branch_code, const std::string& day,
                                       const QueueFilter& f) {
    return Select(ctx.db, ctx.keys,
                  "WHERE branch_code = ? AND day = ? AND (? = '' OR kind = ?) AND (? = '' OR state = ?) "
                  "AND (? = '' OR code = ?) ORDER BY starts_at_ms, created_at_ms",
                  {branch_code, day, f.kind, f.kind, f.state, f.state, f.code, f.code});
}

Result<std::vector<Event>> EventsOf(const Context& ctx, const std::string& appointment_id) {
    auto found = ctx.db.Query(
        "SELECT seq, at_ms, action, actor_id, note FROM appointment_events WHERE appointment_id = ? ORDER BY seq",
        {appointment_id});
    if (!found) return found.error();
    std::vector<Event> out;
    for (const db::Row& row : found->rows) {
        out.push_back({static_cast<int>(row.Int(0)), row.Int(1), row.Text(2), row.OptText(3), row.OptText(4)});
    }
    return out;
}

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
