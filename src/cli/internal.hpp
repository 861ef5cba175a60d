#pragma once

// What every subcommand shares: the --config/--db options, loading the effective
// configuration, and opening the App (logging, database migrated, keys loaded). For the
// cli module and the modules' own command files (src/<module>/*_command.cpp).

#include <memory>
#include <string>
#include <variant>

#include <CLI/CLI.hpp>

#include "cli/cli.hpp"
#include "core/config.hpp"
#include "http/app.hpp"

namespace dangan::cli {

struct CommonOptions {
    std::string config_file;
    std::string db_url;
    std::string listen;
    std::string web_root;
};

// Adds --config FILE and --db URL to `cmd`.
void AddCommon(CLI::App* cmd, CommonOptions& o);

// Prints "错误：<message>" to stderr.
void PrintError(const Error& e);

// Defaults ← dangan.toml ← DANGAN_* environment ← flags.
Result<core::Config> LoadEffectiveConfig(const CommonOptions& o);

// Loads the configuration, starts logging, opens and migrates the database and loads the
// keys (creating the key file first when `create_keys`). Returns the App, or the exit code
// to end with after printing why.
std::variant<std::unique_ptr<http::App>, int> OpenApp(const CommonOptions& o, bool create_keys);

}  // namespace dangan::cli
