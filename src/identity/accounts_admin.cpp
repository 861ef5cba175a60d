// Employer applications and approval, and staff administration.

#include <nlohmann/json.hpp>

#include "core/ids.hpp"
#include "core/validators.hpp"
#include "identity/accounts.hpp"
#include "identity/accounts_internal.hpp"
#include "identity/passwords.hpp"

namespace dangan::identity {
namespace {

const std::vector<std::string> kUserAdminRoles{"system_admin"};
const std::vector<std::string> kEmployerAdminRoles{"system_admin", "branch_admin"};

Error OutsideScope(std::string message, std::string field = {}) {
    return MakeError(ErrorCode::kForbidden, std::move(message), std::move(field), "outside_scope");
}

Error UserNotFound() { return MakeError(ErrorCode::kNotFound, "未找到该用户", "", "user_not_found"); }

nlohmann::json GrantsJson(const std::vector<http::Grant>& grants) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& g : grants) out.push_back({{"role", g.role}, {"scope", g.scope}});
    return out;
}

std::string IsoTime(std::int64_t ms) { return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(ms))); }

Status ValidateGrants(const std::vector<http::Grant>& grants) {
    if (grants.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请至少授予一个角色", "grants", "invalid_grants");
    }
    if (grants.size() > 20) {
        return MakeError(ErrorCode::kInvalidArgument, "一次最多授予 20 个角色", "grants", "invalid_grants");
    }
    for (const auto& g : grants) DANGAN_TRY(ValidateGrant(g));
    return Ok();
}

// The validated employer, its first user and the password hash, ready to insert.
struct EmployerDraft {
    EmployerRow employer;
    UserRow user;
    std::string password_hash;
};

Result<EmployerDraft> DraftEmployer(http::App& app, const EmployerApplication& input) {
    auto code = core::ValidateCreditCode(input.credit_code);
    if (!code) return code.error();
    const std::string region = code->substr(2, 6);
    if (region.find_first_not_of("0123456789") != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument, "统一社会信用代码第 3 至 8 位应为登记机关的行政区划代码",
                         "credit_code", "invalid_credit_code");
    }
    std::string name(input.name);
    auto name_ok = ValidateDisplayName(name);
    if (!name_ok) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写正确的单位名称（最多 40 个字）", "name", "invalid_name");
    }
    auto username = ValidateUsername(input.username);
    if (!username) return username.error();
    auto display = ValidateDisplayName(input.display_name.empty() ? *username : input.display_name);
    if (!display) return display.error();
    DANGAN_TRY(CheckPasswordRules(input.password, *username));
    auto hash = HashPassword(input.password, ParamsFrom(app.config));
    if (!hash) return hash.error();

    EmployerDraft d;
    const std::int64_t now = NowMillis(*app.clock);
    d.employer.id = core::NewId(*app.clock);
    d.employer.credit_code = *code;
    d.employer.name = *name_ok;
    d.employer.status = "pending";
    d.employer.region_code = region;
    d.employer.created_at_ms = now;
    d.user.id = core::NewId(*app.clock);
    d.user.kind = "employer";
    d.user.employer_id = d.employer.id;
    d.user.username = *username;
    d.user.display_name = *display;
    d.password_hash = std::move(*hash);
    return d;
}

Status InsertEmployerDraft(http::App& app, const EmployerDraft& d) {
    const std::int64_t now = NowMillis(*app.clock);
    return app.db->Transaction([&](db::Connection& conn) -> Status {
        DANGAN_TRY(AccountStore::InsertEmployer(conn, d.employer));
        return AccountStore::InsertUser(conn, d.user, d.password_hash, now);
    });
}

Status AuditEmployer(http::App& app, const http::Request& request, const char* action, const EmployerRow& e) {
    audit::Entry entry = audit::EntryFor(request, action);
    entry.target = "employer:" + e.id;
    entry.detail_json = DetailJson({{"credit_code", e.credit_code}, {"name", e.name}, {"status", e.status}});
    return audit::Record(app, std::move(entry));
}

// The target of an administrator's change, which must be a staff user they can see.
Result<UserRow> VisibleUser(AccountStore& store, const std::vector<std::string>& scopes, const std::string& id) {
    auto found = store.UserById(id);
    if (!found) return found.error();
    if (!*found || (*found)->kind != "staff") return UserNotFound();
    if (!GrantsInside(scopes, (*found)->grants)) {
        return OutsideScope("该用户的权限超出您的管辖范围，无法修改");
    }
    return std::move(**found);
}

Result<UserRow> Reload(AccountStore& store, const std::string& id) {
    auto found = store.UserById(id);
    if (!found) return found.error();
    if (!*found) return UserNotFound();
    return std::move(**found);
}

}  // namespace

// ---- JSON ----

nlohmann::json LoggedInUserJson(const LoggedIn& in) {
    return in.employer ? EmployerUserJson(in.user, *in.employer) : StaffUserJson(in.user);
}

nlohmann::json StaffUserJson(const UserRow& user) {
    return {{"kind", "staff"},
            {"id", user.id},
            {"username", user.username},
            {"display_name", user.display_name},
            {"grants", GrantsJson(user.grants)}};
}

