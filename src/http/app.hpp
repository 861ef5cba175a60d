#pragma once

// The composition root handed to every module's Register(App&): configuration, the database,
// the clock and the router. main() builds one App, lets each module register its routes,
// then serves. Everything here outlives the server.

#include <atomic>
#include <memory>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "db/database.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace dangan::http {

struct App {
    core::Config config;
    std::unique_ptr<db::Database> db;
    std::unique_ptr<core::Clock> clock = std::make_unique<core::SystemClock>();
    Router router;
    Metrics metrics;
    std::atomic<bool> draining{false};  // set on SIGTERM: /readyz answers 503 from then on
};

}  // namespace dangan::http
