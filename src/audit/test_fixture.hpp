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
        using db::testutil::UniqueName;
        if (GetParam().name == "postgresql") {
            const std::string base = db::testutil::PgBaseUrl();
            if (base.empty()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
            auto admin = db::Open(base);
            ASSERT_TRUE(admin.ok()) << db::testutil::Why(admin);
            admin_ = std::move(*admin);
            schema_ = UniqueName("dangan_audit_");
            ASSERT_TRUE(admin_->Query("CREATE SCHEMA " + schema_).ok());
            url_ = db::testutil::WithParams(base, "options=-c%20search_path%3D" + schema_);
        } else {
            dir_ = std::filesystem::temp_directory_path() / UniqueName("dangan_audit_");
            std::filesystem::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "audit.db").string();
        }
        db_ = OpenDb();
        ASSERT_TRUE(db_);
        auto migrated = db_->Migrate();
        ASSERT_TRUE(migrated.ok()) << db::testutil::Why(migrated);
    }

    void TearDown() override {
        db_.reset();
        if (admin_) (void)admin_->Query("DROP SCHEMA " + schema_ + " CASCADE");
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
        }
    }

    // Another handle on the same database: a second server node.
    std::unique_ptr<db::Database> OpenDb() {
        auto db = db::Open(url_);
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

    std::string url_;
    std::unique_ptr<db::Database> db_;
    std::unique_ptr<db::Database> admin_;
    std::string schema_;
    std::filesystem::path dir_;
};

}  // namespace dangan::audit::testing
