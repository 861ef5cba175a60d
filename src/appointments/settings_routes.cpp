// The booking rules of a branch and the holiday table (预约设置): read by staff, changed by
// branch admins within their scope (the shared holidays by a system admin or a city-wide branch
// admin), every change audited. Shapes: docs/api-appointments.md.

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "appointments/calendar_store.hpp"
#include "appointments/route_helpers.hpp"
#include "appointments/views.hpp"
#include "core/text.hpp"

namespace dangan::appointments::web {

namespace {

using nlohmann::json;

http::Response GetRules(http::App& app, http::Request& request) {
    auto branch = BranchOf(app, request.Param("code"));
    if (!branch) return Fail(branch.error());
    auto setup = LoadSetup(*app.db, branch->code);
    if (!setup) return Fail(setup.error());
    return http::Response::Json(RulesJson(*setup));
}

Result<BookingRule> RuleOf(const json& body, Service service, const BookingRule& current) {
    const std::string at(ServiceName(service));
    BookingRule r = current;
    r.service = service;
    const json& in = body[at];
    if (!in.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "格式不正确", at, "invalid_booking_rule");
    }
    for (auto [name, target] : {std::pair{"slot_minutes", &r.slot_minutes}, {"capacity", &r.capacity},
                                {"horizon_days", &r.horizon_days}}) {
        if (!in.contains(name)) continue;
        if (!in[name].is_number_integer()) {
            return MakeError(ErrorCode::kInvalidArgument, "应为整数", at + "." + name, "invalid_booking_rule");
        }
        const auto v = in[name].get<std::int64_t>();
        *target = static_cast<int>(std::clamp<std::int64_t>(v, -1, 100000));
    }
    if (in.contains("release_time")) {
        auto minute = in["release_time"].is_string() ? ParseMinute(in["release_time"].get<std::string>()) : std::nullopt;
        if (!minute || *minute >= 1440) {
            return MakeError(ErrorCode::kInvalidArgument, "放号时间应为 HH:MM", at + ".release_time", "invalid_booking_rule");
        }
        r.release_minute = *minute;
    }
    return r;
}

http::Response PutRules(http::App& app, http::Request& request) {
    auto branch = BranchOf(app, request.Param("code"));
    if (!branch) return Fail(branch.error());
    if (!CoversBranch(*request.principal, kAdminRoles, branch->code)) return Fail(OutsideScope("code"));
    auto body = request.Json();
    if (!body) return Fail(body.error());
    if (!body->is_object()) return Fail(MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "", "invalid_json"));
    auto setup = LoadSetup(*app.db, branch->code);
    if (!setup) return Fail(setup.error());
    BranchSetup next;
    next.hours = setup->hours;
    for (Service s : {Service::kVisit, Service::kRetrieval}) {
        const BookingRule* current = setup->Rule(s);
        if (!body->contains(std::string(ServiceName(s)))) {
            if (current != nullptr) next.rules.push_back(*current);
            continue;
        }
        BookingRule fresh;
        fresh.service = s;
        auto rule = RuleOf(*body, s, current ? *current : fresh);
        if (!rule) return Fail(rule.error());
        next.rules.push_back(*rule);
    }
    if (body->contains("hours")) {
        const json& hours = (*body)["hours"];
        if (!hours.is_array() || hours.size() > 50) {
            return Fail(MakeError(ErrorCode::kInvalidArgument, "hours 应为营业时段列表", "hours", "invalid_hours"));
        }
        next.hours.clear();
        for (std::size_t i = 0; i < hours.size(); ++i) {
            const std::string at = fmt::format("hours[{}]", i);
            const json& h = hours[i];
            if (!h.is_object() || !h.value("weekday", json()).is_number_integer()) {
                return Fail(MakeError(ErrorCode::kInvalidArgument, "星期应为 1 至 7", at + ".weekday", "invalid_weekday"));
            }
            std::optional<int> opens, closes;
            if (h.value("opens", json()).is_string()) opens = ParseMinute(h["opens"].get<std::string>());
            if (h.value("closes", json()).is_string()) closes = ParseMinute(h["closes"].get<std::string>());
            if (!opens) return Fail(MakeError(ErrorCode::kInvalidArgument, "时间应为 HH:MM", at + ".opens", "invalid_hours"));
            if (!closes) return Fail(MakeError(ErrorCode::kInvalidArgument, "时间应为 HH:MM", at + ".closes", "invalid_hours"));
            const int weekday = static_cast<int>(std::clamp<std::int64_t>(h["weekday"].get<std::int64_t>(), 0, 8));
            next.hours[weekday].push_back({*opens, *closes});
        }
        // Validate in the order given, so the error names the index the client sent.
        std::vector<std::pair<int, Interval>> flat;
        for (const json& h : hours) {
            flat.emplace_back(static_cast<int>(std::clamp<std::int64_t>(h["weekday"].get<std::int64_t>(), 0, 8)),
                              Interval{*ParseMinute(h["opens"].get<std::string>()), *ParseMinute(h["closes"].get<std::string>())});
        }
        if (Status s = ValidateHours(flat); !s) return Fail(s.error());
        for (auto& [weekday, list] : next.hours) {
            std::sort(list.begin(), list.end(), [](const Interval& a, const Interval& b) { return a.opens < b.opens; });
        }
    }
    Status saved = app.db->Transaction([&](db::Connection& conn) {
        return SaveSetup(conn, *app.clock, branch->code, next, request.principal->subject_id);
    });
    if (!saved) return Fail(saved.error());
    if (Status s = Audit(app, request, "booking_rules.update", "", "branch:" + branch->code, *body); !s) {
        return Fail(s.error());
    }
    auto now = LoadSetup(*app.db, branch->code);
    if (!now) return Fail(now.error());
    return http::Response::Json(RulesJson(*now));
}

