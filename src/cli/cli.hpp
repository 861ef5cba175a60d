#pragma once

// The command line: `dangan serve | init | version | config check`, each with --help, and
// the shared --config FILE / --db URL options. Modules are passed in by main() so this
// module never names them.

#include <functional>
#include <optional>
#include <vector>

#include "http/app.hpp"

namespace CLI {
class App;
}

namespace dangan::cli {

// A module's hook: register its routes on the app.
using Registrar = std::function<void(http::App&)>;
// A module's demo data: called by `dangan init --demo` after migrations.
using DemoSeeder = std::function<Status(http::App&)>;

// A module's subcommands (e.g. `dangan user add`, `dangan audit verify`): `add` declares
// them on the root CLI11 app (the type stays opaque here); after parsing, `run_if_chosen`
// runs the chosen one and returns its exit code, or nullopt when none of its was chosen.
struct CommandSet {
    std::function<void(CLI::App& root)> add;
    std::function<std::optional<int>()> run_if_chosen;
};

struct Modules {
    std::vector<Registrar> registrars;
    std::vector<DemoSeeder> demo_seeders;
    std::vector<DemoSeeder> init_steps;  // run by every `dangan init` (idempotent), before the demo seeders
    std::vector<CommandSet> commands;
};

// Exit codes: 0 ok, 1 runtime failure, 2 configuration or usage error, 3 database unavailable.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitConfig = 2;
inline constexpr int kExitDatabase = 3;

int Run(int argc, char** argv, const Modules& modules);

}  // namespace dangan::cli
