// Routes of staff and employer accounts (docs/api-identity.md "Staff", "Employers", "Staff
// administration"). Each handler parses the body, calls accounts.hpp, serialises.

#include <nlohmann/json.hpp>

#include "http/app.hpp"
#include "identity/accounts.hpp"
#include "identity/register.hpp"

namespace dangan::identity {
namespace {

using nlohmann::json;


Result<json> ObjectBody(const http::Request& request) {
    auto body = request.Json();
    if (!body) return body.error();
    if (!body->is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "body", "invalid_body");
    }
    return body;
}

Result<std::optional<std::string>> OptionalText(const json& body, const char* name) {
    if (!body.contains(name) || body[name].is_null()) return std::optional<std::string>();
    auto text = http::TextMember(body, name);
    if (!text) return text.error();
    return std::optional<std::string>(std::move(*text));
}

Result<std::optional<bool>> OptionalBool(const json& body, const char* name) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::optional<bool>();
    if (!it->is_boolean()) {
        return MakeError(ErrorCode::kInvalidArgument, std::string("字段 ") + name + " 应为 true 或 false", name,
                         "invalid_field");
    }
    return std::optional<bool>(it->get<bool>());
}

Result<std::vector<http::Grant>> Grants(const json& body) {
    auto it = body.find("grants");
    if (it == body.end() || !it->is_array()) {
        return MakeError(ErrorCode::kInvalidArgument, "grants 应为角色与范围的列表", "grants", "invalid_grants");
    }
    std::vector<http::Grant> out;
    for (const auto& g : *it) {
        if (!g.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, "grants 的每一项应为 {role, scope}", "grants",
                             "invalid_grants");
        }
        auto role = http::TextMember(g, "role");
        if (!role) return role.error();
        auto scope = http::TextMember(g, "scope");
        if (!scope) return scope.error();
        out.push_back(http::Grant{*role, *scope});
    }
    return out;
}

http::Response Refused(const Refusal& refusal) {
    if (refusal.retry_after_seconds > 0) return RetryAfterResponse(refusal.error, refusal.retry_after_seconds);
    return http::Response::FromError(refusal.error);
}

http::Response LoggedInResponse(http::App& app, const LoggedIn& in) {
    return LoginResponse(LoggedInUserJson(in), in.session, app.config);
}

#define DANGAN_PARSE(var, expr) \
    auto var = (expr);          \
    if (!var) return http::Response::FromError(var.error())

http::Response StaffLoginHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(body, ObjectBody(request));
    DANGAN_PARSE(username, http::TextMember(*body, "username"));
    DANGAN_PARSE(password, http::TextMember(*body, "password"));
    DANGAN_PARSE(totp, http::TextMember(*body, "totp"));
    auto answer = StaffLogin(app, StaffLoginInput{*username, *password, *totp}, request);
    if (auto* refusal = std::get_if<Refusal>(&answer)) return Refused(*refusal);
    auto& step = std::get<StaffLoginStep>(answer);
    if (auto* in = std::get_if<LoggedIn>(&step)) return LoggedInResponse(app, *in);
    const auto& enrol = std::get<TotpEnrolment>(step);
    http::Response r = http::Response::Json({{"step", "enrol_totp"},
                                             {"enrolment_token", enrol.enrolment_token},
                                             {"otpauth_uri", enrol.otpauth_uri},
                                             {"qr_svg", enrol.qr_svg}});
    r.Header("Cache-Control", "no-store");
    return r;
}

http::Response StaffTotpHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(body, ObjectBody(request));
    DANGAN_PARSE(token, http::TextMember(*body, "enrolment_token"));
    DANGAN_PARSE(totp, http::TextMember(*body, "totp"));
    auto answer = EnrolTotp(app, *token, *totp, request);
    if (auto* refusal = std::get_if<Refusal>(&answer)) return Refused(*refusal);
    return LoggedInResponse(app, std::get<LoggedIn>(answer));
}

http::Response EmployerLoginHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(body, ObjectBody(request));
    DANGAN_PARSE(credit_code, http::TextMember(*body, "credit_code"));
    DANGAN_PARSE(username, http::TextMember(*body, "username"));
    DANGAN_PARSE(password, http::TextMember(*body, "password"));
    auto answer = EmployerLogin(app, EmployerLoginInput{*credit_code, *username, *password}, request);
    if (auto* refusal = std::get_if<Refusal>(&answer)) return Refused(*refusal);
    return LoggedInResponse(app, std::get<LoggedIn>(answer));
}

Result<EmployerApplication> ParseApplication(const http::Request& request) {
    auto body = ObjectBody(request);
    if (!body) return body.error();
    EmployerApplication a;
    for (auto [name, target] :
         {std::pair{"credit_code", &a.credit_code}, std::pair{"name", &a.name}, std::pair{"username", &a.username},
          std::pair{"password", &a.password}, std::pair{"display_name", &a.display_name}}) {
        auto text = http::TextMember(*body, name);
        if (!text) return text.error();
        *target = std::move(*text);
    }
    return a;
}

