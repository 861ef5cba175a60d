#pragma once

// The guard every routed request passes (http::Guard, installed by identity::Register):
// Authenticate turns the session cookie into request.principal, Authorize applies the route's
// Access, the CSRF rule and deny-by-default. The decision itself is a plain function
// (DecideAccess) so it is tested without a server or a database.

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/auth.hpp"
#include "http/message.hpp"
#include "identity/sessions.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::identity {

enum class AccessDecision {
    kAllow,
    kUnauthenticated,  // 401: a non-public route without a live session
    kForbidden,        // 403: the principal's roles are not among the route's (audited)
    kCsrfFailed,       // 403: a state-changing request with a session but without its CSRF token
};

// POST, PUT, PATCH and DELETE.
bool IsStateChanging(http::Method method);

// Public routes pass (after the CSRF check when a session is present); otherwise a principal
// is needed, then one of the route's roles, then — for state-changing methods — an
// X-CSRF-Token equal (constant time) to the session's.
AccessDecision DecideAccess(const http::Access& access, http::Method method,
                            const std::optional<http::Principal>& principal,
                            std::optional<std::string_view> csrf_header);

// The error answer of a refusing decision (kAllow is a programming error).
Error AccessError(AccessDecision decision);

// A person's name for logs and display to others: the surname and one '*' per further
// character ("张三丰" → "张**"); a one-character name stays as it is.
std::string MaskName(std::string_view name);

class SessionGuard final : public http::Guard {
public:
    // Borrows `app`, which outlives the guard; reads app.audit at request time, so the audit
    // module may register before or after identity.
    explicit SessionGuard(http::App& app) : app_(app) {}

    Status Authenticate(http::Request& request) override;
    Status Authorize(const http::Route& route, const http::Request& request) override;

private:
    http::App& app_;
};

// The principal for a live session's subject: citizen → the person (masked name); staff →
// the user with their grants; employer → the user and its employer. nullopt when the subject
// no longer qualifies (person or user gone, user disabled, employer not approved).
Result<std::optional<http::Principal>> PrincipalFor(http::App& app, const SessionRow& session);

}  // namespace dangan::identity
