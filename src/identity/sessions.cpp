#include "identity/sessions.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/ids.hpp"

namespace dangan::identity {

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, no padding
constexpr std::size_t kMaxUserAgent = 256;
constexpr std::int64_t kLastSeenGranularityMs = 60'000;

constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (token_hash, id, kind, subject_id, csrf_token, address, user_agent, created_at_ms, "
    "last_seen_at_ms, expires_at_ms, revoked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";
constexpr std::string_view kSelectSession =
    "SELECT id, kind, subject_id, csrf_token, last_seen_at_ms, expires_at_ms, revoked FROM sessions "
    "WHERE token_hash = ?";
constexpr std::string_view kTouchSession =
    "UPDATE sessions SET last_seen_at_ms = ? WHERE token_hash = ? AND revoked = 0 AND last_seen_at_ms < ?";
constexpr std::string_view kRevokeSession = "UPDATE sessions SET revoked = 1 WHERE token_hash = ?";
constexpr std::string_view kRevokeAllSessions =
    "UPDATE sessions SET revoked = 1 WHERE kind = ? AND subject_id = ? AND revoked = 0";

// RFC 4648 §5 alphabet, without padding: cookie-safe.
std::string Base64Url(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                          (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (rest == 2) out += kAlphabet[(v >> 6) & 63];
    }
    return out;
}

bool LooksLikeToken(std::string_view token) {
    return token.size() == kTokenChars && std::all_of(token.begin(), token.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_';
           });
}

std::string TokenHash(std::string_view token) { return core::Sm3Hex(token); }

std::optional<http::Principal::Kind> ParseKind(std::string_view name) {
    for (auto kind :
         {http::Principal::Kind::kCitizen, http::Principal::Kind::kStaff, http::Principal::Kind::kEmployer}) {
        if (http::KindName(kind) == name) return kind;
    }
    return std::nullopt;
}

std::int64_t IdleLimitMs(http::Principal::Kind kind, const core::Config& config) {
    std::int64_t minutes = kind == http::Principal::Kind::kStaff ? config.sessions.staff_idle_minutes
                                                                 : config.sessions.citizen_idle_minutes;
    return minutes * 60'000;
}

std::string CookieAttributes(const core::Config& config) {
    return std::string("; Path=/; HttpOnly; SameSite=Lax") + (config.security.cookie_secure ? "; Secure" : "");
}

}  // namespace

std::int64_t NowMillis(const core::Clock& clock) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
}

std::int64_t SecondsUntil(std::int64_t now_ms, std::int64_t until_ms) {
    std::int64_t wait_ms = until_ms - now_ms;
    return std::max<std::int64_t>(1, (wait_ms + 999) / 1000);
}

Result<IssuedSession> SessionStore::Create(http::Principal::Kind kind, const std::string& subject_id,
                                           const http::Request& request) {
    if (auto presented = request.Cookie(kSessionCookie)) DANGAN_TRY(Revoke(*presented));
    IssuedSession issued;
    issued.token = Base64Url(core::SecureRandom(kTokenBytes));
    issued.csrf_token = Base64Url(core::SecureRandom(kTokenBytes));
    issued.session_id = core::NewId(clock_);
    std::string user_agent(request.Header("user-agent").value_or(""));
    if (user_agent.size() > kMaxUserAgent) user_agent.resize(kMaxUserAgent);
    const std::int64_t now = NowMillis(clock_);
    const std::int64_t expires = now + config_.sessions.absolute_hours * 3'600'000;
    auto inserted = db_.Query(
        kInsertSession, {TokenHash(issued.token), issued.session_id, std::string(http::KindName(kind)), subject_id,
                         issued.csrf_token, request.remote_address, user_agent, now, now, expires});
    if (!inserted) return inserted.error();
    return issued;
}

Result<std::optional<SessionRow>> SessionStore::Lookup(const std::string& token) {
    if (!LooksLikeToken(token)) return std::optional<SessionRow>{};
    const std::string hash = TokenHash(token);
    auto found = db_.Query(kSelectSession, {hash});
    if (!found) return found.error();
    if (found->empty()) return std::optional<SessionRow>{};
    const db::Row& row = found->rows.front();
    auto kind = ParseKind(row.Text(1));
    if (!kind || row.Int(6) != 0) return std::optional<SessionRow>{};
    const std::int64_t now = NowMillis(clock_);
    const std::int64_t last_seen = row.Int(4);
    if (now >= row.Int(5) || now - last_seen >= IdleLimitMs(*kind, config_)) return std::optional<SessionRow>{};
    if (now - last_seen >= kLastSeenGranularityMs) {
        auto touched = db_.Query(kTouchSession, {now, hash, now});
        if (!touched) return touched.error();
    }
    SessionRow session;
    session.id = row.Text(0);
    session.kind = *kind;
    session.subject_id = row.Text(2);
    session.csrf_token = row.Text(3);
    return std::optional<SessionRow>(std::move(session));
}

Status SessionStore::Revoke(const std::string& token) {
    if (!LooksLikeToken(token)) return Ok();
    auto r = db_.Query(kRevokeSession, {TokenHash(token)});
    if (!r) return r.error();
    return Ok();
}

Status SessionStore::RevokeAll(http::Principal::Kind kind, const std::string& subject_id) {
    auto r = db_.Query(kRevokeAllSessions, {std::string(http::KindName(kind)), subject_id});
    if (!r) return r.error();
    return Ok();
}

std::string SessionCookieHeader(const IssuedSession& session, const core::Config& config) {
    return std::string(kSessionCookie) + "=" + session.token + CookieAttributes(config) +
           "; Max-Age=" + std::to_string(config.sessions.absolute_hours * 3600);
}

std::string ClearSessionCookieHeader(const core::Config& config) {
    return std::string(kSessionCookie) + "=" + CookieAttributes(config) + "; Max-Age=0";
}

http::Response LoginResponse(const nlohmann::json& user_json, const IssuedSession& issued, const core::Config& config) {
    http::Response r = http::Response::Json({{"user", user_json}, {"csrf_token", issued.csrf_token}});
    if (!issued.token.empty()) r.Header("Set-Cookie", SessionCookieHeader(issued, config));
    r.Header("Cache-Control", "no-store");
    return r;
}

http::Response RetryAfterResponse(const Error& error, std::int64_t retry_after_seconds) {
    const std::int64_t seconds = std::max<std::int64_t>(1, retry_after_seconds);
    http::Response r = http::Response::FromError(error);
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    if (!body.is_discarded() && body.contains("error")) {
        body["error"]["retry_after"] = seconds;
        r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    r.Header("Retry-After", std::to_string(seconds));
    return r;
}

}  // namespace dangan::identity