http::Response EmployerCreated(const Result<EmployerRow>& created) {
    if (!created) return http::Response::FromError(created.error());
    return http::Response::Json(EmployerJson(*created), 201);
}

http::Response ApplyHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(application, ParseApplication(request));
    auto created = ApplyEmployer(app, *application, request);
    if (!created) return http::Response::FromError(created.error());
    return http::Response::Json({{"id", created->id}, {"status", created->status}}, 201);
}

http::Response CreateEmployerHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(application, ParseApplication(request));
    return EmployerCreated(CreateEmployer(app, *application, request));
}

http::Response ApproveHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(approved, ApproveEmployer(app, request.Param("id"), request));
    return http::Response::Json(EmployerJson(*approved));
}

http::Response ListEmployersHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(employers, ListEmployers(app, *request.principal, request.QueryParam("status")));
    json items = json::array();
    for (const auto& e : *employers) items.push_back(EmployerJson(e));
    return http::Response::Json({{"items", std::move(items)}});
}

http::Response ListUsersHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(users, ListUsers(app, *request.principal));
    const std::int64_t now = NowMillis(*app.clock);
    json items = json::array();
    for (const auto& u : *users) items.push_back(AdminUserJson(u, now));
    return http::Response::Json({{"items", std::move(items)}});
}

http::Response CreateUserHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(body, ObjectBody(request));
    NewUser input;
    DANGAN_PARSE(username, http::TextMember(*body, "username"));
    DANGAN_PARSE(display_name, http::TextMember(*body, "display_name"));
    DANGAN_PARSE(password, http::TextMember(*body, "password"));
    DANGAN_PARSE(grants, Grants(*body));
    input.username = *username;
    input.display_name = *display_name;
    input.password = *password;
    input.grants = *grants;
    DANGAN_PARSE(created, CreateUser(app, input, &request));
    return http::Response::Json(AdminUserJson(*created, NowMillis(*app.clock)), 201);
}

http::Response UpdateUserHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(body, ObjectBody(request));
    UserPatch patch;
    DANGAN_PARSE(display_name, OptionalText(*body, "display_name"));
    DANGAN_PARSE(password, OptionalText(*body, "password"));
    DANGAN_PARSE(disabled, OptionalBool(*body, "disabled"));
    DANGAN_PARSE(reset_totp, OptionalBool(*body, "reset_totp"));
    patch.display_name = *display_name;
    patch.password = *password;
    patch.disabled = *disabled;
    patch.reset_totp = reset_totp->value_or(false);
    if (body->contains("grants") && !(*body)["grants"].is_null()) {
        DANGAN_PARSE(grants, Grants(*body));
        patch.grants = *grants;
    }
    DANGAN_PARSE(updated, UpdateUser(app, request.Param("id"), patch, request));
    return http::Response::Json(AdminUserJson(*updated, NowMillis(*app.clock)));
}

http::Response UnlockHandler(http::App& app, http::Request& request) {
    DANGAN_PARSE(unlocked, UnlockUser(app, request.Param("id"), request));
    return http::Response::Json(AdminUserJson(*unlocked, NowMillis(*app.clock)));
}

#undef DANGAN_PARSE

}  // namespace

void RegisterAccounts(http::App& app) {
    using http::Access;
    using http::Method;
    auto route = [&app](Method method, const char* pattern, Access access, http::AppHandler fn) {
        http::AddRoute(app, method, pattern, std::move(access), fn);
    };
    const Access admins = Access::Roles({"system_admin"});
    const Access employer_admins = Access::Roles({"system_admin", "branch_admin"});
    route(Method::kPost, "/api/v1/auth/staff/login", Access::Public(), StaffLoginHandler);
    route(Method::kPost, "/api/v1/auth/staff/totp", Access::Public(), StaffTotpHandler);
    route(Method::kPost, "/api/v1/auth/employer/login", Access::Public(), EmployerLoginHandler);
    route(Method::kPost, "/api/v1/employers/applications", Access::Public(), ApplyHandler);
    route(Method::kGet, "/api/v1/employers", Access::Roles({"staff"}), ListEmployersHandler);
    route(Method::kPost, "/api/v1/employers", employer_admins, CreateEmployerHandler);
    route(Method::kPost, "/api/v1/employers/:id/approve", employer_admins, ApproveHandler);
    route(Method::kGet, "/api/v1/users", admins, ListUsersHandler);
    route(Method::kPost, "/api/v1/users", admins, CreateUserHandler);
    route(Method::kPatch, "/api/v1/users/:id", admins, UpdateUserHandler);
    route(Method::kPost, "/api/v1/users/:id/unlock", admins, UnlockHandler);
}

}  // namespace dangan::identity
