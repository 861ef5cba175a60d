// `dangan gen` into a real database of each backend: persons as CreatePerson stores them,
// found by the archives store; the rule for databases that already hold generated data.

#include "bulk/gen.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "bulk/generator.hpp"
#include "identity/testing.hpp"

namespace dangan::bulk {
namespace {

class GenTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        app_.db = std::move(db_);
        app_.keyring = keys_;
        app_.config.database.url = scratch_->url();
        app_.clock = std::make_unique<core::FixedClock>(clock_.Now());
    }
    void TearDown() override {
        app_.db.reset();
        MigratedDatabaseTest::TearDown();
    }

    std::int64_t Count(const std::string& sql) { return app_.db->Query(sql)->rows.front().Int(0); }

    http::App app_;
};

TEST_P(GenTest, GeneratedPersonsAreFoundWithTheirRecords) {
    const std::string sample = scratch_->url().starts_with("sqlite:") ? scratch_->url().substr(7) + ".sample.csv"
                                                                      : ::testing::TempDir() + "gen_sample.csv";
    GenOptions options;
    options.persons = 300;
    options.seed = 5;
    options.batch = 64;
    options.sample_out = sample;
    options.sample_every = 50;
    auto summary = Generate(app_, options, nullptr);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->persons, 300u);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM persons"), 300);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_records"), static_cast<std::int64_t>(summary->records));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_items"), static_cast<std::int64_t>(summary->items));
    EXPECT_EQ(Count("SELECT COUNT(*) FROM employment_periods"), static_cast<std::int64_t>(summary->periods));
    // Written with foreign keys off on SQLite: every reference must hold all the same.
    EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_records r LEFT JOIN persons p ON p.id = r.person_id "
                    "LEFT JOIN holders h ON h.id = r.holder_id WHERE p.id IS NULL OR h.id IS NULL"),
              0);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM archive_items i LEFT JOIN archive_records r ON r.id = i.record_id "
                    "WHERE r.id IS NULL"),
              0);

    std::ifstream in(sample);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "id_number,person_id");
    int sampled = 0;
    while (std::getline(in, line)) {
        ++sampled;
        const std::string id_number = line.substr(0, line.find(','));
        const std::string person_id = line.substr(line.find(',') + 1);
        auto found = archives::FindPersonByIdNumber(*app_.db, keys_, id_number);
        ASSERT_TRUE(found.ok() && *found) << id_number;
        EXPECT_EQ((*found)->id, person_id);
        EXPECT_EQ((*found)->region_code, id_number.substr(0, 6));
        auto records = archives::RecordsOfPerson(*app_.db, person_id, true);
        ASSERT_TRUE(records.ok());
        ASSERT_FALSE(records->empty());
        EXPECT_FALSE(records->front().holder.name.empty());
        EXPECT_FALSE(records->back().items.empty());
        EXPECT_TRUE(archives::PeriodsOfPerson(*app_.db, person_id).ok());
    }
    EXPECT_EQ(sampled, 6);
    std::remove(sample.c_str());
    if (GetParam() == "sqlite") {
        EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('persons_mobile_index', "
                        "'persons_name_birth', 'archive_records_person')"),
                  3)
            << "the deferred indexes are back";
    }
}

TEST_P(GenTest, ASecondRunNeedsAppendAndContinuesTheSequence) {
    GenOptions options;
    options.persons = 120;
    options.seed = 11;
    ASSERT_TRUE(Generate(app_, options, nullptr).ok());
    auto again = Generate(app_, options, nullptr);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().reason, "already_generated");

    options.append = true;
    options.seed = 12;
    auto other_seed = Generate(app_, options, nullptr);
    ASSERT_FALSE(other_seed.ok());
    EXPECT_EQ(other_seed.error().reason, "seed_mismatch");

    options.seed.reset();
    options.persons = 80;
    auto appended = Generate(app_, options, nullptr);
    ASSERT_TRUE(appended.ok()) << appended.error().message;
    EXPECT_EQ(appended->first_number, 120u);
    EXPECT_EQ(appended->holders, 0u) << "holders exist already";
    EXPECT_EQ(Count("SELECT COUNT(*) FROM persons"), 200);

    // The same 200 persons as one run of 200 with seed 11.
    Generator reference(11);
    for (int i = 0; i < 200; ++i) {
        const GenPerson p = reference.Next();
        auto found = archives::FindPersonByIdNumber(*app_.db, keys_, p.id_number);
        ASSERT_TRUE(found.ok() && *found) << i;
        EXPECT_EQ((*found)->name, p.name);
        EXPECT_EQ((*found)->mobile, p.mobile);
    }
}

TEST_P(GenTest, HandMadePersonsAndHoldersStay) {
    ASSERT_TRUE(app_.db
                    ->Transaction([&](db::Connection& conn) -> Status {
                        auto p =
                            archives::CreatePerson(conn, keys_, clock_, "张伟", "220102198503150015", "13904310001");
                        if (!p) return p.error();
                        auto h = archives::UpsertHolder(
                            conn, clock_,
                            archives::Holder{"", "2201-ZX", "自定义中心", "centre", "某地", "0431-1", "全天", "2201"});
                        return h ? Ok() : Status(h.error());
                    })
                    .ok());
    GenOptions options;
    options.persons = 50;
    ASSERT_TRUE(Generate(app_, options, nullptr).ok());
    EXPECT_EQ(Count("SELECT COUNT(*) FROM persons"), 51);
    EXPECT_EQ(app_.db->Query("SELECT name FROM holders WHERE code = '2201-ZX'")->rows[0].Text(0), "自定义中心");
}

INSTANTIATE_TEST_SUITE_P(Backends, GenTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::bulk
