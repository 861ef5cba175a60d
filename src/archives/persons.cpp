#include "archives/persons.hpp"

#include <chrono>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/validators.hpp"

namespace dangan::archives {

namespace {

// Associated data of the sealed columns: a value copied into another column does not open.
constexpr std::string_view kIdNumberData = "persons.id_number";
constexpr std::string_view kMobileData = "persons.mobile";
constexpr std::size_t kMaxNameChars = 32;

constexpr std::string_view kSelectColumns =
    "SELECT id, name, id_number_sealed, mobile_sealed, gender, birth_date, region_code FROM persons ";
constexpr std::string_view kInsertPerson =
    "INSERT INTO persons (id, name, id_number_sealed, id_number_index, mobile_sealed, mobile_index, gender, "
    "birth_date, region_code, created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

Result<Person> FromRow(const core::Keyring& keys, const db::Row& row) {
    auto id_number = core::Open(keys.seal_key, row.Blob(2).data, kIdNumberData);
    if (!id_number) return id_number.error();
    auto mobile = core::Open(keys.seal_key, row.Blob(3).data, kMobileData);
    if (!mobile) return mobile.error();
    Person p;
    p.id = row.Text(0);
    p.name = row.Text(1);
    p.id_number = std::move(*id_number);
    p.mobile = std::move(*mobile);
    p.gender = row.Text(4);
    p.birth_date = row.Text(5);
    p.region_code = row.Text(6);
    return p;
}

Result<std::optional<Person>> OneOrNone(const core::Keyring& keys, Result<db::ResultSet> found) {
    if (!found) return found.error();
    if (found->empty()) return std::optional<Person>{};
    auto person = FromRow(keys, found->rows.front());
    if (!person) return person.error();
    return std::optional<Person>(std::move(*person));
}

}  // namespace

// A name trimmed of spaces: 1–32 characters (UTF-8 code points), no control characters.
Result<std::string> ValidatePersonName(std::string_view name) {
    while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty()) return MakeError(ErrorCode::kInvalidArgument, "请填写姓名", "name", "invalid_name");
    std::size_t chars = 0;
    for (unsigned char c : name) {
        if (c < 0x20 || c == 0x7f) {
            return MakeError(ErrorCode::kInvalidArgument, "姓名中有不能使用的字符", "name", "invalid_name");
        }
        if ((c & 0xC0) != 0x80) ++chars;
    }
    if (chars > kMaxNameChars) {
        return MakeError(ErrorCode::kInvalidArgument, "姓名过长，最多 " + std::to_string(kMaxNameChars) + " 个字",
                         "name", "invalid_name");
    }
    return std::string(name);
}

std::string PersonIndex(const core::Keyring& keys, std::string_view normalised) {
    return core::HexEncode(core::BlindIndex(keys.index_key, normalised));
}

Result<SealedIdentifiers> SealIdentifiers(const core::Keyring& keys, std::string_view id_number,
                                          std::string_view mobile) {
    auto id_sealed = core::Seal(keys.seal_key, id_number, kIdNumberData);
    if (!id_sealed) return id_sealed.error();
    auto mobile_sealed = core::Seal(keys.seal_key, mobile, kMobileData);
    if (!mobile_sealed) return mobile_sealed.error();
    return SealedIdentifiers{std::move(*id_sealed), PersonIndex(keys, id_number), std::move(*mobile_sealed),
                             PersonIndex(keys, mobile)};
}

Result<std::optional<Person>> FindPersonByIdNumber(db::Database& db, const core::Keyring& keys,
                                                   std::string_view normalised_id_number) {
    return OneOrNone(keys, db.Query(std::string(kSelectColumns) + "WHERE id_number_index = ?",
                                    {PersonIndex(keys, normalised_id_number)}));
}

Result<std::optional<Person>> FindPersonByIdNumber(db::Connection& conn, const core::Keyring& keys,
                                                   std::string_view normalised_id_number) {
    return OneOrNone(keys, conn.Query(std::string(kSelectColumns) + "WHERE id_number_index = ?",
                                      {PersonIndex(keys, normalised_id_number)}));
}

Status UpdatePersonNameAndMobile(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                                 std::string_view id, std::string_view name, std::string_view mobile) {
    auto valid_name = ValidatePersonName(name);
    if (!valid_name) return valid_name.error();
    auto valid_mobile = core::ValidateMobile(mobile);
    if (!valid_mobile) return valid_mobile.error();
    auto sealed = core::Seal(keys.seal_key, *valid_mobile, kMobileData);
    if (!sealed) return sealed.error();
    auto updated = conn.Query(
        "UPDATE persons SET name = ?, mobile_sealed = ?, mobile_index = ?, updated_at_ms = ? WHERE id = ?",
        {*valid_name, db::Bytes{std::move(*sealed)}, PersonIndex(keys, *valid_mobile), core::UnixMillis(clock.Now()),
         std::string(id)});
    if (!updated) return updated.error();
    if (updated->affected == 0) {
        return MakeError(ErrorCode::kNotFound, "没有找到该人员", "id", "person_not_found");
    }
    return Ok();
}

Result<std::optional<Person>> FindPersonById(db::Database& db, const core::Keyring& keys, std::string_view id) {
    return OneOrNone(keys, db.Query(std::string(kSelectColumns) + "WHERE id = ?", {std::string(id)}));
}

Result<std::vector<Person>> FindPersonsByNameAndBirthDate(db::Database& db, const core::Keyring& keys,
                                                          std::string_view name, std::string_view birth_date,
                                                          int limit) {
    auto found = db.Query(std::string(kSelectColumns) + "WHERE name = ? AND birth_date = ? ORDER BY id LIMIT ?",
                          {std::string(name), std::string(birth_date), std::int64_t{limit}});
    if (!found) return found.error();
    std::vector<Person> persons;
    for (const db::Row& row : found->rows) {
        auto person = FromRow(keys, row);
        if (!person) return person.error();
        persons.push_back(std::move(*person));
    }
    return persons;
}

Result<Person> CreatePerson(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                            std::string_view name, std::string_view id_number, std::string_view mobile) {
    auto valid_name = ValidatePersonName(name);
    if (!valid_name) return valid_name.error();
    auto id = core::ValidateIdNumber(id_number, core::BusinessDate(clock.Now()));
    if (!id) return id.error();
    auto valid_mobile = core::ValidateMobile(mobile);
    if (!valid_mobile) return valid_mobile.error();
    auto sealed = SealIdentifiers(keys, id->normalized, *valid_mobile);
    if (!sealed) return sealed.error();

    Person p;
    p.id = core::NewId(clock);
    p.name = std::move(*valid_name);
    p.id_number = id->normalized;
    p.mobile = *valid_mobile;
    p.gender = id->gender == core::Gender::kMale ? "male" : "female";
    p.birth_date = core::FormatDate(id->birth_date);
    p.region_code = id->region_code;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
    auto inserted =
        conn.Query(kInsertPerson, {p.id, p.name, db::Bytes{std::move(sealed->id_number_sealed)},
                                   std::move(sealed->id_number_index), db::Bytes{std::move(sealed->mobile_sealed)},
                                   std::move(sealed->mobile_index), p.gender, p.birth_date, p.region_code, now, now});
    if (!inserted) {
        if (inserted.error().reason == "unique_violation") {
            return MakeError(ErrorCode::kConflict, "该身份证号码已登记", "id_number", "duplicate_id_number");
        }
        return inserted.error();
    }
    return p;
}

}  // namespace dangan::archives
