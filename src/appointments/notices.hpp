#pragma once

// The SMS texts of appointments, in Chinese, with branch, time and code. Plain functions of the
// appointment and its branch, so the wording is tested without a database; the caller queues
// them in the outbox inside the transaction of the change (notify::Enqueue).

#include <string>

#include "appointments/model.hpp"

namespace dangan::appointments {

struct BranchText {
    std::string name;
    std::string address;
    std::string phone;
};

struct Notice {
    std::string template_id;  // appointment.confirmed, …
    std::string text;
};

// "12月1日（周二）09:00" — how a time appears to people.
std::string DayAndTime(std::int64_t at_ms);
// "2027年1月1日"
std::string LongDate(std::int64_t at_ms);

Notice ConfirmedNotice(const Appointment& a, const BranchText& b, const Policy& policy);
// `pickup_code`: the code sent only in this SMS (empty for mail).
Notice ReadyNotice(const Appointment& a, const BranchText& b, const std::string& pickup_code);
Notice MailedNotice(const Appointment& a);
Notice ReturnedNotice(const Appointment& a);
Notice ReminderNotice(const Appointment& a, const BranchText& b);
// `count` is the month's no-shows including this one.
Notice NoShowNotice(const Appointment& a, const BranchText& b, int count, const Policy& policy);
// A cancel by the centre (a closure, a mistake): the reason, and that it is not a no-show.
Notice CancelledByCentreNotice(const Appointment& a, const BranchText& b, const std::string& reason);
Notice BarNotice(int limit, std::int64_t until_ms);
Notice VoidNotice(const Appointment& a, bool bar_lifted);

}  // namespace dangan::appointments
