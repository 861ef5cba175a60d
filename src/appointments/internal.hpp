#pragma once

// What the appointment store's files share (booking.cpp, flow.cpp, no_shows.cpp, rows.cpp):
// reading rows, the history, the recipient of a notice, the no-show mark. Not for other modules.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appointments/booking.hpp"
#include "appointments/notices.hpp"
#include "archives/records.hpp"

namespace dangan::appointments::internal {

inline constexpr std::string_view kMailToData = "appointments.mail_to";

inline constexpr const char* kColumns =
    "id, code, kind, person_id, branch_code, slot_id, day, starts_at_ms, ends_at_ms, deadline_at_ms, state, "
    "channel, created_by, purpose, purpose_detail, materials_json, delivery, mail_to_sealed, courier, "
    "tracking_number, return_reason, checked_in_at_ms, cancelled_at_ms, no_show_at_ms, no_show_reason, "
    "no_show_month, no_show_voided_at_ms, void_reason, created_at_ms, updated_at_ms";

Error Conflict(std::string message, std::string reason, std::string field = {});
Error NotFound();
Error InvalidState(const Appointment& a);

std::int64_t NowMs(const Context& ctx);
core::TimePoint FromMs(std::int64_t ms);

std::string MaterialsJson(const std::vector<Material>& materials);
Result<Appointment> AppointmentFrom(const db::Row& row, const core::Keyring& keys);

// The appointments a WHERE clause (with ORDER BY) selects, on the database or in a transaction.
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

// Appends to the appointment's history.
Status AddEvent(db::Connection& conn, const std::string& id, std::int64_t at_ms, const std::string& action,
                const std::optional<std::string>& actor, const std::string& note = {});

// Who a notice goes to, and the branch it names.
struct Recipient {
    std::string mobile;
    std::string id_number;  // to check the ID card shown at collection
    BranchText branch;
};

Result<Recipient> RecipientOf(const Context& ctx, const std::string& person_id, const std::string& branch_code);
Result<Recipient> RecipientOf(const Context& ctx, const std::string& person_id, const archives::Branch& branch);
// Queues `notice` for `mobile` in the caller's transaction.
Status Notify(db::Connection& conn, const Context& ctx, const std::string& mobile, const Notice& notice);

// Marks `a` (in state `from`) a no-show at `at_ms`, counting in the month of `at_ms`; writes the
// credit record when the month reaches the limit. False when another node got there first.
Result<bool> MarkNoShow(db::Connection& conn, const Context& ctx, const Appointment& a, const std::string& from,
                        const std::string& reason, std::int64_t at_ms, const Recipient& to);

}  // namespace dangan::appointments::internal
