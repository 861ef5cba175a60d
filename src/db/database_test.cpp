// Repository tests that run unchanged on every backend: SQLite on a fresh temporary file,
// and PostgreSQL in a fresh schema when DANGAN_TEST_PG_URL names a server (the run is
// skipped with a message otherwise).

#include "db/database.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <future>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "db/migrations.hpp"
#include "db/testing.hpp"

namespace dangan::db {
namespace {

using testutil::PgBaseUrl;
using testutil::UniqueName;
using testutil::Why;
using testutil::WithParams;

struct Target {
    std::string name;      // "sqlite" or "postgresql"
    std::string base_url;  // PostgreSQL server to use; empty for SQLite or when not configured
};

void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }

std::vector<Target> Targets() { return {{"sqlite", ""}, {"postgresql", PgBaseUrl()}}; }

class DatabaseTest : public ::testing::TestWithParam<Target> {
protected:
    void SetUp() override {
        const Target& target = GetParam();
        if (target.name == "postgresql") {
            if (target.base_url.empty()) {
                GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
            }
            auto admin = Open(target.base_url);
            ASSERT_TRUE(admin.ok()) << Why(admin);
            admin_ = std::move(*admin);
            schema_ = UniqueName("dangan_test_");
            auto created = admin_->Query("CREATE SCHEMA " + schema_);
            ASSERT_TRUE(created.ok()) << Why(created);
            url_ =
                WithParams(target.base_url, "options=-c%20search_path%3D" + schema_ + "&application_name=" + schema_);
        } else {
            dir_ = std::filesystem::temp_directory_path() / UniqueName("dangan_db_test_");
            std::filesystem::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "test.db").string();
        }
        auto db = Open(url_, options_);
        ASSERT_TRUE(db.ok()) << Why(db);
        db_ = std::move(*db);
    }

    void TearDown() override {
        db_.reset();
        if (admin_) {
            (void)admin_->Query("DROP SCHEMA " + schema_ + " CASCADE");
        }
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
        }
    }

    Database& db() { return *db_; }

    // Runs `sql`, failing the test (not aborting it) when it fails.
    ResultSet Run(std::string_view sql, const Params& params = {}) {
        auto rs = db_->Query(sql, params);
        EXPECT_TRUE(rs.ok()) << sql << ": " << Why(rs);
        return rs.ok() ? std::move(*rs) : ResultSet{};
    }

    std::int64_t Count(const std::string& table) {
        ResultSet rs = Run("SELECT COUNT(*) FROM " + table);
        return rs.rows.size() == 1 ? rs.rows[0].Int(0) : -1;
    }

    Options options_;
    std::string url_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<Database> admin_;
    std::string schema_;
    std::filesystem::path dir_;
};

TEST_P(DatabaseTest, MigrateTwiceIsIdempotent) {
    auto before = db().SchemaVersion();
    ASSERT_TRUE(before.ok()) << Why(before);
    EXPECT_EQ(*before, 0);

    auto first = db().Migrate();
    ASSERT_TRUE(first.ok()) << Why(first);
    EXPECT_EQ(*first, internal::EmbeddedMigrations(db().backend()).back().version);
    auto second = db().Migrate();
    ASSERT_TRUE(second.ok()) << Why(second);
    EXPECT_EQ(*second, *first);
    auto version = db().SchemaVersion();
    ASSERT_TRUE(version.ok()) << Why(version);
    EXPECT_EQ(*version, *first);
    EXPECT_EQ(Count("schema_migrations"),
              static_cast<std::int64_t>(internal::EmbeddedMigrations(db().backend()).size()));

    ResultSet applied = Run("SELECT name, applied_at FROM schema_migrations WHERE version = 1");
    ASSERT_EQ(applied.rows.size(), 1u);
    EXPECT_EQ(applied.rows[0].Text(0), "meta");
    EXPECT_FALSE(applied.rows[0].Text(1).empty());

    // Migration 001 made the meta table.
    Run("INSERT INTO meta (key, value) VALUES (?, ?)", {std::string("kb_version"), std::string("7")});
    ResultSet meta = Run("SELECT value FROM meta WHERE key = ?", {std::string("kb_version")});
    ASSERT_EQ(meta.rows.size(), 1u);
    EXPECT_EQ(meta.rows[0].Text(0), "7");
}

