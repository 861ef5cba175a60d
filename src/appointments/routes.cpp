// The appointment routes: the public calendar and kiosk check-in, the citizen's bookings, the
// staff queue and flow (booking rules and holidays: settings_routes.cpp). Shapes: docs/api-appointments.md.
// Handlers parse, check who may act, call booking.hpp and render views.hpp; the rules live there.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "appointments/booking.hpp"
#include "appointments/calendar_store.hpp"
#include "appointments/register.hpp"
#include "appointments/route_helpers.hpp"
#include "appointments/views.hpp"
#include "archives/person_access.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "audit/audit_log.hpp"
#include "audit/register.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"
#include "http/idempotency.hpp"
#include "identity/guard.hpp"
#include "notify/sender.hpp"

namespace dangan::appointments {

namespace {

using nlohmann::json;
using namespace web;

constexpr int kMaxCalendarDays = 31;
constexpr std::int64_t kHistoryMs = 366LL * 24 * 3600 * 1000;

void Wake(http::App& app) {
    if (app.sms_sender) app.sms_sender->Wake();
}

std::string ChannelOf(const http::Request& request) {
    const std::string c = request.Channel();
    if (IsStaff(request)) return "window";
    return c == "mobile" || c == "kiosk" || c == "phone" || c == "wechat" ? c : "web";
}

Result<std::vector<Material>> MaterialsOf(const json& body) {
    std::vector<Material> out;
    if (!body.contains("materials") || body["materials"].is_null()) return out;
    const json& list = body["materials"];
    if (!list.is_array() || list.size() > 30) {
        return MakeError(ErrorCode::kInvalidArgument, "materials 应为最多 30 项的列表", "materials", "invalid_materials");
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string field = fmt::format("materials[{}]", i);
        if (!list[i].is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, "材料项格式不正确", field, "invalid_materials");
        }
        Material m;
        auto record = http::TextMember(list[i], "record_id", 64);
        if (!record) return MakeError(ErrorCode::kInvalidArgument, "record_id 应为文本", field + ".record_id", "invalid_materials");
        if (!record->empty()) {
            m.record_id = *record;
            const json& seq = list[i].value("item_seq", json());
            if (!seq.is_number_integer()) {
                return MakeError(ErrorCode::kInvalidArgument, "请选择卷内材料", field + ".item_seq", "invalid_materials");
            }
            m.item_seq = seq.get<int>();
        }
        auto text = http::TextMember(list[i], "text", 600);
        if (!text) return MakeError(ErrorCode::kInvalidArgument, "材料说明最多 200 字", field + ".text", "invalid_materials");
        m.text = std::string(core::TrimSpaces(*text));
        out.push_back(std::move(m));
    }
    return out;
}

Result<BookRequest> BookRequestOf(const json& body) {
    BookRequest r;
    auto kind = http::TextMember(body, "kind", 20);
    if (!kind) return kind.error();
    auto service = ParseService(*kind);
    if (!service) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择预约类型：visit（预约到访）或 retrieval（查档登记）", "kind",
                         "invalid_kind");
    }
    r.kind = *service;
    if (r.kind == Service::kVisit) {
        auto slot = http::TextMember(body, "slot_id", 64);
        if (!slot) return slot.error();
        if (slot->empty()) return MakeError(ErrorCode::kInvalidArgument, "请选择预约时段", "slot_id", "slot_required");
        r.slot_id = *slot;
        return r;
    }
    for (auto [name, target, max] : {std::tuple{"branch_code", &r.branch_code, 20}, {"date", &r.date, 20},
                                     {"purpose", &r.purpose, 40}, {"purpose_detail", &r.purpose_detail, 600},
                                     {"delivery", &r.delivery, 20}}) {
        auto text = http::TextMember(body, name, max);
        if (!text) return text.error();
        *target = std::string(core::TrimSpaces(*text));
    }
    if (r.branch_code.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择办理网点", "branch_code", "branch_required");
    }
    auto materials = MaterialsOf(body);
    if (!materials) return materials.error();
    r.materials = std::move(*materials);
    if (body.contains("mail_to") && body["mail_to"].is_object()) {
        MailTo to;
        for (auto [name, target, max] : {std::tuple{"name", &to.name, 60}, {"phone", &to.phone, 20},
                                         {"address", &to.address, 400}}) {
            auto text = http::TextMember(body["mail_to"], name, max);
            if (!text) return MakeError(ErrorCode::kInvalidArgument, text.error().message, std::string("mail_to.") + name,
                                        text.error().reason);
            *target = *text;
        }
        r.mail_to = std::move(to);
    }
    return r;
}

