#include "identity/guard.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "core/crypto.hpp"
#include "http/app.hpp"
#include "http/router.hpp"

namespace dangan::identity {

namespace {

constexpr std::string_view kSelectPersonName = "SELECT name FROM persons WHERE id = ?";
constexpr std::string_view kSelectUser =
    "SELECT u.kind, u.display_name, u.disabled, u.employer_id, e.status FROM users u "
    "LEFT JOIN employers e ON e.id = u.employer_id WHERE u.id = ?";
constexpr std::string_view kSelectGrants = "SELECT role, scope FROM grants WHERE user_id = ? ORDER BY role, scope";

}  // namespace

bool IsStateChanging(http::Method method) {
    return method == http::Method::kPost || method == http::Method::kPut || method == http::Method::kPatch ||
           method == http::Method::kDelete;
}

AccessDecision DecideAccess(const http::Access& access, http::Method method,
                            const std::optional<http::Principal>& principal,
                            std::optional<std::string_view> csrf_header) {
    if (!access.IsPublic()) {
        if (!principal) return AccessDecision::kUnauthenticated;
        if (!access.Allows(*principal)) return AccessDecision::kForbidden;
    }
    if (principal && IsStateChanging(method)) {
        if (!csrf_header || principal->csrf_token.empty() ||
            !core::ConstantTimeEqual(*csrf_header, principal->csrf_token)) {
            return AccessDecision::kCsrfFailed;
        }
    }
    return AccessDecision::kAllow;
}

Error AccessError(AccessDecision decision) {
    switch (decision) {
        case AccessDecision::kUnauthenticated:
            return MakeError(ErrorCode::kUnauthenticated, "请先登录", "", "unauthenticated");
        case AccessDecision::kForbidden:
            return MakeError(ErrorCode::kForbidden, "您没有权限进行此操作", "", "forbidden");
        case AccessDecision::kCsrfFailed:
            return MakeError(ErrorCode::kForbidden, "页面已过期或请求来源无法确认，请刷新页面后重试", "",
                             "csrf_failed");
        case AccessDecision::kAllow:
            break;
    }
    return MakeError(ErrorCode::kInternal, "服务器内部错误，请稍后再试", "", "internal");
}

std::string MaskName(std::string_view name) {
    if (name.empty()) return {};
    // The first UTF-8 sequence stays; every later character becomes one '*'.
    std::size_t first = 1;
    while (first < name.size() && (static_cast<unsigned char>(name[first]) & 0xC0) == 0x80) ++first;
    std::string out(name.substr(0, first));
    for (std::size_t i = first; i < name.size(); ++i) {
        if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) out += '*';
    }
    return out;
}

Result<std::optional<http::Principal>> PrincipalFor(http::App& app, const SessionRow& session) {
    http::Principal p;
    p.kind = session.kind;
    p.subject_id = session.subject_id;
    p.session_id = session.id;
    p.csrf_token = session.csrf_token;
    if (session.kind == http::Principal::Kind::kCitizen) {
        auto person = app.db->Query(kSelectPersonName, {session.subject_id});
        if (!person) return person.error();
        if (person->empty()) return std::optional<http::Principal>{};
        p.display_name = MaskName(person->rows.front().Text(0));
        return std::optional<http::Principal>(std::move(p));
    }
    auto user = app.db->Query(kSelectUser, {session.subject_id});
    if (!user) return user.error();
    if (user->empty()) return std::optional<http::Principal>{};
    const db::Row& row = user->rows.front();
    if (row.Text(0) != http::KindName(session.kind) || row.Int(2) != 0) return std::optional<http::Principal>{};
    p.display_name = row.Text(1);
    if (session.kind == http::Principal::Kind::kEmployer) {
        if (row.IsNull(3) || row.OptText(4).value_or("") != "approved") return std::optional<http::Principal>{};
        p.employer_id = row.Text(3);
        return std::optional<http::Principal>(std::move(p));
    }
    auto grants = app.db->Query(kSelectGrants, {session.subject_id});
    if (!grants) return grants.error();
    for (const auto& g : grants->rows) p.grants.push_back(http::Grant{g.Text(0), g.Text(1)});
    return std::optional<http::Principal>(std::move(p));
}

Status SessionGuard::Authenticate(http::Request& request) {
    request.principal.reset();
    auto token = request.Cookie(kSessionCookie);
    if (!token || token->empty()) return Ok();
    SessionStore store(*app_.db, *app_.clock, app_.config);
    auto session = store.Lookup(*token);
    if (!session) return session.error();
    if (!*session) return Ok();
    auto principal = PrincipalFor(app_, **session);
    if (!principal) return principal.error();
    request.principal = std::move(*principal);
    return Ok();
}

Status SessionGuard::Authorize(const http::Route& route, const http::Request& request) {
    AccessDecision decision =
        DecideAccess(route.access, request.method, request.principal, request.Header(kCsrfHeader));
    if (decision == AccessDecision::kAllow) return Ok();
    if (decision == AccessDecision::kForbidden) {
        audit::Entry entry = audit::EntryFor(request, "access_denied");
        entry.target = route.Label();
        entry.detail_json =
            nlohmann::json{{"path", request.path}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        if (!app_.audit) {
            spdlog::error("access_denied on {} not audited: no audit log", route.Label());
        } else if (Status s = app_.audit->Record(std::move(entry)); !s) {
            return s;
        }
    }
    return AccessError(decision);
}

}  // namespace dangan::identity
