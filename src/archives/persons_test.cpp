#include "archives/persons.hpp"

#include <gtest/gtest.h>

#include "archives/person_access.hpp"
#include "core/crypto.hpp"
#include "core/validators.hpp"
#include "identity/testing.hpp"

namespace dangan::archives {
namespace {

class PersonsTest : public testsupport::MigratedDatabaseTest {
protected:
    Result<Person> Create(std::string_view name, std::string_view id_number, std::string_view mobile) {
        Result<Person> out = MakeError(ErrorCode::kInternal, "not run");
        Status s = db().Transaction([&](db::Connection& conn) -> Status {
            out = CreatePerson(conn, keys_, clock_, name, id_number, mobile);
            return out.ok() ? Ok() : Status(out.error());
        });
        if (!s && out.ok()) return s.error();
        return out;
    }
};

TEST_P(PersonsTest, CreateDerivesFactsFromTheIdNumber) {
    auto p = Create(" 李建国 ", "220105196501200138", "139 0431 0003");
    ASSERT_TRUE(p.ok()) << db::testutil::Why(p);
    EXPECT_EQ(p->name, "李建国");
    EXPECT_EQ(p->gender, "male");
    EXPECT_EQ(p->birth_date, "1965-01-20");
    EXPECT_EQ(p->region_code, "220105");
    EXPECT_EQ(p->mobile, "13904310003");
    auto female = Create("王芳", "220104199007220026", "13904310002");
    ASSERT_TRUE(female.ok());
    EXPECT_EQ(female->gender, "female");
}

TEST_P(PersonsTest, FoundByIdNumberAndById) {
    auto p = Create("张伟", "220102198503150015", "13904310001");
    ASSERT_TRUE(p.ok());
    auto by_number = FindPersonByIdNumber(db(), keys_, "220102198503150015");
    ASSERT_TRUE(by_number.ok() && *by_number);
    EXPECT_EQ((*by_number)->id, p->id);
    EXPECT_EQ((*by_number)->id_number, "220102198503150015");
    EXPECT_EQ((*by_number)->mobile, "13904310001");
    auto by_id = FindPersonById(db(), keys_, p->id);
    ASSERT_TRUE(by_id.ok() && *by_id);
    EXPECT_EQ((*by_id)->name, "张伟");
    auto none = FindPersonById(db(), keys_, "'; DROP TABLE persons; --");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(*none);
    auto none2 = FindPersonByIdNumber(db(), keys_, "220104199007220026");
    ASSERT_TRUE(none2.ok());
    EXPECT_FALSE(*none2);
}

TEST_P(PersonsTest, IdentifiersAreSealedAtRest) {
    ASSERT_TRUE(Create("张伟", "220102198503150015", "13904310001").ok());
    auto rows = db().Query("SELECT id_number_sealed, id_number_index, mobile_sealed, mobile_index FROM persons");
    ASSERT_TRUE(rows.ok() && rows->rows.size() == 1);
    const db::Row& row = rows->rows[0];
    for (std::size_t i = 0; i < 4; ++i) {
        std::string stored = i % 2 == 0 ? row.Blob(i).data : row.Text(i);
        EXPECT_EQ(stored.find("220102198503150015"), std::string::npos) << i;
        EXPECT_EQ(stored.find("13904310001"), std::string::npos) << i;
        EXPECT_EQ(stored.find("19850315"), std::string::npos) << i;
    }
    // Associated data binds each sealed value to its column.
    EXPECT_TRUE(core::Open(keys_.seal_key, row.Blob(0).data, "persons.id_number").ok());
    EXPECT_FALSE(core::Open(keys_.seal_key, row.Blob(0).data, "persons.mobile").ok());
    EXPECT_EQ(row.Text(1), PersonIndex(keys_, "220102198503150015"));
}

TEST_P(PersonsTest, ADuplicateIdNumberIsAConflict) {
    ASSERT_TRUE(Create("张伟", "220102198503150015", "13904310001").ok());
    auto again = Create("张伟", "220102198503150015", "13904310009");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, ErrorCode::kConflict);
    EXPECT_EQ(again.error().field, "id_number");
}

TEST_P(PersonsTest, BadInputIsRefused) {
    EXPECT_EQ(Create("", "220102198503150015", "13904310001").error().reason, "invalid_name");
    EXPECT_EQ(Create(std::string(100, 'a'), "220102198503150015", "13904310001").error().reason, "invalid_name");
    EXPECT_EQ(Create("张\n伟", "220102198503150015", "13904310001").error().reason, "invalid_name");
    EXPECT_EQ(Create("张伟", "220102198503150016", "13904310001").error().reason, "invalid_id_number");
    EXPECT_EQ(Create("张伟", "220102198503150015", "12904310001").error().reason, "invalid_mobile");
}

TEST_P(PersonsTest, FoundByExactNameAndBirthDateDecrypted) {
    auto id_number = [](std::string first17) { return first17 + *core::IdNumberCheckCharacter(first17); };
    auto a = Create("张伟", id_number("22010219850315001"), "13904310001");
    auto b = Create("张伟", id_number("22010419850315003"), "13904310002");
    ASSERT_TRUE(a.ok() && b.ok()) << db::testutil::Why(a) << db::testutil::Why(b);
    ASSERT_TRUE(Create("张伟", id_number("22010219850316001"), "13904310003").ok()) << "born a day later";
    ASSERT_TRUE(Create("张伟伟", id_number("22010219850315005"), "13904310004").ok()) << "a longer name";
    ASSERT_TRUE(Create("张", id_number("22010219850315007"), "13904310005").ok()) << "a shorter name";

    auto found = FindPersonsByNameAndBirthDate(db(), keys_, "张伟", "1985-03-15", 10);
    ASSERT_TRUE(found.ok()) << db::testutil::Why(found);
    ASSERT_EQ(found->size(), 2u);
    EXPECT_LT((*found)[0].id, (*found)[1].id) << "ordered by id";
    for (const Person& p : *found) {
        const Person& want = p.id == a->id ? *a : *b;
        EXPECT_EQ(p.id, want.id);
        EXPECT_EQ(p.name, "张伟");
        EXPECT_EQ(p.id_number, want.id_number) << "opened, not sealed";
        EXPECT_EQ(p.mobile, want.mobile);
        EXPECT_EQ(p.birth_date, "1985-03-15");
        EXPECT_EQ(p.region_code, want.region_code);
    }
    EXPECT_NE((*found)[0].id, (*found)[1].id);

    auto first = FindPersonsByNameAndBirthDate(db(), keys_, "张伟", "1985-03-15", 1);
    ASSERT_TRUE(first.ok() && first->size() == 1);
    EXPECT_EQ(first->front().id, (*found)[0].id) << "the limit keeps the first by id";
    for (auto [name, birth] : {std::pair{"张", "1985-03-16"}, std::pair{"张伟", "1985-3-15"},
                               std::pair{"张伟", "19850315"}, std::pair{"%", "1985-03-15"}}) {
        auto none = FindPersonsByNameAndBirthDate(db(), keys_, name, birth, 10);
        ASSERT_TRUE(none.ok());
        EXPECT_TRUE(none->empty()) << name << " " << birth;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, PersonsTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// ---- Access rules ----

http::Principal StaffWith(std::vector<http::Grant> grants) {
    http::Principal p;
    p.kind = http::Principal::Kind::kStaff;
    p.grants = std::move(grants);
    return p;
}

TEST(CoversPerson, AGrantOfAnAllowedRoleMustCoverTheRegion) {
    Person person;
    person.region_code = "220102";
    const std::vector<std::string> roles{"window_clerk", "archivist"};
    EXPECT_TRUE(CoversPerson(StaffWith({{"window_clerk", "2201"}}), roles, person));
    EXPECT_TRUE(CoversPerson(StaffWith({{"archivist", "220102"}}), roles, person));
    EXPECT_FALSE(CoversPerson(StaffWith({{"window_clerk", "220104"}}), roles, person));
    EXPECT_FALSE(CoversPerson(StaffWith({{"window_clerk", "2202"}}), roles, person));
    EXPECT_FALSE(CoversPerson(StaffWith({{"auditor", "2201"}, {"window_clerk", "2202"}}), roles, person))
        << "another role's wider scope does not count";
    EXPECT_FALSE(CoversPerson(StaffWith({{"window_clerk", ""}}), roles, person));
    http::Principal citizen;
    citizen.kind = http::Principal::Kind::kCitizen;
    EXPECT_FALSE(CoversPerson(citizen, roles, person));
}

TEST(CoversPerson, ABranchGrantCoversThePersonsOfItsDistrictOnly) {
    Person nanguan;
    nanguan.region_code = "220102";
    Person chaoyang;
    chaoyang.region_code = "220104";
    const std::vector<std::string> roles{"window_clerk"};
    const http::Principal clerk = StaffWith({{"window_clerk", "220102-001"}});
    EXPECT_TRUE(CoversPerson(clerk, roles, nanguan)) << "the branch's district";
    EXPECT_FALSE(CoversPerson(clerk, roles, chaoyang)) << "a neighbouring district";
}

TEST(CoversPerson, GrantsOfOtherRolesDoNotCount) {
    Person person;
    person.region_code = "220102";
    const std::vector<std::string> roles{"window_clerk"};
    EXPECT_FALSE(CoversPerson(StaffWith({{"archivist", "220102-001"}}), roles, person)) << "a branch grant";
    EXPECT_FALSE(CoversPerson(StaffWith({{"auditor", "22"}, {"system_admin", "220102"}}), roles, person));
    EXPECT_FALSE(CoversPerson(StaffWith({{"auditor", "22"}, {"window_clerk", "220104-003"}}), roles, person))
        << "the auditor's province-wide grant does not widen the clerk's branch";
    EXPECT_TRUE(CoversPerson(StaffWith({{"auditor", "22"}, {"window_clerk", "220102-003"}}), roles, person))
        << "the clerk's own grant still counts beside others";
    EXPECT_FALSE(CoversPerson(StaffWith({{"window_clerk", "220102-001"}}), {}, person)) << "no role allowed";
}

TEST(ValidatePurpose, RequiredTrimmedAndBounded) {
    EXPECT_EQ(ValidatePurpose(std::nullopt).error().reason, "purpose_required");
    EXPECT_EQ(ValidatePurpose("   ").error().reason, "purpose_required");
    EXPECT_EQ(*ValidatePurpose(" 窗口办理退休手续 "), "窗口办理退休手续");
    EXPECT_EQ(ValidatePurpose(std::string(201, 'a')).error().reason, "invalid_purpose");
    EXPECT_TRUE(ValidatePurpose(std::string(200, 'a')).ok());
    EXPECT_EQ(ValidatePurpose("a\x01b").error().reason, "invalid_purpose");
}

TEST(MaskedPersonJson, ShowsOnlyMaskedIdentifiers) {
    Person p{"id-1", "张伟", "220102198503150015", "13904310001", "male", "1985-03-15", "220102"};
    auto json = MaskedPersonJson(p);
    EXPECT_EQ(json["id_number"], "2201**********0015");
    EXPECT_EQ(json["mobile"], "139****0001");
    EXPECT_EQ(json.dump().find("198503150015"), std::string::npos);
}

}  // namespace
}  // namespace dangan::archives
