#pragma once

// The plain rules behind staff and employer accounts, free of the database and of HTTP:
// the shape of user names, display names, roles and scopes; which scopes an administrator
// may grant; the lockout policy; and the short-lived token that carries a first log-in from
// the password step to TOTP enrolment. All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/result.hpp"
#include "http/auth.hpp"

namespace dangan::identity {

// User names: 2–32 characters of a–z, 0–9, '.', '_' and '-', starting with a letter or digit;
// upper case is folded to lower case (log-in is case-insensitive). Errors: kInvalidArgument,
// field `field`, reason "invalid_username".
Result<std::string> ValidateUsername(std::string_view input, std::string_view field = "username");

// Display names: 1–40 characters after trimming spaces, no control characters, valid UTF-8.
// Errors: kInvalidArgument, field "display_name", reason "invalid_display_name".
Result<std::string> ValidateDisplayName(std::string_view input);

// A scope is a city (4 digits, "2201"), a district (6 digits, "220102") or a branch
// (district, '-', 3 digits: "220102-001"). Errors: kInvalidArgument, field "scope", reason
// "invalid_scope".
Status ValidateScope(std::string_view scope);

// A grant names one of http::StaffRoles() (else reason "invalid_role", field "role") and a
// valid scope.
Status ValidateGrant(const http::Grant& grant);

// The scopes in which `principal` holds any of `roles`.
std::vector<std::string> ScopesOfRoles(const http::Principal& principal, const std::vector<std::string>& roles);

// True when `scope` lies inside one of `scopes` (prefix containment, as http::Grant::Covers).
bool InsideScopes(const std::vector<std::string>& scopes, std::string_view scope);

// True when every grant lies inside `scopes` (an administrator may only grant, see and change
// what lies within their own scopes).
bool GrantsInside(const std::vector<std::string>& scopes, const std::vector<http::Grant>& grants);

// ---- Lockout ----

struct LockoutPolicy {
    std::int64_t max_failed_logins = 5;
    std::int64_t lockout_ms = 15 * 60 * 1000;
};
LockoutPolicy LockoutPolicyFrom(const core::Config& config);

// The counters stored on a user row.
struct LockState {
    std::int64_t failed_logins = 0;
    std::int64_t locked_until_ms = 0;  // 0 = never locked; a past instant = the lock has run out
};

// Every log-in attempt first reserves one of the allowed failures, before the password is
// checked, so that guesses running in parallel on several nodes can never exceed the limit;
// a successful log-in then clears the counters. The reservation is refused (nullopt) while
// the account is locked. Otherwise the count goes up by one — restarting at 1 after a lock
// has run out — and the reservation that reaches the limit locks the account until
// now + lockout: if its password turns out wrong, the account stays locked.
// The database applies exactly this in one UPDATE (account_store.cpp); this function is its
// reference model for tests.
std::optional<LockState> ReserveAttempt(const LockState& state, std::int64_t now_ms, const LockoutPolicy& policy);

bool IsLocked(const LockState& state, std::int64_t now_ms);
// The Chinese message of account_locked: "…请在 N 分钟后再试…".
std::string LockedMessage(std::int64_t retry_after_seconds);

// ---- Enrolment token ----

inline constexpr std::int64_t kEnrolmentTtlMs = 10 * 60 * 1000;

// A token "<user id>.<expiry ms>.<hex HMAC-SM3>" binding a user, an expiry and the sealed
// secret being enrolled (so a later log-in, which makes a new secret, voids older tokens).
// `key` is a secret of the deployment (derived from the keyring's index key).
std::string MakeEnrolmentToken(std::string_view key, std::string_view user_id, std::string_view sealed_secret,
                               std::int64_t expires_ms);

struct EnrolmentClaim {
    std::string user_id;
    std::int64_t expires_ms = 0;
    std::string mac_hex;
};
// Splits a token; nullopt when malformed.
std::optional<EnrolmentClaim> ParseEnrolmentToken(std::string_view token);
// True when `claim` carries a valid MAC for `sealed_secret` and has not expired at `now_ms`.
bool EnrolmentTokenValid(std::string_view key, const EnrolmentClaim& claim, std::string_view sealed_secret,
                         std::int64_t now_ms);

// The HMAC key for enrolment tokens, derived from the keyring's index key.
std::string EnrolmentKey(std::string_view index_key);

}  // namespace dangan::identity