TEST_P(DatabaseTest, TwoProcessesMigratingAtOnceAgree) {
    auto other = Open(url_, options_);
    ASSERT_TRUE(other.ok()) << Why(other);
    Result<int> a = 0;
    Result<int> b = 0;
    std::thread first([&] { a = db().Migrate(); });
    std::thread second([&] { b = (*other)->Migrate(); });
    first.join();
    second.join();
    ASSERT_TRUE(a.ok()) << Why(a);
    ASSERT_TRUE(b.ok()) << Why(b);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(Count("schema_migrations"),
              static_cast<std::int64_t>(internal::EmbeddedMigrations(db().backend()).size()));
}

TEST_P(DatabaseTest, FailingMigrationLeavesNothingBehind) {
    auto migrated = db().Migrate();
    ASSERT_TRUE(migrated.ok()) << Why(migrated);
    const internal::Migration broken[] = {
        {1000, "broken", "CREATE TABLE half_done (id INTEGER);\nINSERT INTO no_such_table VALUES (1);"}};
    auto result = internal::RunMigrations(db(), broken);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("1000_broken"), std::string::npos) << result.error().message;
    auto version = db().SchemaVersion();
    ASSERT_TRUE(version.ok()) << Why(version);
    EXPECT_EQ(*version, *migrated);
    EXPECT_FALSE(db().Query("SELECT COUNT(*) FROM half_done").ok());
}

