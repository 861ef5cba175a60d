#pragma once

// Test code only: a fresh, migrated database on each backend for the audit tests — SQLite on
// a temporary file, and PostgreSQL in a fresh schema when DANGAN_TEST_PG_URL names a server
// (skipped otherwise) — plus plain-SQL tampering helpers.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "db/database.hpp"
#include "db/testing.hpp"

namespace dangan::audit::testing {

struct Backend {
    std::string name;  // "sqlite" or "postgresql"
};

inline void PrintTo(const Backend& b, std::ostream* out) { *out << b.name; }

inline std::vector<Backend> Backends() { return {{"sqlite"}, {"postgresql"}}; }

class AuditDbTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        scratch_ = std::make_unique<db::testutil::ScratchDatabase>(GetParam().name, "dangan_audit_");
        if (scratch_->skipped()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
        ASSERT_TRUE(scratch_->error().empty()) << scratch_->error();
        db_ = OpenDb();
        ASSERT_TRUE(db_);
    }

    void TearDown() override {
        db_.reset();
        scratch_.reset();
    }

    // Another handle on the same database: a second server node.
    std::unique_ptr<db::Database> OpenDb() {
        auto db = scratch_->OpenHandle();
        EXPECT_TRUE(db.ok()) << db::testutil::Why(db);
        return db.ok() ? std::move(*db) : nullptr;
    }

    bool IsPostgres() const { return GetParam().name == "postgresql"; }

    // Runs `sql`, failing the test when it fails.
    db::ResultSet Run(const std::string& sql, const db::Params& params = {}) {
        auto rs = db_->Query(sql, params);
        EXPECT_TRUE(rs.ok()) << sql << ": " << db::testutil::Why(rs);
        return rs.ok() ? std::move(*rs) : db::ResultSet{};
    }

    // What an intruder with SQL access does first: switch the append-only triggers off.
    void DisableTriggers() {
        if (IsPostgres()) {
            Run("ALTER TABLE audit_log DISABLE TRIGGER USER");
        } else {
            Run("DROP TRIGGER audit_log_no_update");
            Run("DROP TRIGGER audit_log_no_delete");
        }
    }

    std::unique_ptr<db::testutil::ScratchDatabase> scratch_;
    std::unique_ptr<db::Database> db_;
};

}  // namespace dangan::audit::testing