nlohmann::json EmployerUserJson(const UserRow& user, const EmployerRow& employer) {
    return {{"kind", "employer"},
            {"id", user.id},
            {"username", user.username},
            {"display_name", user.display_name},
            {"employer", {{"id", employer.id}, {"name", employer.name}, {"credit_code", employer.credit_code}}}};
}

nlohmann::json AdminUserJson(const UserRow& user, std::int64_t now_ms) {
    return {{"id", user.id},
            {"username", user.username},
            {"display_name", user.display_name},
            {"grants", GrantsJson(user.grants)},
            {"totp_enrolled", user.totp_enrolled},
            {"locked", IsLocked(user.lock, now_ms)},
            {"disabled", user.disabled}};
}

nlohmann::json EmployerJson(const EmployerRow& e) {
    return {{"id", e.id},
            {"credit_code", e.credit_code},
            {"name", e.name},
            {"status", e.status},
            {"region_code", e.region_code},
            {"created_at", IsoTime(e.created_at_ms)},
            {"approved_at", e.approved_at_ms ? nlohmann::json(IsoTime(*e.approved_at_ms)) : nlohmann::json()}};
}

// ---- Employers ----

Result<EmployerRow> ApplyEmployer(http::App& app, const EmployerApplication& input, const http::Request& request) {
    auto draft = DraftEmployer(app, input);
    if (!draft) return draft.error();
    DANGAN_TRY(InsertEmployerDraft(app, *draft));
    DANGAN_TRY(AuditEmployer(app, request, "employer.create", draft->employer));
    return draft->employer;
}

Result<EmployerRow> CreateEmployer(http::App& app, const EmployerApplication& input, const http::Request& request) {
    auto draft = DraftEmployer(app, input);
    if (!draft) return draft.error();
    const auto scopes = ScopesOfRoles(*request.principal, kEmployerAdminRoles);
    if (!InsideScopes(scopes, draft->employer.region_code)) {
        return OutsideScope("该单位的登记地不在您的管辖范围内", "credit_code");
    }
    draft->employer.status = "approved";
    draft->employer.approved_by = request.principal->subject_id;
    draft->employer.approved_at_ms = draft->employer.created_at_ms;
    DANGAN_TRY(InsertEmployerDraft(app, *draft));
    DANGAN_TRY(AuditEmployer(app, request, "employer.create", draft->employer));
    return draft->employer;
}

Result<EmployerRow> ApproveEmployer(http::App& app, const std::string& employer_id, const http::Request& request) {
    AccountStore store(*app.db);
    auto found = store.EmployerById(employer_id);
    if (!found) return found.error();
    if (!*found) return MakeError(ErrorCode::kNotFound, "未找到该单位", "", "employer_not_found");
    const auto scopes = ScopesOfRoles(*request.principal, kEmployerAdminRoles);
    if (!InsideScopes(scopes, (*found)->region_code)) return OutsideScope("该单位的登记地不在您的管辖范围内");
    if ((*found)->status == "approved") return std::move(**found);
    auto approved = store.ApproveEmployer(employer_id, request.principal->subject_id, NowMillis(*app.clock));
    if (!approved) return approved.error();
    if (!*approved) {
        return MakeError(ErrorCode::kConflict, "该单位的申请状态已变化，请刷新后再试", "", "employer_not_pending");
    }
    auto reloaded = store.EmployerById(employer_id);
    if (!reloaded) return reloaded.error();
    if (!*reloaded) return MakeError(ErrorCode::kNotFound, "未找到该单位", "", "employer_not_found");
    DANGAN_TRY(AuditEmployer(app, request, "employer.approve", **reloaded));
    return std::move(**reloaded);
}

Result<std::vector<EmployerRow>> ListEmployers(http::App& app, const http::Principal& principal,
                                               const std::optional<std::string>& status) {
    if (status && *status != "pending" && *status != "approved" && *status != "rejected") {
        return MakeError(ErrorCode::kInvalidArgument, "状态应为 pending、approved 或 rejected", "status",
                         "invalid_status");
    }
    AccountStore store(*app.db);
    auto all = store.Employers(status);
    if (!all) return all.error();
    std::vector<std::string> scopes;
    for (const auto& g : principal.grants) scopes.push_back(g.scope);
    std::vector<EmployerRow> out;
    for (auto& e : *all) {
        if (InsideScopes(scopes, e.region_code)) out.push_back(std::move(e));
    }
    return out;
}

// ---- Staff administration ----

