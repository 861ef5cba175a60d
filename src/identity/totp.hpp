#pragma once

// Time-based one-time passwords for staff (RFC 6238 over RFC 4226 HOTP): HMAC-SHA1, 30-second
// steps from the Unix epoch, 6 digits, one step of drift either way — what every authenticator
// app speaks. Secrets are 20 random bytes shown to the user once as base32 inside an
// otpauth:// URI and a QR code (SVG, error correction M); at rest they are sealed with
// associated data kTotpSecretAd. A code is accepted only for a step later than the last one
// used (the caller stores it), so a code cannot be replayed. Everything here is thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace dangan::identity {

inline constexpr const char* kTotpSecretAd = "users.totp_secret";
inline constexpr const char* kTotpIssuer = "社会保险档案";
inline constexpr std::int64_t kTotpPeriodSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr std::size_t kTotpSecretBytes = 20;

// RFC 4648 base32 without padding ("12345678901234567890" → "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").
std::string Base32Encode(std::string_view bytes);
// Inverse of Base32Encode; accepts lower case, spaces and '=' padding. Fails (kInvalidArgument,
// reason "invalid_base32") on any other character or trailing bits that are not zero.
Result<std::string> Base32Decode(std::string_view text);

// A fresh random secret (kTotpSecretBytes raw bytes).
std::string NewTotpSecret();

// The step of `t`: floor(Unix seconds / 30).
std::int64_t TotpStep(core::TimePoint t);

// The HOTP value of `secret` (raw bytes) at counter `step`, as `digits` decimal digits with
// leading zeros (RFC 4226 dynamic truncation; `digits` 6..8).
std::string TotpCode(std::string_view secret, std::int64_t step, int digits = kTotpDigits);

// The step whose code equals `code` among the steps now-1, now and now+1 that are greater than
// `last_used_step`, compared in constant time; nullopt when none (wrong, malformed or replayed).
std::optional<std::int64_t> MatchTotp(std::string_view secret, std::string_view code, core::TimePoint now,
                                      std::int64_t last_used_step);

// otpauth://totp/社会保险档案:USER?secret=BASE32&issuer=社会保险档案&algorithm=SHA1&digits=6&period=30,
// label and issuer percent-encoded as UTF-8.
std::string OtpauthUri(std::string_view username, std::string_view base32_secret);

// `text` as a QR code (byte mode, error correction M) drawn as a standalone SVG document with
// a four-module quiet zone. Fails (kInvalidArgument) when the text does not fit a QR code.
Result<std::string> QrSvg(std::string_view text);

}  // namespace dangan::identity
