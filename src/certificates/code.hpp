#pragma once

// The certificate's signed code: what the QR carries and what verifies offline. Pure functions,
// no database. Layout, version 1 (every integer big-endian; docs/certificates.md):
//
//   payload = 0x01                      version
//           ‖ u8 len ‖ key id           1–16 of [a-z0-9-]
//           ‖ number                    17 ASCII characters (Number below)
//           ‖ u32 issued_on             YYYYMMDD, Asia/Shanghai
//           ‖ u32 valid_until           YYYYMMDD, the last valid day
//           ‖ subject hash              16 bytes: SM3("dangan/cert/subject/v1" 0 number 0 id_number 0 name)[0..16)
//           ‖ content hash              32 bytes: SM3("dangan/cert/content/v1" 0 canonical content JSON)
//   code    = payload ‖ SM2-with-SM3(payload) as r ‖ s (64 bytes)
//   text    = RFC 4648 base32 of code, upper case, no padding — all in the QR's alphanumeric mode
//   QR      = <certificates.verify_url><text>, e.g. https://dangan.example.cn/v/AE...

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/result.hpp"

namespace dangan::certificates {

using Date = std::chrono::year_month_day;

inline constexpr std::uint8_t kCodeVersion = 1;
inline constexpr std::size_t kNumberLength = 17;
inline constexpr std::size_t kSubjectHashSize = 16;

// --- numbers: YYYY + 6-digit district + 6-digit serial + ISO 7064 MOD 11-2 check ---------

// "2026" "220102" 1 → "2026220102000001X"-like; the serial must be 1..999999.
std::string FormatNumber(int year, std::string_view district, std::int64_t serial);
// A typed number normalised (spaces and '-' removed, x → X) when it has 17 characters, 16 digits
// and the right check character. kInvalidArgument (field "number", reason "invalid_number")
// otherwise, with a message saying which.
Result<std::string> NormaliseNumber(std::string_view typed);
// "2026 2201 0200 0001 X": groups of four for reading aloud and typing.
std::string DisplayNumber(std::string_view number);

// A key id as it may travel in a code: 1–16 of [a-z0-9-].
bool IsKeyId(std::string_view id);

// --- the payload ---------------------------------------------------------------------------

struct Payload {
    std::string key_id;
    std::string number;
    Date issued_on{};
    Date valid_until{};
    std::string subject_hash;  // kSubjectHashSize bytes
    std::string content_hash;  // 32 bytes

    bool operator==(const Payload&) const = default;
};

std::string SubjectHash(std::string_view number, std::string_view id_number, std::string_view name);
// `canonical_content` is the content object dumped by nlohmann::json (sorted keys, no spaces).
std::string ContentHash(std::string_view canonical_content);

std::string EncodePayload(const Payload& p);
// The payload at the start of `bytes`; `consumed` gets its length. kInvalidArgument (reason
// "invalid_code") when truncated, of another version, or with a malformed field.
Result<Payload> DecodePayload(std::string_view bytes, std::size_t* consumed);

// Signs the payload: the QR text (base32 of payload ‖ signature).
Result<std::string> SignCode(const core::Sm2Key& key, const Payload& p);

// The code text out of what a scanner read: a URL ending in /v/<text> (any host, any case),
// or the text alone; spaces and line breaks around it ignored.
std::string CodeTextOf(std::string_view scanned);

// --- offline verification ----------------------------------------------------------------

enum class Verdict {
    kValid,
    kMalformed,     // not a certificate code at all
    kUnknownKey,    // signed by a key that is not published
    kBadSignature,  // altered, or signed by another key under a published id
    kExpired,       // genuine, but past valid_until
    kNotYetValid,   // genuine, but issued after `today` (a clock problem somewhere)
};

struct Checked {
    Verdict verdict = Verdict::kMalformed;
    std::optional<Payload> payload;  // when it decoded
    std::string reason;              // Chinese, for anything but kValid
};

// Checks `scanned` (see CodeTextOf) against the published keys (key id → public key) on `today`.
// Never touches the database: this is what `dangan cert verify` runs.
Checked VerifyCode(std::string_view scanned, const std::map<std::string, core::Sm2Key>& keys, Date today);

std::string_view VerdictName(Verdict v);  // "valid", "malformed", …

}  // namespace dangan::certificates
