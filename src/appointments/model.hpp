#pragma once

// What an appointment is: its row, its states and their labels, and the policy of the no-show
// rule (from configuration). Shared by the store, the routes and the notices.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "appointments/calendar.hpp"
#include "core/config.hpp"

namespace dangan::appointments {

// appointments.* in the configuration.
struct Policy {
    int no_show_limit = 3;           // no-shows in a calendar month that bar booking until it ends
    int cancel_cutoff_minutes = 120;  // a visit cancelled later than this before its slot is a no-show
    int no_show_grace_minutes = 15;   // after the slot's end (visit) or the closing time (pick-up)
    int check_in_early_minutes = 60;  // check-in opens this long before the slot
};
Policy PolicyFrom(const core::Config& config);

struct Material {
    std::optional<std::string> record_id;  // an item of the person's own archive…
    std::optional<int> item_seq;
    std::string text;                      // …or described (always filled: the item's title when picked)
};

struct MailTo {
    std::string name;
    std::string phone;
    std::string address;
};

struct Appointment {
    std::string id;
    std::string code;
    Service kind = Service::kVisit;
    std::string person_id;
    std::string branch_code;
    std::string slot_id;
    std::string day;  // YYYY-MM-DD
    std::int64_t starts_at_ms = 0;
    std::int64_t ends_at_ms = 0;
    std::optional<std::int64_t> deadline_at_ms;
    std::string state;
    std::string channel;
    std::optional<std::string> created_by;
    // retrieval
    std::optional<std::string> purpose;
    std::optional<std::string> purpose_detail;
    std::vector<Material> materials;
    std::optional<std::string> delivery;  // pickup | mail
    std::optional<MailTo> mail_to;
    std::optional<std::string> courier;
    std::optional<std::string> tracking_number;
    std::optional<std::string> return_reason;
    // what happened
    std::optional<std::int64_t> checked_in_at_ms;
    std::optional<std::int64_t> cancelled_at_ms;
    std::optional<std::int64_t> no_show_at_ms;
    std::optional<std::string> no_show_reason;  // absent | late_cancel
    std::optional<std::string> no_show_month;
    std::optional<std::int64_t> no_show_voided_at_ms;
    std::optional<std::string> void_reason;
    std::int64_t created_at_ms = 0;
    std::int64_t updated_at_ms = 0;
};

struct Event {
    int seq = 0;
    std::int64_t at_ms = 0;
    std::string action;
    std::optional<std::string> actor_id;
    std::optional<std::string> note;
};

// States that hold a seat and count as "an active booking".
bool IsActive(std::string_view state);
std::string StateLabel(std::string_view state);
std::string KindLabel(Service kind);

// Retrieval purposes: code → label. ParsePurpose accepts either.
const std::vector<std::pair<std::string, std::string>>& Purposes();
std::optional<std::string> ParsePurpose(std::string_view code_or_label);
std::string PurposeLabel(std::string_view code);

// Whether cancelling at `now_ms` is free (before the cut-off) or counts as a no-show.
bool CancelIsLate(const Appointment& a, std::int64_t now_ms, const Policy& policy);

// The booking window of a branch and service (booking_rules).
struct BookingRule {
    Service service = Service::kVisit;
    int slot_minutes = 30;
    int capacity = 0;
    int horizon_days = 14;
    int release_minute = 480;
};

// The no-show bar of a person at a time.
struct Bar {
    bool barred = false;
    std::optional<std::int64_t> until_ms;
    int no_shows_this_month = 0;
    int limit = 3;
};

}  // namespace dangan::appointments
