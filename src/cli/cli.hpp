#pragma once

// The command line: `dangan serve | init | version | config check`, each with --help, and
// the shared --config FILE / --db URL options. Modules are passed in by main() so this
// module never names them.

#include <functional>
#include <vector>

#include "http/app.hpp"

namespace dangan::cli {

// A module's hook: register its routes on the app.
using Registrar = std::function<void(http::App&)>;
// A module's demo data: called by `dangan init --demo` after migrations.
using DemoSeeder = std::function<Status(http::App&)>;

struct Modules {
    std::vector<Registrar> registrars;
    std::vector<DemoSeeder> demo_seeders;
};

// Exit codes: 0 ok, 1 runtime failure, 2 configuration or usage error, 3 database unavailable.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 2;
inline constexpr int kExitDatabase = 3;

int Run(int argc, char** argv, const Modules& modules);

}  // namespace dangan::cli
