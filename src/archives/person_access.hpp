#pragma once

// Who may read a person's record, and the purpose every staff read must state. Plain rules,
// free of HTTP and the database.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archives/persons.hpp"
#include "core/result.hpp"
#include "http/auth.hpp"

namespace dangan::archives {

inline constexpr std::size_t kMaxPurposeChars = 200;

// The stated purpose of a staff read (?purpose=…), trimmed. Missing or blank → 400
// "purpose_required"; longer than kMaxPurposeChars characters or holding control characters
// → 400 "invalid_purpose". Field "purpose".
Result<std::string> ValidatePurpose(const std::optional<std::string>& purpose);

// The purpose of a staff GET, from the header X-Dangan-Purpose (percent-encoded UTF-8), so that
// it stays out of URLs, access logs and browser history; validated as above.
Result<std::string> PurposeOf(const http::Request& request);

// True when `principal` holds one of `roles` in a scope that covers the person's region code.
// A branch-scoped grant (220102-001) covers the persons of the branch's district (220102).
// Grants of other roles do not count: an auditor's city-wide grant does not widen a clerk's
// district.
bool CoversPerson(const http::Principal& principal, const std::vector<std::string>& roles, const Person& person);

// True when `principal` holds one of `roles` in a scope that covers `region` (a region code
// of a person or of an archive holder); the same branch rule as CoversPerson.
bool CoversRegion(const http::Principal& principal, const std::vector<std::string>& roles, std::string_view region);

// The person as staff and the citizen see it: ID number and mobile masked.
// {"id","name","id_number","mobile","gender","birth_date","region_code"}
nlohmann::json MaskedPersonJson(const Person& person);

}  // namespace dangan::archives