// The person a staff booking is for: by the ID number in the body.
Result<archives::Person> PersonOfIdNumber(http::App& app, const json& body) {
    auto id_number = http::TextMember(body, "id_number", 40);
    if (!id_number) return id_number.error();
    if (id_number->empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写预约人的身份证号码", "id_number", "id_number_required");
    }
    auto id = core::ValidateIdNumber(*id_number, core::BusinessDate(app.clock->Now()));
    if (!id) return id.error();
    auto person = archives::FindPersonByIdNumber(*app.db, app.keyring, id->normalized);
    if (!person) return person.error();
    if (!*person) {
        return MakeError(ErrorCode::kNotFound, "未找到该身份证号码的人员，请核对", "id_number", "person_not_found");
    }
    return std::move(**person);
}

// --- public ----------------------------------------------------------------------------

http::Response Calendar(http::App& app, http::Request& request) {
    auto branch = BranchOf(app, request.Param("code"));
    if (!branch) return Fail(branch.error());
    auto service = ParseService(request.QueryParam("service").value_or("visit"));
    if (!service) return Fail(MakeError(ErrorCode::kInvalidArgument, "service 应为 visit 或 retrieval", "service", "invalid_service"));
    const core::TimePoint now = app.clock->Now();
    Date from = core::BusinessDate(now);
    if (auto text = request.QueryParam("from"); text && !text->empty()) {
        auto parsed = core::ParseDate(*text);
        if (!parsed) return Fail(MakeError(ErrorCode::kInvalidArgument, "from 应为 YYYY-MM-DD", "from", "invalid_date"));
        from = *parsed;
    }
    int count = 14;
    if (auto text = request.QueryParam("days"); text && !text->empty()) {
        const bool digits = text->size() <= 2 && text->find_first_not_of("0123456789") == std::string::npos;
        count = digits ? std::stoi(*text) : 0;
        if (count < 1 || count > kMaxCalendarDays) {
            return Fail(MakeError(ErrorCode::kInvalidArgument, "days 应为 1 至 31", "days", "invalid_days"));
        }
    }
    auto setup = LoadSetup(*app.db, branch->code);
    if (!setup) return Fail(setup.error());
    const BookingRule* rule = setup->Rule(*service);
    if (rule == nullptr) {
        return Fail(MakeError(ErrorCode::kConflict, fmt::format("{}暂未开放网上{}", branch->name, KindLabel(*service)),
                              "service", "service_not_offered"));
    }
    auto days = Days(*app.db, branch->code, *setup, *service, from, count, now);
    if (!days) return Fail(days.error());
    json list = json::array();
    for (const DayView& d : *days) list.push_back(DayJson(d, branch->code, *service));
    http::Response r = http::Response::Json(
        {{"branch", BranchBriefJson(*branch)},
         {"service", std::string(ServiceName(*service))},
         {"horizon_days", rule->horizon_days},
         {"release_time", FormatMinute(rule->release_minute)},
         {"last_bookable_date", core::FormatDate(LastBookableDate(now, rule->horizon_days, rule->release_minute))},
         {"days", std::move(list)}});
    r.Header("Cache-Control", "no-cache");
    return r;
}

