#include "appointments/views.hpp"

#include "appointments/notices.hpp"
#include "core/validators.hpp"
#include "identity/guard.hpp"

namespace dangan::appointments {

namespace {

using nlohmann::json;

json Iso(std::optional<std::int64_t> ms) {
    if (!ms) return nullptr;
    return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(*ms)));
}

json Optional(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

}  // namespace

json BranchBriefJson(const archives::Branch& b) {
    return {{"code", b.code}, {"name", b.name}, {"address", b.address}, {"phone", b.phone}};
}

json DayJson(const DayView& day, const std::string& branch_code, Service service) {
    json slots = json::array();
    for (const SlotView& s : day.slots) {
        const auto key = SlotKey{branch_code, service, day.schedule.date, s.time.start};
        slots.push_back({{"id", s.id},
                         {"date", core::FormatDate(day.schedule.date)},
                         {"start", FormatMinute(s.time.start)},
                         {"end", FormatMinute(s.time.end)},
                         {"starts_at", core::FormatIso8601(At(key.date, s.time.start))},
                         {"ends_at", core::FormatIso8601(At(key.date, s.time.end))},
                         {"capacity", s.capacity},
                         {"remaining", std::max(0, s.capacity - s.booked)},
                         {"bookable", s.bookable}});
    }
    return {{"date", core::FormatDate(day.schedule.date)},
            {"weekday", Weekday(day.schedule.date)},
            {"open", day.schedule.open},
            {"note", Optional(day.schedule.note)},
            {"slots", std::move(slots)}};
}

json BarJson(const Bar& bar) {
    json reopens = nullptr;
    json reason = nullptr;
    if (bar.barred && bar.until_ms) {
        reopens = core::FormatDate(core::BusinessDate(core::TimePoint(std::chrono::milliseconds(*bar.until_ms))));
        reason = BarredError(bar).message;
    }
    return {{"barred", bar.barred},           {"until", Iso(bar.until_ms)},  {"reopens_on", reopens},
            {"no_shows_this_month", bar.no_shows_this_month}, {"limit", bar.limit}, {"reason", reason}};
}

json CreditRecordJson(const CreditRecord& r) {
    return {{"id", r.id},
            {"kind", "no_show"},
            {"kind_label", "预约失约"},
            {"period", r.period},
            {"no_shows", r.no_shows},
            {"bars_from", Iso(r.bars_from_ms)},
            {"bars_until", Iso(r.bars_until_ms)},
            {"created_at", Iso(r.created_at_ms)},
            {"revoked_at", Iso(r.revoked_at_ms)},
            {"revoke_reason", Optional(r.revoke_reason)}};
}

json AppointmentJson(const Appointment& a, const archives::Branch& branch, std::int64_t now_ms, const Policy& policy) {
    const bool cancellable = a.state == "booked" || a.state == "received" || a.state == "preparing" ||
                             a.state == "ready";
    json cutoff = nullptr;
    if (a.kind == Service::kVisit && cancellable) {
        cutoff = Iso(a.starts_at_ms - std::int64_t{policy.cancel_cutoff_minutes} * 60000);
    }
    json out = {{"id", a.id},
                {"code", a.code},
                {"kind", std::string(ServiceName(a.kind))},
                {"kind_label", KindLabel(a.kind)},
                {"state", a.state},
                {"state_label", StateLabel(a.state)},
                {"branch", BranchBriefJson(branch)},
                {"date", a.day},
                {"start", TimeOfDay(a.starts_at_ms)},
                {"end", TimeOfDay(a.ends_at_ms)},
                {"starts_at", Iso(a.starts_at_ms)},
                {"ends_at", Iso(a.ends_at_ms)},
                {"deadline_at", Iso(a.deadline_at_ms)},
                {"channel", a.channel},
                {"created_at", Iso(a.created_at_ms)},
                {"can_cancel", cancellable},
                {"cancel_cutoff_at", cutoff},
                {"late_cancel_is_no_show", cancellable && CancelIsLate(a, now_ms, policy)},
                {"no_show_at", Iso(a.no_show_at_ms)},
                {"no_show_reason", Optional(a.no_show_reason)},
                {"no_show_voided", a.no_show_voided_at_ms.has_value()},
                {"void_reason", Optional(a.void_reason)}};
    if (a.kind == Service::kRetrieval) {
        json materials = json::array();
        for (const Material& m : a.materials) {
            materials.push_back({{"record_id", Optional(m.record_id)},
                                 {"item_seq", m.item_seq ? json(*m.item_seq) : json(nullptr)},
                                 {"text", m.text}});
        }
        out["purpose"] = a.purpose.value_or("");
        out["purpose_label"] = PurposeLabel(a.purpose.value_or(""));
        out["purpose_detail"] = a.purpose_detail.value_or("");
        out["materials"] = std::move(materials);
        out["delivery"] = Optional(a.delivery);
        out["mail_to"] = a.mail_to ? json{{"name", identity::MaskName(a.mail_to->name)},
                                          {"phone", core::MaskMobile(a.mail_to->phone)},
                                          {"address", a.mail_to->address}}
                                   : json(nullptr);
        out["courier"] = Optional(a.courier);
        out["tracking_number"] = Optional(a.tracking_number);
        out["return_reason"] = Optional(a.return_reason);
    }
    return out;
}

json StaffAppointmentJson(const Appointment& a, const archives::Branch& branch, const archives::Person& person,
                          std::int64_t now_ms, const Policy& policy, const std::vector<Event>* history) {
    json out = AppointmentJson(a, branch, now_ms, policy);
    out["person"] = {{"id", person.id},
                     {"name", identity::MaskName(person.name)},
                     {"id_number", core::MaskIdNumber(person.id_number)}};
    out["checked_in_at"] = Iso(a.checked_in_at_ms);
    out["booked_by_staff"] = a.created_by.has_value();
    if (a.mail_to) {
        out["mail_to"] = {{"name", a.mail_to->name}, {"phone", a.mail_to->phone}, {"address", a.mail_to->address}};
    }
    if (history != nullptr) {
        json events = json::array();
        for (const Event& e : *history) {
            events.push_back({{"at", Iso(e.at_ms)},
                              {"action", e.action},
                              {"actor_id", Optional(e.actor_id)},
                              {"note", Optional(e.note)}});
        }
        out["history"] = std::move(events);
    }
    return out;
}

json RulesJson(const BranchSetup& setup) {
    json out = json::object();
    for (const BookingRule& r : setup.rules) {
        json rule = {{"capacity", r.capacity},
                     {"horizon_days", r.horizon_days},
                     {"release_time", FormatMinute(r.release_minute)}};
        if (r.service == Service::kVisit) rule["slot_minutes"] = r.slot_minutes;
        out[std::string(ServiceName(r.service))] = std::move(rule);
    }
    json hours = json::array();
    for (const auto& [weekday, intervals] : setup.hours) {
        for (const Interval& in : intervals) {
            hours.push_back({{"weekday", weekday}, {"opens", FormatMinute(in.opens)}, {"closes", FormatMinute(in.closes)}});
        }
    }
    out["hours"] = std::move(hours);
    return out;
}

json CalendarDayJson(const CalendarDay& day) {
    return {{"date", core::FormatDate(day.date)},
            {"kind", day.holiday ? "holiday" : "workday"},
            {"name", day.name},
            {"scope", day.scope}};
}

}  // namespace dangan::appointments
