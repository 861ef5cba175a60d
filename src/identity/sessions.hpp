#pragma once

// Sessions: a random 256-bit token in an HttpOnly, SameSite=Lax cookie ("dangan_session",
// Secure when security.cookie_secure); only SM3(token) is stored, with the subject, a CSRF
// token, the idle and absolute deadlines (sessions.*), and a revoked flag. Logging in
// always creates a new token and revokes the one the browser presented (no fixation).

#include <cstdint>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "http/auth.hpp"
#include "http/message.hpp"

namespace dangan::identity {

inline constexpr const char* kSessionCookie = "dangan_session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";  // lower-case, as Request::Header wants

struct IssuedSession {
    std::string token;  // goes into the cookie only; never stored
    std::string session_id;
    std::string csrf_token;  // returned to the front end, sent back in X-CSRF-Token
};

struct SessionRow {
    std::string id;
    http::Principal::Kind kind = http::Principal::Kind::kCitizen;
    std::string subject_id;
    std::string csrf_token;
};

class SessionStore {
public:
    SessionStore(db::Database& db, const core::Clock& clock, const core::Config& config)
        : db_(db), clock_(clock), config_(config) {}

    // Creates a session for `subject_id` after a successful log-in, revoking the session of
    // `request`'s cookie if any (session fixation).
    Result<IssuedSession> Create(http::Principal::Kind kind, const std::string& subject_id,
                                 const http::Request& request);

    // The live session of `token`: not revoked, not idle longer than the kind's idle limit,
    // not past its absolute end. Refreshes last-seen (at most once a minute). nullopt when
    // none — including forged, truncated or unknown tokens.
    Result<std::optional<SessionRow>> Lookup(const std::string& token);

    Status Revoke(const std::string& token);
    // Logout everywhere: every session of this subject.
    Status RevokeAll(http::Principal::Kind kind, const std::string& subject_id);

private:
    db::Database& db_;
    const core::Clock& clock_;
    const core::Config& config_;
};

// Set-Cookie values: the session cookie, and one that clears it.
std::string SessionCookieHeader(const IssuedSession& session, const core::Config& config);
std::string ClearSessionCookieHeader(const core::Config& config);

// The JSON answer of every successful log-in and of GET /api/v1/session:
// {"user": user_json, "csrf_token": issued.csrf_token}, with the Set-Cookie header when
// `issued.token` is not empty (GET /api/v1/session passes an IssuedSession without a token).
http::Response LoginResponse(const nlohmann::json& user_json, const IssuedSession& issued, const core::Config& config);

// The error answer of a rate limit or lockout: Response::FromError plus "retry_after" (whole
// seconds, at least 1) inside the error object and a Retry-After header.
http::Response RetryAfterResponse(const Error& error, std::int64_t retry_after_seconds);

// Whole seconds from `now_ms` until `until_ms` (Unix milliseconds), rounded up, at least 1:
// the retry_after of a limit that lifts at `until_ms`.
std::int64_t SecondsUntil(std::int64_t now_ms, std::int64_t until_ms);

// Unix milliseconds of the clock's now, as stored in the identity tables.
std::int64_t NowMillis(const core::Clock& clock);

}  // namespace dangan::identity