// The appointment a kiosk or window check-in names: by booking code, or by ID card (the number
// and the name as read from the card — both must match the person).
Result<Appointment> CheckInFromBody(http::App& app, const archives::Branch& branch, const json& body) {
    const Context ctx = Ctx(app);
    auto code = http::TextMember(body, "code", 20);
    if (!code) return code.error();
    if (!code->empty()) {
        const std::string c(core::TrimSpaces(*code));
        if (c.size() != 8 || c.find_first_not_of("0123456789") != std::string::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "预约码应为 8 位数字", "code", "invalid_code");
        }
        return CheckInByCode(ctx, branch.code, c);
    }
    const Error none = MakeError(ErrorCode::kNotFound, "没有找到您今天在本网点的预约，请到窗口咨询", "id_number",
                                 "appointment_not_found");
    auto person = PersonOfIdNumber(app, body);
    if (!person) return person.error().reason == "person_not_found" ? none : person.error();
    auto name = http::TextMember(body, "name", 60);
    if (!name) return name.error();
    if (std::string(core::TrimSpaces(*name)) != person->name) return none;
    return CheckInByPerson(ctx, branch.code, person->id);
}

http::Response PublicCheckIn(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto branch_code = http::TextMember(*body, "branch_code", 20);
    if (!branch_code) return Fail(branch_code.error());
    auto branch = BranchOf(app, *branch_code, "branch_code");
    if (!branch) return Fail(branch.error());
    auto done = CheckInFromBody(app, *branch, *body);
    if (!done) return Fail(done.error());
    auto person = archives::FindPersonById(*app.db, app.keyring, done->person_id);
    if (!person) return Fail(person.error());
    if (Status s = Audit(app, request, "appointment.check_in", done->person_id, "appointment:" + done->id); !s) {
        return Fail(s.error());
    }
    const json full = AppointmentJson(*done, *branch, NowMs(app), PolicyFrom(app.config));
    json brief = json::object();
    for (const char* key : {"code", "kind", "date", "start", "end", "state", "state_label"}) brief[key] = full[key];
    brief["person_name"] = *person ? identity::MaskName((*person)->name) : "";
    return Private(http::Response::Json({{"appointment", std::move(brief)}}));
}

// --- citizen (and staff on behalf) -------------------------------------------------------

http::Response Create(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto r = BookRequestOf(*body);
    if (!r) return Fail(r.error());
    r->channel = ChannelOf(request);
    if (IsStaff(request)) {
        auto person = PersonOfIdNumber(app, *body);
        if (!person) return Fail(person.error());
        const std::string branch = r->kind == Service::kVisit ? r->slot_id.substr(0, r->slot_id.find('/')) : r->branch_code;
        if (!CoversBranch(*request.principal, kDeskRoles, branch)) {
            return Fail(OutsideScope(r->kind == Service::kVisit ? "slot_id" : "branch_code"));
        }
        r->person_id = person->id;
        r->created_by = request.principal->subject_id;
    } else {
        r->person_id = request.principal->subject_id;
    }
    auto idem = http::IdempotencyKeyOf(request, "appointment");
    if (!idem) return Fail(idem.error());
    auto booked = Book(Ctx(app), std::move(*r), *idem);
    if (!booked) return Fail(booked.error());
    const Appointment& a = booked->appointment;
    auto branch = BranchOf(app, a.branch_code);
    if (!branch) return Fail(branch.error());
    if (!booked->replay) {
        if (Status s = Audit(app, request, "appointment.create", a.person_id, "appointment:" + a.id,
                             {{"kind", ServiceName(a.kind)}, {"slot_id", a.slot_id}});
            !s) {
            return Fail(s.error());
        }
        Wake(app);
    }
    http::Response out =
        http::Response::Json({{"appointment", AppointmentJson(a, *branch, NowMs(app), PolicyFrom(app.config))}},
                             booked->replay ? 200 : 201);
    if (booked->replay) out.Header("Idempotent-Replay", "true");
    return Private(std::move(out));
}

