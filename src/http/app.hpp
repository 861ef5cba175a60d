#pragma once

// The composition root handed to every module's Register(App&): configuration, the database,
// the clock and the router. main() builds one App, lets each module register its routes,
// then serves. Everything here outlives the server.

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/keyring.hpp"
#include "core/periodic.hpp"
#include "db/database.hpp"
#include "http/auth.hpp"
#include "http/metrics.hpp"
#include "http/router.hpp"

namespace dangan::audit {
class AuditLog;
}
namespace dangan::notify {
class Sender;
}

namespace dangan::http {

struct App {
    core::Config config;
    std::unique_ptr<db::Database> db;
    std::unique_ptr<core::Clock> clock = std::make_unique<core::SystemClock>();
    Router router;
    Metrics metrics;
    std::atomic<bool> draining{false};  // set on SIGTERM: /readyz answers 503 from then on
    core::Keyring keyring;              // loaded at start from security.key_file
    bool background_jobs = true;        // false for commands that only inspect (dangan routes)
    std::unique_ptr<Guard> guard;       // set by identity::Register; null = only public routes
    // Shared services, set by their modules' Register (shared_ptr: the types stay incomplete here).
    std::shared_ptr<audit::AuditLog> audit;
    std::shared_ptr<notify::Sender> sms_sender;
    // Scheduled jobs of this node (declared after db, so they stop before it closes).
    std::vector<std::unique_ptr<core::Periodic>> jobs;
    // The headers every response carries, built from `config` on first use (http::SecurityHeaders).
    std::once_flag security_headers_once;
    std::vector<std::pair<std::string, std::string>> security_headers;
};

// How a module adds a route: a plain function of the App and the request.
using AppHandler = Response (*)(App&, Request&);
inline void AddRoute(App& app, Method method, const std::string& pattern, Access access, AppHandler handler) {
    App* a = &app;
    app.router.Add(method, pattern, std::move(access), [a, handler](Request& r) { return handler(*a, r); });
}

}  // namespace dangan::http
