// The bulk writer on both backends (PostgreSQL when DANGAN_TEST_PG_URL names a server).

#include "db/bulk.hpp"

#include <gtest/gtest.h>

#include <array>

#include "db/testing.hpp"

namespace dangan::db {
namespace {

using testutil::Why;

class BulkTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        scratch_ = std::make_unique<testutil::ScratchDatabase>(GetParam(), "dangan_bulk_test_");
        if (scratch_->skipped()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
        ASSERT_TRUE(scratch_->error().empty()) << scratch_->error();
        auto db = scratch_->OpenHandle();
        ASSERT_TRUE(db.ok()) << Why(db);
        db_ = std::move(*db);
        const std::string blob = GetParam() == "postgresql" ? "BYTEA" : "BLOB";
        ASSERT_TRUE(db_->Query("CREATE TABLE bulk_parent (id BIGINT PRIMARY KEY, name TEXT, data " + blob + ")").ok());
        ASSERT_TRUE(db_->Query("CREATE TABLE bulk_child (parent_id BIGINT NOT NULL REFERENCES bulk_parent (id), "
                               "note TEXT)")
                        .ok());
        ASSERT_TRUE(db_->Query("CREATE INDEX bulk_child_note ON bulk_child (note)").ok());
    }

    Result<std::unique_ptr<BulkWriter>> Writer(BulkOptions options = {}) {
        return OpenBulkWriter(
            scratch_->url(), {{"bulk_parent", {"id", "name", "data"}}, {"bulk_child", {"parent_id", "note"}}}, options);
    }

    std::int64_t Count(const std::string& table) { return db_->Query("SELECT COUNT(*) FROM " + table)->rows[0].Int(0); }

    std::unique_ptr<testutil::ScratchDatabase> scratch_;
    std::unique_ptr<Database> db_;
};

TEST_P(BulkTest, RowsOfEveryTypeArriveIntact) {
    auto writer = Writer();
    ASSERT_TRUE(writer.ok()) << Why(writer);
    const std::string awkward = "tab\there, line\nbreak, back\\slash, 档案, \r";
    const std::string bytes("\x00\x01\xff\\N", 5);
    ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{1}, awkward, BytesView{bytes}}).ok());
    ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{2}, nullptr, nullptr}).ok());
    ASSERT_TRUE((*writer)->Add(1, std::array<BulkValue, 2>{std::int64_t{1}, "\\N"}).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    auto rows = db_->Query("SELECT id, name, data FROM bulk_parent ORDER BY id");
    ASSERT_TRUE(rows.ok() && rows->rows.size() == 2);
    EXPECT_EQ(rows->rows[0].Text(1), awkward);
    EXPECT_EQ(rows->rows[0].Blob(2).data, bytes);
    EXPECT_TRUE(rows->rows[1].IsNull(1));
    EXPECT_TRUE(rows->rows[1].IsNull(2));
    EXPECT_EQ(db_->Query("SELECT note FROM bulk_child")->rows[0].Text(0), "\\N");
}

TEST_P(BulkTest, CommitKeepsBatchesAndDestructionRollsBackTheOpenOne) {
    {
        auto writer = Writer();
        ASSERT_TRUE(writer.ok());
        ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{1}, "a", nullptr}).ok());
        ASSERT_TRUE(
            (*writer)
                ->Execute("INSERT INTO meta (key, value) VALUES (?, ?)", std::array<BulkValue, 2>{"bulk.test", "1"})
                .ok());
        ASSERT_TRUE((*writer)->Commit().ok());
        ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{2}, "b", nullptr}).ok());
    }
    EXPECT_EQ(Count("bulk_parent"), 1);
    EXPECT_EQ(db_->Query("SELECT value FROM meta WHERE key = 'bulk.test'")->rows.size(), 1u);
}

TEST_P(BulkTest, ADuplicateKeyFailsTheBatchAndLaterCalls) {
    auto writer = Writer();
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{1}, "a", nullptr}).ok());
    ASSERT_TRUE((*writer)->Commit().ok());
    Status added = (*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{1}, "again", nullptr});
    Status committed = added.ok() ? (*writer)->Commit() : added;  // PostgreSQL finds it at COPY
    ASSERT_FALSE(committed.ok());
    EXPECT_EQ(committed.error().reason, "unique_violation");
    EXPECT_FALSE((*writer)->Finish().ok());
    EXPECT_EQ(Count("bulk_parent"), 1);
}

TEST_P(BulkTest, WrongColumnCountIsRefused) {
    auto writer = Writer();
    ASSERT_TRUE(writer.ok());
    EXPECT_FALSE((*writer)->Add(0, std::array<BulkValue, 1>{std::int64_t{1}}).ok());
    EXPECT_FALSE((*writer)->Add(7, std::array<BulkValue, 1>{std::int64_t{1}}).ok());
}

// SQLite drops the non-unique indexes for the load; PostgreSQL ignores the option.
TEST_P(BulkTest, DeferredIndexesAreBuiltAgainAtFinishOrAfterAnInterruptedLoad) {
    const bool sqlite = GetParam() == "sqlite";
    auto has_index = [&] {
        const std::string sql = sqlite ? "SELECT 1 FROM sqlite_master WHERE name = 'bulk_child_note'"
                                       : "SELECT 1 FROM pg_indexes WHERE indexname = 'bulk_child_note' "
                                         "AND schemaname = current_schema()";
        return !db_->Query(sql)->rows.empty();
    };
    BulkOptions options;
    options.defer_indexes = true;
    {
        auto writer = Writer(options);
        ASSERT_TRUE(writer.ok()) << Why(writer);
        EXPECT_EQ(has_index(), !sqlite);
        ASSERT_TRUE((*writer)->Add(0, std::array<BulkValue, 3>{std::int64_t{1}, "a", nullptr}).ok());
        ASSERT_TRUE((*writer)->Add(1, std::array<BulkValue, 2>{std::int64_t{1}, "n"}).ok());
        ASSERT_TRUE((*writer)->Finish().ok());
    }
    EXPECT_TRUE(has_index());
    {
        auto interrupted = Writer(options);  // dropped, then never finished
        ASSERT_TRUE(interrupted.ok());
        EXPECT_EQ(has_index(), !sqlite);
    }
    auto next = Writer();
    ASSERT_TRUE(next.ok());
    EXPECT_TRUE(has_index());
    EXPECT_TRUE(db_->Query("SELECT 1 FROM meta WHERE key = 'bulk.deferred_indexes'")->rows.empty());
    EXPECT_EQ(Count("bulk_child"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, BulkTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::db
