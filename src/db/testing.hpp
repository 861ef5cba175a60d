#pragma once

// Helpers for the tests of src/db/ (test code only).

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

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

}  // namespace dangan::db::testutil
