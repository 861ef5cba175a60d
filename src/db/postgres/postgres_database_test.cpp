// PostgreSQL only (skipped when DANGAN_TEST_PG_URL is not set): the pool drops connections
// the server has closed and opens fresh ones.

#include "db/postgres/postgres_database.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "db/testing.hpp"

namespace dangan::db {
namespace {

using testutil::PgBaseUrl;
using testutil::UniqueName;
using testutil::Why;
using testutil::WithParams;

TEST(Postgres, ReplacesLostConnections) {
    const std::string base = PgBaseUrl();
    if (base.empty()) {
        GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
    }
    const std::string app = UniqueName("dangan_lost_");
    auto opened = Open(WithParams(base, "application_name=" + app), Options{.pool_size = 2});
    ASSERT_TRUE(opened.ok()) << Why(opened);
    Database& db = **opened;
    auto admin = Open(base);
    ASSERT_TRUE(admin.ok()) << Why(admin);

    // Killed while in use: the statement fails as unavailable, the next one reconnects.
    auto killed = db.Query("SELECT pg_terminate_backend(pg_backend_pid())");
    ASSERT_FALSE(killed.ok());
    EXPECT_EQ(killed.error().code, ErrorCode::kUnavailable);
    EXPECT_EQ(db.Stats().size, 0);
    EXPECT_TRUE(db.Ping().ok());
    EXPECT_EQ(db.Stats().size, 1);

    Status in_transaction = db.Transaction([](Connection& conn) -> Status {
        DANGAN_TRY(conn.Query("SELECT pg_terminate_backend(pg_backend_pid())"));
        return Ok();
    });
    ASSERT_FALSE(in_transaction.ok());
    EXPECT_EQ(in_transaction.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(db.Transaction([](Connection& conn) -> Status {
                      DANGAN_TRY(conn.Query("SELECT 1"));
                      return Ok();
                  }).ok());

    // Killed while idle (as by a server restart): found stale when next lent out.
    auto terminated =
        (*admin)->Query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?", {app});
    ASSERT_TRUE(terminated.ok()) << Why(terminated);
    ASSERT_EQ(terminated->rows.size(), 1u);
    for (int i = 0; i < 100; ++i) {
        auto left = (*admin)->Query("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?", {app});
        if (left.ok() && left->rows.at(0).Int(0) == 0) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Status after_restart = db.Ping();
    EXPECT_TRUE(after_restart.ok()) << Why(after_restart);
    EXPECT_EQ(db.Stats().in_use, 0);
}

}  // namespace
}  // namespace dangan::db
