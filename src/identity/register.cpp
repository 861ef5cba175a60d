// Identity routes owned here: citizen log-in by SMS code and the session routes. Staff and
// employer accounts add theirs through RegisterAccounts (accounts_routes.cpp).

#include "identity/register.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "audit/register.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"
#include "identity/citizen_login.hpp"
#include "identity/guard.hpp"
#include "identity/session_user.hpp"
#include "identity/sessions.hpp"
#include "notify/sender.hpp"

namespace dangan::identity {

namespace {

using nlohmann::json;

const http::Access kAnyLoggedIn = http::Access::Roles({"citizen", "employer_user", "staff"});

http::Response Refused(const Refusal& refusal) {
    if (refusal.error.code == ErrorCode::kTooManyRequests) {
        return RetryAfterResponse(refusal.error, refusal.retry_after_seconds);
    }
    return http::Response::FromError(refusal.error);
}

Status AuditLoginFailed(http::App& app, const http::Request& request, const Refusal& refusal) {
    if (refusal.person_id.empty()) return Ok();
    audit::Entry entry = audit::EntryFor(request, "login_failed");
    entry.subject_person_id = refusal.person_id;
    entry.target = "citizen_login";
    entry.detail_json = json{{"reason", refusal.error.reason}}.dump();
    return audit::Record(app, std::move(entry));
}

http::Response RequestCode(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return http::Response::FromError(body.error());
    auto id_number = http::TextMember(*body, "id_number");
    if (!id_number) return http::Response::FromError(id_number.error());
    auto mobile = http::TextMember(*body, "mobile");
    if (!mobile) return http::Response::FromError(mobile.error());
    auto answer =
        RequestCitizenCode(*app.db, app.keyring, *app.clock, app.config, *id_number, *mobile, request.remote_address);
    if (auto* refusal = std::get_if<Refusal>(&answer)) {
        if (Status s = AuditLoginFailed(app, request, *refusal); !s) return http::Response::FromError(s.error());
        return Refused(*refusal);
    }
    const CodeSent& sent = std::get<CodeSent>(answer);
    if (app.sms_sender) app.sms_sender->Wake();
    return http::Response::Json({{"challenge_id", sent.challenge_id},
                                 {"expires_in", kOtpValidMs / 1000},
                                 {"resend_after", kOtpResendMs / 1000},
                                 {"sent_to", sent.masked_mobile}});
}

http::Response Login(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return http::Response::FromError(body.error());
    auto challenge_id = http::TextMember(*body, "challenge_id");
    if (!challenge_id) return http::Response::FromError(challenge_id.error());
    auto code = http::TextMember(*body, "code");
    if (!code) return http::Response::FromError(code.error());
    auto answer = VerifyCitizenCode(*app.db, app.keyring, *app.clock, *challenge_id, *code);
    if (auto* refusal = std::get_if<Refusal>(&answer)) {
        if (Status s = AuditLoginFailed(app, request, *refusal); !s) return http::Response::FromError(s.error());
        return Refused(*refusal);
    }
    const archives::Person& person = std::get<archives::Person>(answer);
    SessionStore store(*app.db, *app.clock, app.config);
    auto issued = store.Create(http::Principal::Kind::kCitizen, person.id, request);
    if (!issued) return http::Response::FromError(issued.error());
    audit::Entry entry = audit::EntryFor(request, "login");
    entry.actor_kind = "citizen";
    entry.actor_id = person.id;
    entry.subject_person_id = person.id;
    entry.target = "session:" + issued->session_id;
    if (Status s = audit::Record(app, std::move(entry)); !s) {
        (void)store.Revoke(issued->token);
        return http::Response::FromError(s.error());
    }
    return LoginResponse(CitizenUserJson(person), *issued, app.config);
}

http::Response GetSession(http::App& app, http::Request& request) {
    const http::Principal& principal = *request.principal;
    auto user = SessionUserJson(app, principal);
    if (!user) return http::Response::FromError(user.error());
    IssuedSession current;
    current.session_id = principal.session_id;
    current.csrf_token = principal.csrf_token;
    return LoginResponse(*user, current, app.config);
}

http::Response Logout(http::App& app, http::Request& request, bool everywhere) {
    const http::Principal& principal = *request.principal;
    SessionStore store(*app.db, *app.clock, app.config);
    Status revoked = everywhere ? store.RevokeAll(principal.kind, principal.subject_id)
                                : store.Revoke(request.Cookie(kSessionCookie).value_or(""));
    if (!revoked) return http::Response::FromError(revoked.error());
    audit::Entry entry = audit::EntryFor(request, "logout");
    entry.target = "session:" + principal.session_id;
    if (everywhere) entry.detail_json = R"({"everywhere":true})";
    if (Status s = audit::Record(app, std::move(entry)); !s) return http::Response::FromError(s.error());
    http::Response r;
    r.status = 204;
    r.Header("Set-Cookie", ClearSessionCookieHeader(app.config));
    r.Header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void Register(http::App& app) {
    app.guard = std::make_unique<SessionGuard>(app);
    http::App* a = &app;
    app.router.Add(http::Method::kPost, "/api/v1/auth/citizen/code", http::Access::Public(),
                   [a](http::Request& r) { return RequestCode(*a, r); });
    app.router.Add(http::Method::kPost, "/api/v1/auth/citizen/login", http::Access::Public(),
                   [a](http::Request& r) { return Login(*a, r); });
    app.router.Add(http::Method::kGet, "/api/v1/session", kAnyLoggedIn,
                   [a](http::Request& r) { return GetSession(*a, r); });
    app.router.Add(http::Method::kPost, "/api/v1/auth/logout", kAnyLoggedIn,
                   [a](http::Request& r) { return Logout(*a, r, false); });
    app.router.Add(http::Method::kPost, "/api/v1/auth/logout-all", kAnyLoggedIn,
                   [a](http::Request& r) { return Logout(*a, r, true); });
    RegisterAccounts(app);
}

}  // namespace dangan::identity
