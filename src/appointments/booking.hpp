#pragma once

// Booking, the staff flow, check-in, cancelling, the no-show rule and the scheduled sweep.
// Every change is one database transaction that also queues its SMS in the outbox, so a
// message exists exactly when the change committed. The facts that must hold on several nodes
// are the database's: a seat is taken by a conditional UPDATE of the slot's counter (with a
// CHECK behind it), one active booking per person and slot by a partial unique index, and the
// no-show bar by a trigger on appointments.

#include <optional>
#include <string>
#include <vector>

#include "appointments/model.hpp"
#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "http/idempotency.hpp"

namespace dangan::appointments {

struct Context {
    db::Database& db;
    const core::Keyring& keys;
    const core::Clock& clock;
    Policy policy;
};

struct BookRequest {
    std::string person_id;
    Service kind = Service::kVisit;
    std::string slot_id;      // visit
    std::string branch_code;  // retrieval: the branch that prepares…
    std::string date;         // …and the pick-up (or mail-by) date, YYYY-MM-DD
    std::string channel = "web";
    std::optional<std::string> created_by;  // staff booking on the person's behalf
    // retrieval
    std::string purpose;
    std::string purpose_detail;
    std::vector<Material> materials;
    std::string delivery;  // pickup | mail
    std::optional<MailTo> mail_to;
};

struct Booked {
    Appointment appointment;
    bool replay = false;  // an earlier request with the same Idempotency-Key made it
};

// Errors: slot_not_found, slot_closed, slot_full, service_not_offered, already_booked,
// booking_barred (403, with the reopening date in the message), the retrieval fields (400
// naming them), idempotency_key_reused (422).
Result<Booked> Book(const Context& ctx, BookRequest request, const std::optional<http::IdempotencyKey>& idempotency);

// The bar of a person at the clock's time.
Result<Bar> BarOf(const Context& ctx, const std::string& person_id);
// The 403 a barred person gets.
Error BarredError(const Bar& bar);

Result<std::optional<Appointment>> FindAppointment(const Context& ctx, const std::string& id);
// A person's appointments created since `since_ms`, newest first.
Result<std::vector<Appointment>> AppointmentsOfPerson(const Context& ctx, const std::string& person_id,
                                                      std::int64_t since_ms);
struct QueueFilter {
    std::string kind;   // "" any
    std::string state;  // "" any
    std::string code;   // "" any
};
// A branch's appointments of a day, by start time.
Result<std::vector<Appointment>> Queue(const Context& ctx, const std::string& branch_code, const std::string& day,
                                       const QueueFilter& filter);
Result<std::vector<Event>> EventsOf(const Context& ctx, const std::string& appointment_id);

enum class Action { kCheckIn, kPrepare, kReady, kCollect, kMail, kReturn, kCancel };
struct ActionInput {
    std::string actor_id;  // person (own cancel) or staff user
    std::string code;      // collect: the pick-up code of the ready SMS…
    std::string id_number; // …or the collector's ID number, read off their ID card
    std::string courier;
    std::string tracking_number;
    std::string reason;    // return; staff cancel
    bool by_staff = false;  // a cancel by the centre (reason required) never counts as a no-show
};
// Moves the appointment; 409 invalid_state (message says what state it is in) when the action
// does not apply, check_in_too_early / check_in_closed for check-in outside its time.
Result<Appointment> Apply(const Context& ctx, const std::string& id, Action action, const ActionInput& input);

// Check-in at a branch's kiosk or window on the day: by booking code, or by the person (ID card).
Result<Appointment> CheckInByCode(const Context& ctx, const std::string& branch_code, const std::string& code);
Result<Appointment> CheckInByPerson(const Context& ctx, const std::string& branch_code, const std::string& person_id);

// Voids a no-show (branch_admin) and recomputes its month: below the limit the credit record
// is revoked and the bar lifted.
Result<Appointment> VoidNoShow(const Context& ctx, const std::string& id, const std::string& actor_id,
                               const std::string& reason);

struct CreditRecord {
    std::string id;
    std::string period;
    int no_shows = 0;
    std::int64_t bars_from_ms = 0;
    std::int64_t bars_until_ms = 0;
    std::int64_t created_at_ms = 0;
    std::optional<std::int64_t> revoked_at_ms;
    std::optional<std::string> revoke_reason;
};
Result<std::vector<CreditRecord>> CreditRecordsOf(const Context& ctx, const std::string& person_id);

// One run of the scheduled job at the clock's time: marks the due no-shows (with their notices
// and bars) and sends the day-before reminders. Safe on several nodes at once: each row is
// claimed by a conditional UPDATE.
struct SweepCounts {
    int no_shows = 0;
    int reminders = 0;
};
Result<SweepCounts> Sweep(const Context& ctx);

}  // namespace dangan::appointments