http::Response Mine(http::App& app, http::Request& request) {
    const Context ctx = Ctx(app);
    const std::string& person_id = request.principal->subject_id;
    auto list = AppointmentsOfPerson(ctx, person_id, NowMs(app) - kHistoryMs);
    if (!list) return Fail(list.error());
    auto bar = BarOf(ctx, person_id);
    if (!bar) return Fail(bar.error());
    if (Status s = Audit(app, request, "appointment.read", person_id, "person:" + person_id); !s) return Fail(s.error());
    json out = json::array();
    std::map<std::string, archives::Branch> branches;
    for (const Appointment& a : *list) {
        if (!branches.contains(a.branch_code)) {
            auto b = BranchOf(app, a.branch_code);
            if (!b) return Fail(b.error());
            branches.emplace(a.branch_code, std::move(*b));
        }
        out.push_back(AppointmentJson(a, branches.at(a.branch_code), NowMs(app), ctx.policy));
    }
    return Private(http::Response::Json({{"appointments", std::move(out)}, {"bar", BarJson(*bar)}}));
}

// The appointment of :id for an action by the caller: a citizen only their own, staff only
// within `roles` covering its branch.
Result<Appointment> ActingOn(http::App& app, const http::Request& request, const std::vector<std::string>& roles) {
    const std::string& id = request.Param("id");
    if (!core::IsId(id)) {
        return MakeError(ErrorCode::kNotFound, "没有找到这个预约", "id", "appointment_not_found");
    }
    auto found = FindAppointment(Ctx(app), id);
    if (!found) return found.error();
    if (!*found) return MakeError(ErrorCode::kNotFound, "没有找到这个预约", "id", "appointment_not_found");
    if (!IsStaff(request)) {
        if ((*found)->person_id != request.principal->subject_id) {
            return MakeError(ErrorCode::kNotFound, "没有找到这个预约", "id", "appointment_not_found");
        }
        return std::move(**found);
    }
    if (!CoversBranch(*request.principal, roles, (*found)->branch_code)) return OutsideScope("id");
    return std::move(**found);
}

http::Response StaffView(http::App& app, const Appointment& a) {
    auto branch = BranchOf(app, a.branch_code);
    if (!branch) return Fail(branch.error());
    auto person = archives::FindPersonById(*app.db, app.keyring, a.person_id);
    if (!person) return Fail(person.error());
    if (!*person) return Fail(MakeError(ErrorCode::kNotFound, "未找到该人员", "id", "person_not_found"));
    auto history = EventsOf(Ctx(app), a.id);
    if (!history) return Fail(history.error());
    return Private(http::Response::Json(
        {{"appointment", StaffAppointmentJson(a, *branch, **person, NowMs(app), PolicyFrom(app.config), &*history)}}));
}

http::Response Act(http::App& app, http::Request& request, Action action, const std::vector<std::string>& roles,
                   const char* audit_action) {
    auto a = ActingOn(app, request, roles);
    if (!a) return Fail(a.error());
    auto body = request.body.empty() ? Result<json>(json::object()) : request.Json();
    if (!body) return Fail(body.error());
    ActionInput in;
    in.actor_id = request.principal->subject_id;
    in.by_staff = IsStaff(request);
    for (auto [name, target] : {std::pair{"code", &in.code}, {"id_number", &in.id_number}, {"courier", &in.courier},
                                {"tracking_number", &in.tracking_number}, {"reason", &in.reason}}) {
        auto text = http::TextMember(*body, name, 600);
        if (!text) return Fail(text.error());
        *target = *text;
    }
    auto done = Apply(Ctx(app), a->id, action, in);
    if (!done) return Fail(done.error());
    if (Status s = Audit(app, request, audit_action, done->person_id, "appointment:" + done->id,
                         {{"state", done->state}});
        !s) {
        return Fail(s.error());
    }
    Wake(app);
    if (!IsStaff(request)) {
        auto branch = BranchOf(app, done->branch_code);
        if (!branch) return Fail(branch.error());
        return Private(http::Response::Json({{"appointment", AppointmentJson(*done, *branch, NowMs(app), PolicyFrom(app.config))}}));
    }
    return StaffView(app, *done);
}

// --- staff -----------------------------------------------------------------------------