TEST_P(DatabaseTest, RoundTripsEveryValueType) {
    Run("CREATE TABLE vals (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, s TEXT, b BYTEA)");
    std::string all_bytes;
    for (int c = 0; c < 256; ++c) {
        all_bytes.push_back(static_cast<char>(c));
    }
    const std::vector<Params> rows = {
        {std::int64_t{1}, nullptr, nullptr, nullptr, nullptr},
        {std::int64_t{2}, std::numeric_limits<std::int64_t>::max(), 3.141592653589793,
         std::string("档案存放地查询：社会保险 ✓ 𠀀 \"双引号\" 'single' ?"), Bytes{std::string("\0a\0b\xff", 5)}},
        {std::int64_t{3}, std::numeric_limits<std::int64_t>::min(), -1.5e-300, std::string(), Bytes{}},
        {std::int64_t{4}, std::int64_t{0}, 1e300, std::string("换行\n制表\t反斜杠\\"), Bytes{all_bytes}},
        {std::int64_t{5}, std::int64_t{-1}, 0.1, std::string("x"), Bytes{std::string(1, '\0')}},
    };
    for (const Params& row : rows) {
        ResultSet inserted = Run("INSERT INTO vals (id, i, r, s, b) VALUES (?, ?, ?, ?, ?)", row);
        EXPECT_EQ(inserted.affected, 1);
    }
    ResultSet rs = Run("SELECT id, i, r, s, b FROM vals ORDER BY id");
    ASSERT_EQ(rs.rows.size(), rows.size());
    EXPECT_EQ(rs.columns, (std::vector<std::string>{"id", "i", "r", "s", "b"}));
    for (std::size_t r = 0; r < rows.size(); ++r) {
        for (std::size_t c = 0; c < rows[r].size(); ++c) {
            EXPECT_TRUE(rs.rows[r][c] == rows[r][c]) << "row " << r << " column " << c;
        }
    }
    const Row& nulls = rs.rows[0];
    EXPECT_TRUE(nulls.IsNull(1));
    EXPECT_EQ(nulls.OptInt(1), std::nullopt);
    EXPECT_EQ(nulls.OptText(3), std::nullopt);
    const Row& full = rs.rows[1];
    EXPECT_EQ(full.Int(1), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(full.OptInt(1), std::numeric_limits<std::int64_t>::max());
    EXPECT_DOUBLE_EQ(full.Real(2), 3.141592653589793);
    EXPECT_EQ(full.OptText(3), std::string("档案存放地查询：社会保险 ✓ 𠀀 \"双引号\" 'single' ?"));
    EXPECT_EQ(full.Blob(4).data.size(), 5u);
    EXPECT_EQ(rs.rows[3].Blob(4).data, all_bytes);
    EXPECT_EQ(rs.rows[3].Real(1), 0.0);  // Real() reads an integer too

    // Filtering by a parameter of each type finds the row.
    EXPECT_EQ(Run("SELECT id FROM vals WHERE b = ?", {Bytes{all_bytes}}).rows.size(), 1u);
    EXPECT_EQ(Run("SELECT id FROM vals WHERE i = ?", {std::numeric_limits<std::int64_t>::min()}).rows.size(), 1u);
    EXPECT_EQ(Run("SELECT id FROM vals WHERE r = ?", {0.1}).rows.size(), 1u);
}

TEST_P(DatabaseTest, ComputedValuesHaveTheSameTypesOnBothBackends) {
    Run("CREATE TABLE nums (n BIGINT NOT NULL)");
    Run("INSERT INTO nums (n) VALUES (?), (?), (?)", {std::int64_t{1}, std::int64_t{2}, std::int64_t{4000000000}});
    ResultSet rs =
        Run("SELECT COUNT(*), SUM(n), MAX(n), CAST(? AS BIGINT) + 1, 1 = 1, 1 = 0 FROM nums", {std::int64_t{41}});
    ASSERT_EQ(rs.rows.size(), 1u);
    EXPECT_EQ(rs.rows[0].Int(0), 3);
    EXPECT_EQ(rs.rows[0].Int(1), 4000000003);  // NUMERIC on PostgreSQL, integral → int64
    EXPECT_EQ(rs.rows[0].Int(2), 4000000000);
    EXPECT_EQ(rs.rows[0].Int(3), 42);
    EXPECT_EQ(rs.rows[0].Int(4), 1);  // bool on PostgreSQL
    EXPECT_EQ(rs.rows[0].Int(5), 0);
    EXPECT_EQ(Run("SELECT AVG(n) FROM nums WHERE n < 3").rows.at(0).Real(0), 1.5);
}

TEST_P(DatabaseTest, QuestionMarkInsideLiteralIsNotAPlaceholder) {
    Run("CREATE TABLE notes (id INTEGER PRIMARY KEY, \"odd?\" TEXT)");
    ResultSet inserted = Run("INSERT INTO notes (id, \"odd?\") VALUES (?, 'what? why?')", {std::int64_t{1}});
    EXPECT_EQ(inserted.affected, 1);
    ResultSet rs =
        Run("SELECT \"odd?\", ? FROM notes -- a comment?\n"
            "WHERE \"odd?\" = 'what? why?' /* and? */ AND id = ?",
            {std::string("参数"), std::int64_t{1}});
    ASSERT_EQ(rs.rows.size(), 1u);
    EXPECT_EQ(rs.rows[0].Text(0), "what? why?");
    EXPECT_EQ(rs.rows[0].Text(1), "参数");

    // A wrong number of parameters is an error, not a crash.
    auto too_few = db().Query("SELECT id FROM notes WHERE id = ?");
    ASSERT_FALSE(too_few.ok());
    EXPECT_EQ(too_few.error().code, ErrorCode::kInternal);
    EXPECT_FALSE(db().Query("SELECT '?' FROM notes", {std::int64_t{1}}).ok());
    EXPECT_FALSE(db().Query("SELECT 1; SELECT 2").ok());                  // one statement per call
    EXPECT_FALSE(db().Query("SELECT ?", {std::string("a\0b", 3)}).ok());  // NUL in text: use Bytes
}

TEST_P(DatabaseTest, DurableTransactionCommitsOrLeavesNothingAndLeavesTheWriterAsItWas) {
    Run("CREATE TABLE seats (id INTEGER PRIMARY KEY)");
    Status committed = db().DurableTransaction([&](Connection& conn) -> Status {
        if (conn.backend() == Backend::kSqlite) {
            auto level = conn.Query("PRAGMA synchronous");
            DANGAN_TRY(level);
            EXPECT_EQ(level->rows.at(0).Int(0), 2);  // FULL
        }
        DANGAN_TRY(conn.Query("INSERT INTO seats (id) VALUES (1)"));
        return Ok();
    });
    ASSERT_TRUE(committed.ok()) << Why(committed);
    Status failed = db().DurableTransaction([&](Connection& conn) -> Status {
        DANGAN_TRY(conn.Query("INSERT INTO seats (id) VALUES (2)"));
        return MakeError(ErrorCode::kConflict, "已约满");
    });
    EXPECT_FALSE(failed.ok());
    EXPECT_EQ(Count("seats"), 1);
    Status after = db().Transaction([&](Connection& conn) -> Status {
        if (conn.backend() == Backend::kSqlite) {
            auto level = conn.Query("PRAGMA synchronous");
            DANGAN_TRY(level);
            EXPECT_EQ(level->rows.at(0).Int(0), 1);  // NORMAL again
        }
        return Ok();
    });
    EXPECT_TRUE(after.ok()) << Why(after);
}

TEST_P(DatabaseTest, TransactionCommitsOrLeavesNothing) {
    Run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
    auto insert = [](Connection& conn, std::int64_t id) {
        return conn.Query("INSERT INTO items (id, name) VALUES (?, ?)", {id, std::string("卷宗")});
    };

    Status committed = db().Transaction([&](Connection& conn) -> Status {
        EXPECT_EQ(conn.backend(), db().backend());
        DANGAN_TRY(insert(conn, 1));
        DANGAN_TRY(insert(conn, 2));
        auto seen = conn.Query("SELECT COUNT(*) FROM items");  // the transaction sees its own writes
        DANGAN_TRY(seen);
        EXPECT_EQ(seen->rows.at(0).Int(0), 2);
        return Ok();
    });
    ASSERT_TRUE(committed.ok()) << Why(committed);
    EXPECT_EQ(Count("items"), 2);

    Status failed = db().Transaction([&](Connection& conn) -> Status {
        DANGAN_TRY(insert(conn, 3));
        return MakeError(ErrorCode::kUnprocessable, "业务规则不允许");
    });
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(Count("items"), 2);

    EXPECT_THROW((void)db().Transaction([&](Connection& conn) -> Status {
        DANGAN_TRY(insert(conn, 4));
        throw std::runtime_error("bug");
    }),
                 std::runtime_error);
    EXPECT_EQ(Count("items"), 2);

    // A failed statement aborts the transaction even when the callback carries on.
    Status ignored = db().Transaction([&](Connection& conn) -> Status {
        (void)insert(conn, 5);
        (void)insert(conn, 1);  // duplicate
        auto after = insert(conn, 6);
        EXPECT_FALSE(after.ok());
        EXPECT_EQ(after.error().reason, "transaction_aborted");
        return Ok();
    });
    ASSERT_FALSE(ignored.ok());
    EXPECT_EQ(ignored.error().reason, "unique_violation");
    EXPECT_EQ(Count("items"), 2);

    // A transaction cannot be opened through Query(): it would capture later callers' writes.
    auto begun = db().Query("BEGIN");
    ASSERT_FALSE(begun.ok());
    EXPECT_EQ(begun.error().code, ErrorCode::kInternal);
    Run("INSERT INTO items (id, name) VALUES (8, 'y')");
    EXPECT_EQ(Count("items"), 3);  // committed: seen from a reader connection
    Run("DELETE FROM items WHERE id = 8");
    EXPECT_EQ(Count("items"), 2);

    // Calling the Database from inside its own transaction is refused, not a deadlock.
    Status reentrant = db().Transaction([&](Connection&) -> Status {
        auto nested = db().Query("INSERT INTO items (id, name) VALUES (7, 'x')");
        EXPECT_FALSE(nested.ok());
        return db().Transaction([](Connection&) { return Ok(); });
    });
    ASSERT_FALSE(reentrant.ok());
    EXPECT_EQ(reentrant.error().code, ErrorCode::kInternal);
    EXPECT_EQ(Count("items"), 2);
    EXPECT_EQ(db().Stats().in_use, 0);
}

TEST_P(DatabaseTest, ConstraintViolationsAreConflicts) {
    Run("CREATE TABLE holders (id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
        "shelves BIGINT CHECK (shelves >= 0))");
    Run("CREATE TABLE boxes (id INTEGER PRIMARY KEY, holder_id INTEGER NOT NULL REFERENCES holders (id))");
    Run("INSERT INTO holders (id, code, shelves) VALUES (1, 'A', 3)");

    auto duplicate_key = db().Query("INSERT INTO holders (id, code) VALUES (1, 'B')");
    ASSERT_FALSE(duplicate_key.ok());
    EXPECT_EQ(duplicate_key.error().code, ErrorCode::kConflict);
    EXPECT_EQ(duplicate_key.error().reason, "unique_violation");
    EXPECT_FALSE(duplicate_key.error().message.empty());

    auto duplicate_code =
        db().Query("INSERT INTO holders (id, code) VALUES (?, ?)", {std::int64_t{2}, std::string("A")});
    ASSERT_FALSE(duplicate_code.ok());
    EXPECT_EQ(duplicate_code.error().reason, "unique_violation");

    for (const char* sql : {"INSERT INTO holders (id, code) VALUES (3, NULL)",
                            "INSERT INTO holders (id, code, shelves) VALUES (4, 'D', -1)",
                            "INSERT INTO boxes (id, holder_id) VALUES (1, 99)"}) {
        auto violated = db().Query(sql);
        ASSERT_FALSE(violated.ok()) << sql;
        EXPECT_EQ(violated.error().code, ErrorCode::kConflict) << sql;
        EXPECT_EQ(violated.error().reason, "constraint_violation") << sql;
    }

    auto syntax = db().Query("SELEKT 1");
    ASSERT_FALSE(syntax.ok());
    EXPECT_EQ(syntax.error().code, ErrorCode::kInternal);
    auto missing = db().Query("SELECT * FROM no_such_table");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().code, ErrorCode::kInternal);
    EXPECT_EQ(Count("holders"), 1);
}

