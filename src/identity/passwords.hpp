#pragma once

// Staff and employer passwords: Argon2id (RFC 9106, libargon2) in the PHC encoded form
// "$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>" — the parameters and the 16-byte random
// salt travel with the hash, so raising them later only affects new hashes (NeedsRehash
// tells when a stored hash is older than the configuration). And the password rules of
// docs/api-identity.md as a plain function. Everything here is thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/result.hpp"

namespace dangan::identity {

struct Argon2Params {
    std::uint32_t memory_kib = 65536;  // m
    std::uint32_t iterations = 2;      // t
    std::uint32_t parallelism = 1;     // p
};

// security.argon2_memory_kib / argon2_iterations / argon2_parallelism.
Argon2Params ParamsFrom(const core::Config& config);

inline constexpr std::size_t kMaxPasswordBytes = 256;

// The Argon2id encoded string of `password` with a fresh random salt and a 32-byte hash.
// Fails (kInternal) only when libargon2 refuses the parameters (memory below 8·p KiB…).
Result<std::string> HashPassword(std::string_view password, const Argon2Params& params);

// True when `password` matches `encoded` (any Argon2id parameters). libargon2 recomputes the
// hash and compares it in constant time; a malformed `encoded` is simply false.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// Spends the time of one verification at `params` and returns false: used when the user name
// is unknown, so that the answer's timing does not tell which names exist.
bool VerifyAgainstDummy(std::string_view password, const Argon2Params& params);

// True when `encoded` was not made with exactly `params` (log-in then stores a fresh hash).
bool NeedsRehash(std::string_view encoded, const Argon2Params& params);

// Password rules: at least 10 characters (code points), at most kMaxPasswordBytes bytes, at
// least three of lower case, upper case, digits and symbols (anything else), and not
// containing the user name (case-insensitive; skipped when `username` is empty). Fails with
// kUnprocessable, field "password", reason "weak_password" and a Chinese message naming the rule.
Status CheckPasswordRules(std::string_view password, std::string_view username);

// A random password that passes the rules: 16 characters from upper, lower, digits and symbols.
std::string GeneratePassword();

}  // namespace dangan::identity
