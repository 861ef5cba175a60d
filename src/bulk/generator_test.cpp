#include "bulk/generator.hpp"

#include <gtest/gtest.h>

#include <set>

#include "archives/rules.hpp"
#include "bulk/jilin.hpp"
#include "core/validators.hpp"

namespace dangan::bulk {
namespace {

bool SamePerson(const GenPerson& a, const GenPerson& b) {
    if (a.number != b.number || a.name != b.name || a.id_number != b.id_number || a.mobile != b.mobile ||
        a.records.size() != b.records.size() || a.periods.size() != b.periods.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.records.size(); ++i) {
        if (a.records[i].archival_code != b.records[i].archival_code ||
            a.records[i].shelf_location != b.records[i].shelf_location ||
            a.records[i].items.size() != b.records[i].items.size()) {
            return false;
        }
    }
    for (std::size_t i = 0; i < a.periods.size(); ++i) {
        if (a.periods[i].from_date != b.periods[i].from_date || a.periods[i].employer != b.periods[i].employer) {
            return false;
        }
    }
    return true;
}

TEST(Generator, TheSameSeedGivesTheSameData) {
    Generator a(42), b(42), other(43);
    int differ = 0;
    for (int i = 0; i < 1000; ++i) {
        const GenPerson pa = a.Next();
        ASSERT_TRUE(SamePerson(pa, b.Next())) << i;
        if (!SamePerson(pa, other.Next())) ++differ;
    }
    EXPECT_GT(differ, 990);
    ASSERT_EQ(a.holders().size(), b.holders().size());
    for (std::size_t i = 0; i < a.holders().size(); ++i) EXPECT_EQ(a.holders()[i].code, b.holders()[i].code);
}

TEST(Generator, SkipContinuesExactlyWhereGenerationWouldBe) {
    Generator full(9), skipping(9);
    std::vector<GenPerson> people;
    for (int i = 0; i < 3000; ++i) people.push_back(full.Next());
    skipping.Skip(2500);
    for (int i = 2500; i < 3000; ++i) ASSERT_TRUE(SamePerson(skipping.Next(), people[static_cast<std::size_t>(i)]));
}

// Every generated identifier is valid and unique; facts derived from the ID number agree.
TEST(Generator, TenThousandPersonsAreValid) {
    Generator gen(1);
    const auto today = kReferenceDate;
    std::set<std::string> ids, codes;
    std::set<std::string_view> districts;
    for (const District& d : Districts()) districts.insert(d.code);
    for (const archives::Holder& h : gen.holders()) {
        EXPECT_TRUE(codes.insert(h.code).second) << h.code;
        if (h.kind == "employer") {
            EXPECT_TRUE(core::ValidateCreditCode(h.code).ok()) << h.code;
        }
        EXPECT_TRUE(archives::IsCode(archives::HolderKinds(), h.kind));
    }
    for (const archives::Branch& b : gen.branches()) EXPECT_TRUE(archives::IsBranchCode(b.code)) << b.code;
    for (int i = 0; i < 10000; ++i) {
        const GenPerson p = gen.Next();
        auto id = core::ValidateIdNumber(p.id_number, today);
        ASSERT_TRUE(id.ok()) << p.id_number << ": " << id.error().message;
        EXPECT_TRUE(ids.insert(p.id_number).second) << "duplicate " << p.id_number;
        EXPECT_EQ(id->gender == core::Gender::kMale, p.male);
        EXPECT_EQ(core::FormatDate(id->birth_date), p.birth_date);
        EXPECT_TRUE(districts.contains(id->region_code));
        EXPECT_GE(std::stoi(p.id_number.substr(14, 3)), 100) << "001–099 are left to hand-made data";
        const int age = static_cast<int>(today.year()) - std::stoi(p.birth_date.substr(0, 4));
        EXPECT_GE(age, 18);
        EXPECT_LE(age, 96);
        EXPECT_TRUE(core::ValidateMobile(p.mobile).ok()) << p.mobile;
        const std::size_t chars = (p.name.size()) / 3;
        EXPECT_TRUE(chars >= 2 && chars <= 3) << p.name;
        ASSERT_FALSE(p.records.empty());
        EXPECT_EQ(p.records.front().kind, "social_insurance");
        for (const GenRecord& r : p.records) {
            EXPECT_TRUE(codes.insert(r.archival_code).second) << r.archival_code;
            EXPECT_LE(r.archival_code.size(), 32u);
            EXPECT_TRUE(archives::ValidateShelfLocation(r.shelf_location).ok()) << r.shelf_location;
            EXPECT_TRUE(r.filed_year >= 1949 && r.filed_year < 2025) << r.filed_year;
            EXPECT_LT(r.holder, gen.holders().size());
            for (const archives::ArchiveItem& item : r.items) EXPECT_TRUE(archives::IsPartialDate(item.doc_date));
        }
        // Periods: in order, not overlapping, starting at 18 or later.
        std::string previous_end =
            std::to_string(std::stoi(p.birth_date.substr(0, 4)) + 18) + p.birth_date.substr(4, 3);
        for (std::size_t k = 0; k < p.periods.size(); ++k) {
            const GenPeriod& period = p.periods[k];
            EXPECT_GE(period.from_date, previous_end) << p.id_number;
            ASSERT_TRUE(period.to_date || k + 1 == p.periods.size());
            if (period.to_date) {
                EXPECT_GE(*period.to_date, period.from_date);
                previous_end = *period.to_date;
            }
            EXPECT_EQ(gen.holders()[period.employer].kind, "employer");
        }
    }
}

TEST(Generator, ProportionsAreRoughlyRight) {
    Generator gen(2);
    const int n = 20000;
    int male = 0, changchun = 0, records = 0, items = 0, periods = 0, retired = 0, over60 = 0;
    for (int i = 0; i < n; ++i) {
        const GenPerson p = gen.Next();
        male += p.male;
        changchun += p.region_code.starts_with("2201");
        records += static_cast<int>(p.records.size());
        periods += static_cast<int>(p.periods.size());
        for (const GenRecord& r : p.records) {
            items += static_cast<int>(r.items.size());
            retired += r.kind == "retirement";
        }
        over60 += std::stoi(p.birth_date.substr(0, 4)) <= 1964;
    }
    std::uint32_t population = 0, changchun_population = 0;
    for (const District& d : Districts()) {
        population += d.population_thousands;
        if (d.city->code == "2201") changchun_population += d.population_thousands;
    }
    EXPECT_NEAR(male / double(n), 0.5, 0.02);
    EXPECT_NEAR(changchun / double(n), changchun_population / double(population), 0.02);
    EXPECT_NEAR(records / double(n), 1.35, 0.1);
    EXPECT_NEAR(items / double(records), 2.1, 0.2);
    EXPECT_NEAR(periods / double(n), 1.8, 0.15);
    EXPECT_NEAR(over60 / double(n), 0.3, 0.08);  // Jilin is an old province
    EXPECT_GT(retired, n / 6);
}

}  // namespace
}  // namespace dangan::bulk
