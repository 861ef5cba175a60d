#pragma once

// Citizen log-in: ID number + the registered mobile number + a 6-digit SMS code.
//
// A code is 6 digits from the CSPRNG, valid 5 minutes, stored only as
// HMAC-SM3(index_key, challenge_id ‖ code) and compared in constant time; 5 tries in all, then
// the challenge is dead. Sending is limited to one per 60 s and 10 per Asia/Shanghai day per
// mobile number, and otp.per_address_per_hour per network address. The limits are counted from
// the otp_codes rows inside the transaction that adds the new row (under per-mobile and
// per-address transaction locks on PostgreSQL), so they hold across server nodes. The SMS is
// queued with notify::Enqueue in the same transaction as the code row.
//
// The rules are plain functions (CheckSendLimits, JudgeAttempt) so they are tested without a
// database; RequestCitizenCode and VerifyCitizenCode apply them to the tables.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "archives/persons.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::identity {

inline constexpr std::int64_t kOtpValidMs = 5 * 60'000;
inline constexpr std::int64_t kOtpMaxAttempts = 5;
inline constexpr std::int64_t kOtpResendMs = 60'000;
inline constexpr std::int64_t kOtpPerMobilePerDay = 10;
inline constexpr std::int64_t kHourMs = 3'600'000;

// A refused request: the error, the seconds to wait when it is a limit (0 otherwise), and the
// person concerned when known (for the login_failed audit entry).
struct Refusal {
    Error error;
    std::int64_t retry_after_seconds = 0;
    std::string person_id;

    Refusal(Error e, std::int64_t retry = 0, std::string person = {})  // NOLINT(google-explicit-constructor)
        : error(std::move(e)), retry_after_seconds(retry), person_id(std::move(person)) {}
};

template <typename T>
using Answer = std::variant<T, Refusal>;

// ---- Rules (pure) ----

// What the otp_codes table says about earlier codes.
struct SendHistory {
    std::optional<std::int64_t> last_to_mobile_ms;  // the newest code to this mobile
    std::int64_t today_to_mobile = 0;               // codes to this mobile on today's business date
    std::vector<std::int64_t> from_address_ms;      // newest first: codes from this address within the
                                                    // last hour, at most per_address_per_hour of them
};

// nullopt when a new code may be sent at `now_ms`; otherwise a 429 too_many_requests refusal
// for the limit that lifts last, its wait in the message and in retry_after_seconds.
std::optional<Refusal> CheckSendLimits(const SendHistory& history, std::int64_t now_ms,
                                       std::int64_t per_address_per_hour);

// A challenge as stored.
struct ChallengeState {
    std::int64_t attempts = 0;
    bool consumed = false;
    std::int64_t created_at_ms = 0;
    std::int64_t expires_at_ms = 0;
};

enum class AttemptOutcome {
    kAccepted,   // right code, in time, tries left: log in
    kWrongCode,  // counts a try
    kExpired,    // past expires_at
    kLocked,     // no tries left
    kUsed,       // already used for a log-in
};

// The order matters: a used or locked challenge stays so whatever code is sent.
AttemptOutcome JudgeAttempt(const ChallengeState& state, std::int64_t now_ms, bool code_matches);

// The refusal for a non-accepted outcome; `attempts_after` counts the try just made.
Refusal AttemptRefusal(AttemptOutcome outcome, const ChallengeState& state, std::int64_t attempts_after,
                       std::int64_t now_ms);

// Six decimal digits, uniformly from the CSPRNG (rejection sampling, no modulo bias).
std::string NewOtpCode();
// Hex of HMAC-SM3(index_key, challenge_id ‖ code).
std::string OtpCodeHash(const core::Keyring& keys, std::string_view challenge_id, std::string_view code);
// The SMS text carrying `code`.
std::string OtpSmsText(std::string_view code);

// ---- Services ----

struct CodeSent {
    std::string challenge_id;
    std::string masked_mobile;
    std::string person_id;
};

// Validates the input, finds the person, checks the mobile against the registered one and the
// send limits, then stores the code and queues the SMS in one transaction.
Answer<CodeSent> RequestCitizenCode(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                                    const core::Config& config, std::string_view id_number, std::string_view mobile,
                                    std::string_view address);

// Checks `code` against the challenge, counting the try atomically (a conditional UPDATE, so
// two nodes cannot both spend the same try), and returns the person on success.
Answer<archives::Person> VerifyCitizenCode(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                                           std::string_view challenge_id, std::string_view code);

}  // namespace dangan::identity
