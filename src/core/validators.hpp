#pragma once

// Validation and normalisation of the identifiers people type: resident ID numbers
// (GB 11643-1999), unified social credit codes (GB 32100-2015) and mainland mobile numbers, plus
// their masked display forms.
//
// Every Validate* function accepts what people really type: surrounding white space, full-width
// digits and letters (folded to half-width first) and lower-case letters. On success it returns
// the one canonical spelling, which is what gets stored, sealed and blind-indexed. On failure it
// returns kInvalidArgument (or kUnprocessable where noted) with a polite Chinese message that
// says what is wrong, `field` set to the input's name and a stable `reason`.
// All functions are pure and thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::core {

enum class Gender { kMale, kFemale };

// A resident ID number that passed ValidateIdNumber, with the facts encoded in it.
struct IdNumber {
    std::string normalized;                  // 18 ASCII characters; the check character 'X' upper-case
    std::chrono::year_month_day birth_date;  // digits 7–14
    Gender gender = Gender::kMale;           // digit 17: odd = male, even = female
    std::string region_code;                 // digits 1–6, the administrative division at issue
};

// Validates an 18-character resident ID number. `today` is the current business date
// (BusinessDate(clock.Now())); a birth date after it is refused, as is one before 1900-01-01 or
// one that does not exist on the calendar (1990-02-30, 1900-02-29).
// Errors have field "id_number" and reason "invalid_id_number", with a distinct message for:
// empty input, wrong length, characters other than digits and a final X, an impossible birth
// date, a birth date in the future or before 1900, and a wrong check character. Malformed input
// (empty, wrong length, other characters) is kInvalidArgument (400); a well-formed number that
// cannot exist (birth date, check character) is kUnprocessable (422). A 15-digit
// (pre-1999) number is refused with kUnprocessable and reason "legacy_id_number", asking for the
// 18-digit number.
Result<IdNumber> ValidateIdNumber(std::string_view input, std::chrono::year_month_day today);

// The GB 11643 check character ('0'–'9' or 'X') for the first 17 digits of an ID number, or
// nullopt when `first17` is not exactly 17 ASCII digits. For generating test data.
std::optional<char> IdNumberCheckCharacter(std::string_view first17);

// The ISO 7064 MOD 11-2 check character ('0'–'9' or 'X') of a string of decimal digits: the
// scheme of the resident ID number (whose weights 7,9,10,… are its 2^k mod 11), also used for
// certificate numbers. nullopt when `digits` is empty or holds anything but digits.
std::optional<char> Iso7064Mod112(std::string_view digits);

// Validates an 18-character unified social credit code and returns it upper-cased. Its alphabet is
// 0-9 and A-Z without I, O, S, V and Z. Errors: field "credit_code", reason "invalid_credit_code",
// distinct messages for empty input, wrong length, characters outside the alphabet and a wrong
// check character. The embedded organisation code (characters 9–17) is not checked separately.
Result<std::string> ValidateCreditCode(std::string_view input);

// The GB 32100 check character for the first 17 characters of a credit code (upper-case, from
// the code's alphabet), or nullopt when `first17` is not that.
std::optional<char> CreditCodeCheckCharacter(std::string_view first17);

// Validates a mainland mobile number and returns its 11 digits ("13812345678"). Spaces and dashes
// anywhere and a leading "+86", "0086" or "86" country code are accepted and dropped. The number
// must be "1", then 3–9, then 9 more digits. Errors: field "mobile", reason "invalid_mobile",
// distinct messages for empty input, non-digits, wrong length and a wrong leading pair.
Result<std::string> ValidateMobile(std::string_view input);

// Display forms for people who may not see the whole value. Both work on characters (code
// points), never split a UTF-8 sequence, and never reveal more than the fixed ends:
// the first 4 and last 4 characters of an ID number ("220102199001011234" → "2201**********1234");
// the first 3 and last 4 of a mobile number ("13812345678" → "138****5678").
// A value too short to keep both ends with something masked in between is masked entirely.
std::string MaskIdNumber(std::string_view id_number);
std::string MaskMobile(std::string_view mobile);

}  // namespace dangan::core
