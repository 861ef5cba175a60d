#pragma once

// Test support for identity/ and archives/ (test code only): a fixture that runs a suite on a
// freshly migrated database of each backend — SQLite in a temporary file, and PostgreSQL in a
// fresh schema when DANGAN_TEST_PG_URL names a server (skipped otherwise) — with a FixedClock,
// default configuration and fresh random keys.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/keyring.hpp"
#include "db/database.hpp"
#include "db/testing.hpp"

namespace dangan::testsupport {

inline std::vector<std::string> Backends() { return {"sqlite", "postgresql"}; }

class MigratedDatabaseTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        std::string url;
        if (GetParam() == "postgresql") {
            const std::string base = db::testutil::PgBaseUrl();
            if (base.empty()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
            auto admin = db::Open(base);
            ASSERT_TRUE(admin.ok()) << db::testutil::Why(admin);
            admin_ = std::move(*admin);
            schema_ = db::testutil::UniqueName("dangan_test_");
            auto created = admin_->Query("CREATE SCHEMA " + schema_);
            ASSERT_TRUE(created.ok()) << db::testutil::Why(created);
            url = db::testutil::WithParams(base, "options=-c%20search_path%3D" + schema_);
        } else {
            dir_ = std::filesystem::temp_directory_path() / db::testutil::UniqueName("dangan_identity_test_");
            std::filesystem::create_directories(dir_);
            url = "sqlite:" + (dir_ / "test.db").string();
        }
        auto opened = db::Open(url);
        ASSERT_TRUE(opened.ok()) << db::testutil::Why(opened);
        db_ = std::move(*opened);
        auto migrated = db_->Migrate();
        ASSERT_TRUE(migrated.ok()) << db::testutil::Why(migrated);
        keys_.seal_key = core::SecureRandom(core::kSealKeySize);
        keys_.index_key = core::SecureRandom(32);
    }

    void TearDown() override {
        db_.reset();
        if (admin_) (void)admin_->Query("DROP SCHEMA " + schema_ + " CASCADE");
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
        }
    }

    db::Database& db() { return *db_; }

    // 2026-03-02 10:00 in Shanghai.
    core::FixedClock clock_{
        core::FromShanghai(std::chrono::local_days{std::chrono::year{2026} / 3 / 2} + std::chrono::hours{10})};
    core::Config config_;
    core::Keyring keys_;
    std::unique_ptr<db::Database> db_;
    std::unique_ptr<db::Database> admin_;
    std::string schema_;
    std::filesystem::path dir_;
};

}  // namespace dangan::testsupport