http::Response GetOne(http::App& app, http::Request& request) {
    auto a = ActingOn(app, request, kDeskRoles);
    if (!a) return Fail(a.error());
    if (Status s = Audit(app, request, "appointment.read", a->person_id, "appointment:" + a->id); !s) {
        return Fail(s.error());
    }
    return StaffView(app, *a);
}

http::Response QueueOfDay(http::App& app, http::Request& request) {
    auto branch = BranchOf(app, request.Param("code"));
    if (!branch) return Fail(branch.error());
    if (!CoversBranch(*request.principal, kDeskRoles, branch->code)) return Fail(OutsideScope("code"));
    std::string day = request.QueryParam("date").value_or("");
    if (day.empty()) day = core::FormatDate(core::BusinessDate(app.clock->Now()));
    if (!core::ParseDate(day)) return Fail(MakeError(ErrorCode::kInvalidArgument, "date 应为 YYYY-MM-DD", "date", "invalid_date"));
    QueueFilter filter{request.QueryParam("kind").value_or(""), request.QueryParam("state").value_or(""),
                       request.QueryParam("code").value_or("")};
    if (!filter.kind.empty() && !ParseService(filter.kind)) {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "kind 应为 visit 或 retrieval", "kind", "invalid_kind"));
    }
    auto list = Queue(Ctx(app), branch->code, day, filter);
    if (!list) return Fail(list.error());
    json out = json::array();
    for (const Appointment& a : *list) {
        auto person = archives::FindPersonById(*app.db, app.keyring, a.person_id);
        if (!person) return Fail(person.error());
        if (!*person) continue;
        out.push_back(StaffAppointmentJson(a, *branch, **person, NowMs(app), PolicyFrom(app.config), nullptr));
    }
    if (Status s = Audit(app, request, "appointment.read", "", "branch:" + branch->code + "/" + day,
                         {{"count", out.size()}});
        !s) {
        return Fail(s.error());
    }
    return Private(http::Response::Json({{"date", day}, {"branch", BranchBriefJson(*branch)}, {"appointments", std::move(out)}}));
}

http::Response Void(http::App& app, http::Request& request) {
    auto a = ActingOn(app, request, {"branch_admin"});
    if (!a) return Fail(a.error());
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto reason = http::TextMember(*body, "reason", 600);
    if (!reason) return Fail(reason.error());
    auto done = VoidNoShow(Ctx(app), a->id, request.principal->subject_id, *reason);
    if (!done) return Fail(done.error());
    if (Status s = Audit(app, request, "appointment.void_no_show", done->person_id, "appointment:" + done->id,
                         {{"reason", *reason}});
        !s) {
        return Fail(s.error());
    }
    Wake(app);
    return StaffView(app, *done);
}

http::Response PersonAppointments(http::App& app, http::Request& request) {
    auto purpose = archives::PurposeOf(request);
    if (!purpose) return Fail(purpose.error());
    const std::string& id = request.Param("id");
    if (!core::IsId(id)) return Fail(MakeError(ErrorCode::kNotFound, "未找到该人员", "id", "person_not_found"));
    auto person = archives::FindPersonById(*app.db, app.keyring, id);
    if (!person) return Fail(person.error());
    if (!*person) return Fail(MakeError(ErrorCode::kNotFound, "未找到该人员", "id", "person_not_found"));
    const Context ctx = Ctx(app);
    auto list = AppointmentsOfPerson(ctx, id, 0);
    if (!list) return Fail(list.error());
    bool may = archives::CoversPerson(*request.principal, kDeskRoles, **person);
    for (const Appointment& a : *list) may = may || CoversBranch(*request.principal, kDeskRoles, a.branch_code);
    audit::Entry entry = audit::EntryFor(request, may ? "appointment.read" : "access_denied");
    entry.subject_person_id = id;
    entry.target = "person:" + id;
    entry.purpose = *purpose;
    if (Status s = audit::Record(app, std::move(entry)); !s) return Fail(s.error());
    if (!may) return Fail(MakeError(ErrorCode::kForbidden, "该人员不在您的管辖范围内，无权查阅", "id", "forbidden"));
    auto bar = BarOf(ctx, id);
    if (!bar) return Fail(bar.error());
    auto credits = CreditRecordsOf(ctx, id);
    if (!credits) return Fail(credits.error());
    json out = json::array();
    for (const Appointment& a : *list) {
        auto branch = BranchOf(app, a.branch_code);
        if (!branch) return Fail(branch.error());
        out.push_back(StaffAppointmentJson(a, *branch, **person, NowMs(app), ctx.policy, nullptr));
    }
    json records = json::array();
    for (const CreditRecord& c : *credits) records.push_back(CreditRecordJson(c));
    return Private(http::Response::Json(
        {{"appointments", std::move(out)}, {"bar", BarJson(*bar)}, {"credit_records", std::move(records)}}));
}

