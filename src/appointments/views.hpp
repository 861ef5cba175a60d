#pragma once

// The JSON shapes of docs/api-appointments.md.

#include <nlohmann/json.hpp>

#include "appointments/booking.hpp"
#include "appointments/calendar_store.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"

namespace dangan::appointments {

nlohmann::json BranchBriefJson(const archives::Branch& branch);
nlohmann::json DayJson(const DayView& day, const std::string& branch_code, Service service);
nlohmann::json BarJson(const Bar& bar);
nlohmann::json CreditRecordJson(const CreditRecord& record);

// The citizen's view of an appointment: mail_to masked, no person.
nlohmann::json AppointmentJson(const Appointment& a, const archives::Branch& branch, std::int64_t now_ms,
                               const Policy& policy);
// The staff view adds the person (masked), who booked, the mail-to address in full and, when
// given, the history.
nlohmann::json StaffAppointmentJson(const Appointment& a, const archives::Branch& branch,
                                    const archives::Person& person, std::int64_t now_ms, const Policy& policy,
                                    const std::vector<Event>* history);

nlohmann::json RulesJson(const BranchSetup& setup);
nlohmann::json CalendarDayJson(const CalendarDay& day);

}  // namespace dangan::appointments
