#pragma once

// Persons (参保人员): the people whose archives the centre keeps. The ID number and the
// registered mobile number are stored sealed (SM4-CTR + HMAC-SM3, core::Seal) with an
// HMAC-SM3 blind index for look-up; name, gender and birth date are derived from the ID
// number at creation. This is the minimal record the identity issue needs; the archives
// issue adds holders, records and items around it.

#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::archives {

struct Person {
    std::string id;
    std::string name;
    std::string id_number;    // full, normalised (upper-case X); mask before showing
    std::string mobile;       // full registered mobile; mask before showing
    std::string gender;       // "male" | "female"
    std::string birth_date;   // YYYY-MM-DD
    std::string region_code;  // first six digits of the ID number: the scope of the record
};

// The blind index of a normalised ID number or mobile number.
std::string PersonIndex(const core::Keyring& keys, std::string_view normalised);

Result<std::optional<Person>> FindPersonByIdNumber(db::Database& db, const core::Keyring& keys,
                                                   std::string_view normalised_id_number);
Result<std::optional<Person>> FindPersonById(db::Database& db, const core::Keyring& keys, std::string_view id);

// Persons with exactly this name and birth date (YYYY-MM-DD), at most `limit`, ordered by id.
Result<std::vector<Person>> FindPersonsByNameAndBirthDate(db::Database& db, const core::Keyring& keys,
                                                          std::string_view name, std::string_view birth_date,
                                                          int limit);

// A person's identifiers as stored: sealed with core::Seal (associated data
// "persons.id_number" / "persons.mobile") and blind-indexed with PersonIndex. CreatePerson
// stores exactly this; bulk loaders (dangan gen) use it to write persons themselves.
struct SealedIdentifiers {
    std::string id_number_sealed;
    std::string id_number_index;
    std::string mobile_sealed;
    std::string mobile_index;
};
// `id_number` and `mobile` must be normalised (ValidateIdNumber, ValidateMobile).
Result<SealedIdentifiers> SealIdentifiers(const core::Keyring& keys, std::string_view id_number,
                                          std::string_view mobile);

// A name trimmed of spaces: 1–32 characters, no control characters (field "name").
Result<std::string> ValidatePersonName(std::string_view name);

// FindPersonByIdNumber inside a transaction.
Result<std::optional<Person>> FindPersonByIdNumber(db::Connection& conn, const core::Keyring& keys,
                                                   std::string_view normalised_id_number);

// Sets the name and registered mobile of person `id`, validated as CreatePerson validates
// them. kNotFound when there is no such person.
Status UpdatePersonNameAndMobile(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                                 std::string_view id, std::string_view name, std::string_view mobile);

// Validates the ID number and mobile, derives gender, birth date and region, and inserts.
// A second person with the same ID number is kConflict (field id_number).
Result<Person> CreatePerson(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                            std::string_view name, std::string_view id_number, std::string_view mobile);

}  // namespace dangan::archives