// --- testing -----------------------------------------------------------------------------

http::Response RunSweep(http::App& app, http::Request&) {
    auto counts = Sweep(Ctx(app));
    if (!counts) return Fail(counts.error());
    Wake(app);
    return http::Response::Json({{"no_shows", counts->no_shows}, {"reminders", counts->reminders}});
}

}  // namespace

void Register(http::App& app) {
    http::App* a = &app;
    auto route = [&app](http::Method method, const char* path, http::Access access, http::AppHandler handler) {
        http::AddRoute(app, method, path, std::move(access), handler);
    };
    auto act = [a](const char* path, std::initializer_list<const char*> roles, Action action, const char* audit_action) {
        std::vector<std::string> role_list(roles.begin(), roles.end());
        a->router.Add(http::Method::kPost, path, http::Access::Roles(roles),
                      [a, action, audit_action, role_list](http::Request& r) {
                          return Act(*a, r, action, role_list, audit_action);
                      });
    };
    using M = http::Method;
    route(M::kGet, "/api/v1/branches/:code/calendar", http::Access::Public(), Calendar);
    route(M::kPost, "/api/v1/appointments/check-in", http::Access::Public(), PublicCheckIn);
    route(M::kPost, "/api/v1/appointments", http::Access::Roles({"citizen", "window_clerk", "branch_admin"}), Create);
    route(M::kGet, "/api/v1/me/appointments", http::Access::Roles({"citizen"}), Mine);
    act("/api/v1/appointments/:id/cancel", {"citizen", "window_clerk", "branch_admin"}, Action::kCancel,
        "appointment.cancel");
    route(M::kGet, "/api/v1/appointments/:id", http::Access::Roles({"window_clerk", "branch_admin"}), GetOne);
    act("/api/v1/appointments/:id/check-in", {"window_clerk", "branch_admin"}, Action::kCheckIn, "appointment.check_in");
    act("/api/v1/appointments/:id/prepare", {"window_clerk", "branch_admin"}, Action::kPrepare, "appointment.prepare");
    act("/api/v1/appointments/:id/ready", {"window_clerk", "branch_admin"}, Action::kReady, "appointment.ready");
    act("/api/v1/appointments/:id/collect", {"window_clerk", "branch_admin"}, Action::kCollect, "appointment.collect");
    act("/api/v1/appointments/:id/mail", {"window_clerk", "branch_admin"}, Action::kMail, "appointment.mail");
    act("/api/v1/appointments/:id/return", {"window_clerk", "branch_admin"}, Action::kReturn, "appointment.return");
    route(M::kPost, "/api/v1/appointments/:id/void-no-show", http::Access::Roles({"branch_admin"}), Void);
    route(M::kGet, "/api/v1/branches/:code/queue", http::Access::Roles({"window_clerk", "branch_admin"}), QueueOfDay);
    route(M::kGet, "/api/v1/persons/:id/appointments", http::Access::Roles({"window_clerk", "branch_admin"}),
          PersonAppointments);
    web::RegisterSettingsRoutes(app);
    if (app.config.testing.clock_control) {
        route(M::kPost, "/api/v1/testing/sweep", http::Access::Public(), RunSweep);
    }
    StartSweeper(app);
}

}  // namespace dangan::appointments