Result<UserRow> CreateUser(http::App& app, const NewUser& input, const http::Request* request) {
    auto username = ValidateUsername(input.username);
    if (!username) return username.error();
    auto display = ValidateDisplayName(input.display_name.empty() ? *username : input.display_name);
    if (!display) return display.error();
    DANGAN_TRY(ValidateGrants(input.grants));
    if (request != nullptr && !GrantsInside(ScopesOfRoles(*request->principal, kUserAdminRoles), input.grants)) {
        return OutsideScope("只能授予您管辖范围内的权限", "grants");
    }
    DANGAN_TRY(CheckPasswordRules(input.password, *username));
    auto hash = HashPassword(input.password, ParamsFrom(app.config));
    if (!hash) return hash.error();

    UserRow user;
    user.id = core::NewId(*app.clock);
    user.kind = "staff";
    user.username = *username;
    user.display_name = *display;
    user.grants = input.grants;
    const std::int64_t now = NowMillis(*app.clock);
    DANGAN_TRY(
        app.db->Transaction([&](db::Connection& conn) { return AccountStore::InsertUser(conn, user, *hash, now); }));
    audit::Entry entry = ChangeEntry(request, "user.create");
    entry.target = "user:" + user.id;
    entry.detail_json = DetailJson({{"username", user.username}, {"grants", GrantsJson(user.grants)}});
    DANGAN_TRY(audit::Record(app, std::move(entry)));
    AccountStore store(*app.db);
    return Reload(store, user.id);
}

Result<std::vector<UserRow>> ListUsers(http::App& app, const http::Principal& principal) {
    AccountStore store(*app.db);
    auto all = store.AllStaff();
    if (!all) return all.error();
    const auto scopes = ScopesOfRoles(principal, kUserAdminRoles);
    std::vector<UserRow> out;
    for (auto& u : *all) {
        if (GrantsInside(scopes, u.grants)) out.push_back(std::move(u));
    }
    return out;
}

Result<UserRow> UpdateUser(http::App& app, const std::string& user_id, const UserPatch& patch,
                           const http::Request& request) {
    const auto scopes = ScopesOfRoles(*request.principal, kUserAdminRoles);
    AccountStore store(*app.db);
    auto target = VisibleUser(store, scopes, user_id);
    if (!target) return target.error();
    std::optional<std::string> display;
    if (patch.display_name) {
        auto d = ValidateDisplayName(*patch.display_name);
        if (!d) return d.error();
        display = *d;
    }
    if (patch.grants) {
        DANGAN_TRY(ValidateGrants(*patch.grants));
        if (!GrantsInside(scopes, *patch.grants)) return OutsideScope("只能授予您管辖范围内的权限", "grants");
    }
    if (patch.disabled && *patch.disabled && user_id == request.principal->subject_id) {
        return MakeError(ErrorCode::kUnprocessable, "不能停用自己的账号", "disabled", "cannot_disable_self");
    }
    std::optional<std::string> hash;
    if (patch.password) {
        DANGAN_TRY(CheckPasswordRules(*patch.password, target->username));
        auto h = HashPassword(*patch.password, ParamsFrom(app.config));
        if (!h) return h.error();
        hash = std::move(*h);
    }
    const std::int64_t now = NowMillis(*app.clock);
    DANGAN_TRY(app.db->Transaction([&](db::Connection& conn) -> Status {
        DANGAN_TRY(AccountStore::UpdateProfile(conn, user_id, display, patch.disabled));
        if (patch.grants) DANGAN_TRY(AccountStore::ReplaceGrants(conn, user_id, *patch.grants));
        if (patch.reset_totp) DANGAN_TRY(AccountStore::ResetTotp(conn, user_id));
        return Ok();
    }));
    if (hash) DANGAN_TRY(store.SetPasswordHash(user_id, *hash, now));
    if (hash || patch.reset_totp || (patch.disabled && *patch.disabled)) {
        SessionStore sessions(*app.db, *app.clock, app.config);
        DANGAN_TRY(sessions.RevokeAll(http::Principal::Kind::kStaff, user_id));
    }
    nlohmann::json changed = nlohmann::json::object();
    if (display) changed["display_name"] = *display;
    if (patch.grants) changed["grants"] = GrantsJson(*patch.grants);
    if (patch.disabled) changed["disabled"] = *patch.disabled;
    if (hash) changed["password"] = true;  // that it changed, never the value
    if (patch.reset_totp) changed["reset_totp"] = true;
    audit::Entry entry = audit::EntryFor(request, "user.update");
    entry.target = "user:" + user_id;
    entry.detail_json = DetailJson(changed);
    DANGAN_TRY(audit::Record(app, std::move(entry)));
    return Reload(store, user_id);
}

Result<UserRow> UnlockUser(http::App& app, const std::string& user_id, const http::Request& request) {
    AccountStore store(*app.db);
    auto target = VisibleUser(store, ScopesOfRoles(*request.principal, kUserAdminRoles), user_id);
    if (!target) return target.error();
    DANGAN_TRY(store.ClearFailures(user_id));
    audit::Entry entry = audit::EntryFor(request, "user.unlock");
    entry.target = "user:" + user_id;
    DANGAN_TRY(audit::Record(app, std::move(entry)));
    return Reload(store, user_id);
}

}  // namespace dangan::identity

namespace dangan::identity {

Result<std::string> UsernameOf(http::App& app, const std::string& user_id) {
    auto rs = app.db->Query("SELECT username FROM users WHERE id = ?", {user_id});
    if (!rs) return rs.error();
    return rs->empty() ? user_id : rs->rows.front().Text(0);
}

}  // namespace dangan::identity
