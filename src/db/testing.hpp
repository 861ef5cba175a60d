#pragma once

// Helpers for tests that need a database (test code only).

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "db/database.hpp"

namespace dangan::db::testutil {

// The error message of a failed Result, "" when it succeeded: for assertion messages.
template <typename R>
std::string Why(const R& r) {
    return r.ok() ? std::string() : r.error().message;
}

// `prefix` followed by 16 random hex digits: a fresh schema, file or application name.
inline std::string UniqueName(std::string_view prefix) {
    std::random_device device;
    std::mt19937_64 random((static_cast<std::uint64_t>(device()) << 32) ^ device() ^
                           static_cast<std::uint64_t>(getpid()));
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(random()));
    return std::string(prefix) + hex;
}

// The PostgreSQL server of the test run (DANGAN_TEST_PG_URL), "" when none is configured.
inline std::string PgBaseUrl() {
    const char* url = std::getenv("DANGAN_TEST_PG_URL");
    return url != nullptr ? url : "";
}

// `base` with extra libpq URI parameters ("a=1&b=2") appended.
inline std::string WithParams(const std::string& base, const std::string& params) {
    return base + (base.find('?') == std::string::npos ? "?" : "&") + params;
}

// A fresh database for one backend ("sqlite" or "postgresql"), removed again at destruction:
// SQLite in a temporary file, PostgreSQL in a new schema of the DANGAN_TEST_PG_URL server.
// The suites of every module that run "unchanged on both backends" use it.
class ScratchDatabase {
public:
    ScratchDatabase(const std::string& backend, std::string_view prefix) {
        if (backend == "postgresql") {
            const std::string base = PgBaseUrl();
            if (base.empty()) {
                skipped_ = true;
                return;
            }
            auto admin = Open(base);
            if (!admin.ok()) {
                error_ = admin.error().message;
                return;
            }
            admin_ = std::move(*admin);
            schema_ = UniqueName(prefix);
            if (auto created = admin_->Query("CREATE SCHEMA " + schema_); !created.ok()) {
                error_ = created.error().message;
                return;
            }
            url_ = WithParams(base, "options=-c%20search_path%3D" + schema_);
        } else {
            dir_ = std::filesystem::temp_directory_path() / UniqueName(prefix);
            std::filesystem::create_directories(dir_);
            url_ = "sqlite:" + (dir_ / "test.db").string();
        }
    }
    ~ScratchDatabase() {
        if (admin_) (void)admin_->Query("DROP SCHEMA " + schema_ + " CASCADE");
        if (!dir_.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(dir_, ignored);
        }
    }
    ScratchDatabase(const ScratchDatabase&) = delete;
    ScratchDatabase& operator=(const ScratchDatabase&) = delete;

    // True when the PostgreSQL run has no server to run on (DANGAN_TEST_PG_URL unset).
    bool skipped() const { return skipped_; }
    // Why setting up failed, "" when it did not.
    const std::string& error() const { return error_; }
    const std::string& url() const { return url_; }

    // A new handle on the database (each is like another server node), migrated when asked.
    Result<std::unique_ptr<Database>> OpenHandle(bool migrate = true) const {
        auto db = Open(url_);
        if (!db.ok()) return db.error();
        if (migrate) {
            auto migrated = (*db)->Migrate();
            if (!migrated.ok()) return migrated.error();
        }
        return std::move(*db);
    }

private:
    bool skipped_ = false;
    std::string error_;
    std::string url_;
    std::unique_ptr<Database> admin_;
    std::string schema_;
    std::filesystem::path dir_;
};

}  // namespace dangan::db::testutil