TEST_P(DatabaseTest, ConcurrentTransactionsDoNotLoseUpdates) {
    Run("CREATE TABLE counter (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)");
    Run("CREATE TABLE counter_log (worker BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (worker, seq))");
    Run("INSERT INTO counter (id, n) VALUES (1, 0)");
    constexpr int kThreads = 8;
    constexpr int kIncrements = 50;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kIncrements; ++i) {
                Status s = db().Transaction([&](Connection& conn) -> Status {
                    auto updated = conn.Query("UPDATE counter SET n = n + 1 WHERE id = 1 RETURNING n");
                    DANGAN_TRY(updated);
                    if (updated->rows.size() != 1) {
                        return MakeError(ErrorCode::kInternal, "no counter row");
                    }
                    DANGAN_TRY(conn.Query("INSERT INTO counter_log (worker, seq) VALUES (?, ?)",
                                          {std::int64_t{t}, std::int64_t{i}}));
                    return Ok();
                });
                auto read = db().Query("SELECT n FROM counter WHERE id = 1");
                if (!s.ok() || !read.ok()) {
                    ++failures;
                }
            }
        });
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(failures.load(), 0);
    ResultSet rs = Run("SELECT n FROM counter WHERE id = 1");
    ASSERT_EQ(rs.rows.size(), 1u);
    EXPECT_EQ(rs.rows[0].Int(0), kThreads * kIncrements);
    EXPECT_EQ(Count("counter_log"), kThreads * kIncrements);
    EXPECT_EQ(db().Stats().in_use, 0);
}

