// Reading and writing appointment rows: the columns, the history, the recipient of a notice, and
// the plain queries of booking.hpp.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "appointments/internal.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "core/crypto.hpp"
#include "notify/outbox.hpp"

namespace dangan::appointments {

namespace internal {

using nlohmann::json;
using namespace std::chrono;

Error Conflict(std::string message, std::string reason, std::string field) {
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

namespace {

std::optional<std::int64_t> OptInt(const db::Row& row, std::size_t i) { return row.OptInt(i); }

}  // namespace

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

Status AddEvent(db::Connection& conn, const std::string& id, std::int64_t at_ms, const std::string& action,
                const std::optional<std::string>& actor, const std::string& note) {
    auto added = conn.Query(
        "INSERT INTO appointment_events (appointment_id, seq, at_ms, action, actor_id, note) "
        "SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM appointment_events WHERE appointment_id = ?",
        {id, at_ms, action, actor ? db::Value(*actor) : db::Value(nullptr),
         note.empty() ? db::Value(nullptr) : db::Value(note), id});
    if (!added) return added.error();
    return Ok();
}

Result<Recipient> RecipientOf(const Context& ctx, const std::string& person_id, const archives::Branch& branch) {
    auto person = archives::FindPersonById(ctx.db, ctx.keys, person_id);
    if (!person) return person.error();
    if (!*person) return MakeError(ErrorCode::kNotFound, "未找到该人员", "person_id", "person_not_found");
    return Recipient{(*person)->mobile, (*person)->id_number, {branch.name, branch.address, branch.phone}};
}

Result<Recipient> RecipientOf(const Context& ctx, const std::string& person_id, const std::string& branch_code) {
    auto branch = archives::FindBranchByCode(ctx.db, branch_code);
    if (!branch) return branch.error();
    if (!*branch) return MakeError(ErrorCode::kNotFound, "没有这个网点", "branch_code", "branch_not_found");
    return RecipientOf(ctx, person_id, **branch);
}

Status Notify(db::Connection& conn, const Context& ctx, const std::string& mobile, const Notice& notice) {
    auto queued = notify::Enqueue(conn, ctx.keys, ctx.clock, {"sms", mobile, notice.text, notice.template_id});
    if (!queued) return queued.error();
    return Ok();
}

}  // namespace internal

using namespace internal;

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
}  // namespace dangan::appointments