http::Response ListCalendarDays(http::App& app, http::Request& request) {
    const std::string branch = request.QueryParam("branch_code").value_or("");
    auto from = core::ParseDate(request.QueryParam("from").value_or(""));
    auto to = core::ParseDate(request.QueryParam("to").value_or(""));
    const Date today = core::BusinessDate(app.clock->Now());
    const Date first = from.value_or(Date(std::chrono::sys_days(today) - std::chrono::days(31)));
    const Date last = to.value_or(Date(std::chrono::sys_days(today) + std::chrono::days(400)));
    auto days = CalendarDaysBetween(*app.db, branch, first, last);
    if (!days) return Fail(days.error());
    json out = json::array();
    for (const CalendarDay& d : *days) out.push_back(CalendarDayJson(d));
    return http::Response::Json({{"days", std::move(out)}});
}

// Who may edit the entries of `scope`: a branch's by its admins; the shared ones by a system
// admin or a branch admin whose grant reaches a whole city (4 digits or fewer).
bool MayEditScope(const http::Principal& p, const std::string& scope) {
    for (const http::Grant& g : p.grants) {
        if (g.role == "system_admin") return true;
        if (g.role != "branch_admin") continue;
        if (scope.empty() ? g.scope.size() <= 4 : g.Covers(scope)) return true;
    }
    return false;
}

Result<std::pair<std::string, Date>> ScopeAndDate(http::App& app, const http::Request& request, const std::string& scope) {
    auto date = core::ParseDate(request.Param("date"));
    if (!date) return MakeError(ErrorCode::kInvalidArgument, "日期应为 YYYY-MM-DD", "date", "invalid_date");
    if (!scope.empty()) {
        auto branch = BranchOf(app, scope, "scope");
        if (!branch) return branch.error();
    }
    if (!MayEditScope(*request.principal, scope)) {
        return MakeError(ErrorCode::kForbidden,
                         scope.empty() ? "全市通用的节假日只能由系统管理员或市级网点管理员修改" : "该网点不在您的管辖范围内",
                         "scope", "forbidden");
    }
    return std::pair{scope, *date};
}

http::Response PutDay(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto scope = http::TextMember(*body, "scope", 20);
    if (!scope) return Fail(scope.error());
    auto where = ScopeAndDate(app, request, *scope);
    if (!where) return Fail(where.error());
    auto kind = http::TextMember(*body, "kind", 20);
    if (!kind) return Fail(kind.error());
    if (*kind != "holiday" && *kind != "workday") {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "类型应为 holiday（休息）或 workday（调休上班）", "kind", "invalid_kind"));
    }
    auto name = http::TextMember(*body, "name", 90);
    if (!name) return Fail(name.error());
    const std::string trimmed(core::TrimSpaces(*name));
    if (trimmed.empty()) return Fail(MakeError(ErrorCode::kInvalidArgument, "请填写名称，例如“元旦”或“调休上班”", "name", "name_required"));
    const CalendarDay day{where->first, where->second, *kind == "holiday", trimmed};
    Status saved = app.db->Transaction(
        [&](db::Connection& conn) { return PutCalendarDay(conn, *app.clock, day, request.principal->subject_id); });
    if (!saved) return Fail(saved.error());
    if (Status s = Audit(app, request, "calendar_day.put", "", "calendar:" + day.scope + "/" + core::FormatDate(day.date),
                         CalendarDayJson(day));
        !s) {
        return Fail(s.error());
    }
    return http::Response::Json({{"day", CalendarDayJson(day)}});
}

http::Response DeleteDay(http::App& app, http::Request& request) {
    auto where = ScopeAndDate(app, request, request.QueryParam("scope").value_or(""));
    if (!where) return Fail(where.error());
    bool deleted = false;
    Status done = app.db->Transaction([&](db::Connection& conn) -> Status {
        auto d = DeleteCalendarDay(conn, where->first, where->second);
        if (!d) return d.error();
        deleted = *d;
        return Ok();
    });
    if (!done) return Fail(done.error());
    if (!deleted) return Fail(MakeError(ErrorCode::kNotFound, "没有这一天的设置", "date", "calendar_day_not_found"));
    if (Status s = Audit(app, request, "calendar_day.delete", "",
                         "calendar:" + where->first + "/" + core::FormatDate(where->second));
        !s) {
        return Fail(s.error());
    }
    http::Response r;
    r.status = 204;
    return r;
}

}  // namespace

void RegisterSettingsRoutes(http::App& app) {
    auto route = [&app](http::Method method, const char* path, http::Access access, http::AppHandler handler) {
        http::AddRoute(app, method, path, std::move(access), handler);
    };
    using M = http::Method;
    route(M::kGet, "/api/v1/branches/:code/booking-rules", http::Access::Roles({"window_clerk", "branch_admin", "system_admin"}),
          GetRules);
    route(M::kPut, "/api/v1/branches/:code/booking-rules", http::Access::Roles({"branch_admin", "system_admin"}), PutRules);
    route(M::kGet, "/api/v1/calendar/days", http::Access::Public(), ListCalendarDays);
    route(M::kPut, "/api/v1/calendar/days/:date", http::Access::Roles({"branch_admin", "system_admin"}), PutDay);
    route(M::kDelete, "/api/v1/calendar/days/:date", http::Access::Roles({"branch_admin", "system_admin"}), DeleteDay);
}

}  // namespace dangan::appointments::web