TEST_P(DatabaseTest, ReturningAndOnConflictWork) {
    Run("CREATE TABLE kv (k TEXT PRIMARY KEY, v BIGINT NOT NULL)");
    ResultSet inserted =
        Run("INSERT INTO kv (k, v) VALUES (?, ?) RETURNING k, v", {std::string("甲"), std::int64_t{1}});
    ASSERT_EQ(inserted.rows.size(), 1u);
    EXPECT_EQ(inserted.rows[0].Text(0), "甲");
    EXPECT_EQ(inserted.rows[0].Int(1), 1);
    EXPECT_EQ(inserted.affected, 1);

    ResultSet upserted =
        Run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = kv.v + excluded.v "
            "RETURNING v",
            {std::string("甲"), std::int64_t{2}});
    ASSERT_EQ(upserted.rows.size(), 1u);
    EXPECT_EQ(upserted.rows[0].Int(0), 3);

    ResultSet skipped = Run("INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING RETURNING k",
                            {std::string("甲"), std::int64_t{9}});
    EXPECT_TRUE(skipped.empty());
    EXPECT_EQ(skipped.affected, 0);

    Run("INSERT INTO kv (k, v) VALUES ('乙', 10)");
    EXPECT_EQ(Run("UPDATE kv SET v = v + 1").affected, 2);
    EXPECT_EQ(Run("SELECT k FROM kv").affected, 0);
    ResultSet cte =
        Run("WITH big AS (SELECT k, v FROM kv WHERE v > ?) SELECT k FROM big ORDER BY v", {std::int64_t{5}});
    ASSERT_EQ(cte.rows.size(), 1u);
    EXPECT_EQ(cte.rows[0].Text(0), "乙");
    // A WITH that writes looks like a read but must run on a connection that may write.
    ResultSet written = Run("WITH n AS (SELECT ? AS k) INSERT INTO kv (k, v) SELECT k, 1 FROM n", {std::string("丙")});
    EXPECT_EQ(written.affected, 1);
    EXPECT_EQ(Run("DELETE FROM kv WHERE k = ?", {std::string("甲")}).affected, 1);
    EXPECT_EQ(Count("kv"), 2);
}

