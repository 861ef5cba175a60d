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
        scratch_ = std::make_unique<db::testutil::ScratchDatabase>(GetParam(), "dangan_identity_test_");
        if (scratch_->skipped()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
        ASSERT_TRUE(scratch_->error().empty()) << scratch_->error();
        auto opened = scratch_->OpenHandle();
        ASSERT_TRUE(opened.ok()) << db::testutil::Why(opened);
        db_ = std::move(*opened);
        keys_.seal_key = core::SecureRandom(core::kSealKeySize);
        keys_.index_key = core::SecureRandom(32);
    }

    void TearDown() override {
        db_.reset();
        scratch_.reset();
    }

    db::Database& db() { return *db_; }

    // 2026-03-02 10:00 in Shanghai.
    core::FixedClock clock_{
        core::FromShanghai(std::chrono::local_days{std::chrono::year{2026} / 3 / 2} + std::chrono::hours{10})};
    core::Config config_;
    core::Keyring keys_;
    std::unique_ptr<db::testutil::ScratchDatabase> scratch_;
    std::unique_ptr<db::Database> db_;
};

}  // namespace dangan::testsupport