TEST_P(DatabaseTest, ReadsDoNotWaitForAnOpenTransaction) {
    Run("CREATE TABLE files (id INTEGER PRIMARY KEY)");
    std::promise<void> written;
    std::promise<void> read_done;
    std::thread writer([&] {
        Status s = db().Transaction([&](Connection& conn) -> Status {
            DANGAN_TRY(conn.Query("INSERT INTO files (id) VALUES (1)"));
            written.set_value();
            read_done.get_future().wait();
            return Ok();
        });
        EXPECT_TRUE(s.ok()) << Why(s);
    });
    written.get_future().wait();
    // The open transaction holds the SQLite writer (a PostgreSQL connection); a read goes
    // to another connection at once and does not see the uncommitted row.
    const auto started = std::chrono::steady_clock::now();
    auto during = db().Query("SELECT COUNT(*) FROM files");
    const auto waited = std::chrono::steady_clock::now() - started;
    read_done.set_value();
    writer.join();
    ASSERT_TRUE(during.ok()) << Why(during);
    EXPECT_EQ(during->rows.at(0).Int(0), 0);
    EXPECT_LT(waited, std::chrono::seconds(2));
    EXPECT_EQ(Count("files"), 1);
}

TEST_P(DatabaseTest, PingAndStats) {
    Status ping = db().Ping();
    EXPECT_TRUE(ping.ok()) << Why(ping);
    const PoolStats stats = db().Stats();
    EXPECT_GE(stats.size, 1);
    EXPECT_LE(stats.size, options_.pool_size + 1);
    EXPECT_EQ(stats.in_use, 0);
    EXPECT_GE(stats.waits, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseTest, ::testing::ValuesIn(Targets()),
                         [](const ::testing::TestParamInfo<Target>& info) { return info.param.name; });

}  // namespace
}  // namespace dangan::db
