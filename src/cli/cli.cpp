#include "cli/cli.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

#include "core/build_info.hpp"
#include "core/logging.hpp"
#include "cli/internal.hpp"
#include "http/server.hpp"

namespace dangan::cli {

void AddCommon(CLI::App* cmd, CommonOptions& o) {
    cmd->add_option("--config", o.config_file, "Configuration file (default: ./dangan.toml when present)");
    cmd->add_option("--db", o.db_url, "Database URL: sqlite:PATH or postgresql://user@host:port/db");
}

void PrintError(const Error& e) { std::cerr << "错误：" << e.message << "\n"; }

Result<core::Config> LoadEffectiveConfig(const CommonOptions& o) {
    std::optional<std::string> path;
    if (!o.config_file.empty()) {
        if (!std::filesystem::exists(o.config_file)) {
            return MakeError(ErrorCode::kInvalidArgument, "找不到配置文件 " + o.config_file, "--config");
        }
        path = o.config_file;
    } else if (std::filesystem::exists("dangan.toml")) {
        path = "dangan.toml";
    }
    auto config = core::LoadConfig(path, core::ProcessEnvironment());
    if (!config) return config.error();
    if (!o.db_url.empty()) DANGAN_TRY(core::SetConfigKey(*config, "database.url", o.db_url));
    if (!o.listen.empty()) DANGAN_TRY(core::SetConfigKey(*config, "server.listen", o.listen));
    if (!o.web_root.empty()) DANGAN_TRY(core::SetConfigKey(*config, "server.web_root", o.web_root));
    DANGAN_TRY(core::ValidateConfig(*config));
    return config;
}

std::variant<std::unique_ptr<http::App>, int> OpenApp(const CommonOptions& o, bool create_keys) {
    auto config = LoadEffectiveConfig(o);
    if (!config) {
        PrintError(config.error());
        return kExitConfig;
    }
    if (auto s = core::InitLogging(config->log.level, config->log.format); !s) {
        PrintError(s.error());
        return kExitConfig;
    }
    auto app = std::make_unique<http::App>();
    app->config = std::move(*config);
    const std::string& url = app->config.database.url;
    if (url.rfind("sqlite:", 0) == 0) {  // create the folder that will hold the file
        std::error_code ec;
        auto parent = std::filesystem::path(url.substr(7)).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    }
    db::Options db_options;
    db_options.pool_size = static_cast<int>(app->config.database.pool_size);
    db_options.busy_timeout = std::chrono::milliseconds(app->config.database.busy_timeout_ms);
    auto db = db::Open(url, db_options);
    if (!db) {
        PrintError(db.error());
        return kExitDatabase;
    }
    app->db = std::move(*db);
    auto version = app->db->Migrate();
    if (!version) {
        PrintError(version.error());
        return kExitDatabase;
    }
    spdlog::debug("database {} at schema version {}", db::BackendName(app->db->backend()), *version);
    const std::string& key_file = app->config.security.key_file;
    if (create_keys) {
        if (auto s = core::CreateKeyringFile(key_file); !s) {
            PrintError(s.error());
            return kExitFailure;
        }
    }
    auto keys = core::LoadKeyring(key_file, core::ProcessEnvironment());
    if (!keys) {
        PrintError(keys.error());
        return kExitConfig;
    }
    app->keyring = std::move(*keys);
    return app;
}

namespace {

int Serve(const CommonOptions& o, const Modules& modules) {
    auto opened = OpenApp(o, false);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    if (app.config.testing.clock_control) {
        spdlog::warn("testing.clock_control is on: anyone may move this server's clock — never in production");
        app.clock = std::make_unique<core::AdjustableClock>();
    }
    for (const auto& r : modules.registrars) r(app);
    Status s = http::Serve(app, [&](const std::string& address) {
        spdlog::info("{} {} serving http://{} ({} database, {} threads)", core::kProductName, core::kVersion,
                     address, db::BackendName(app.db->backend()), app.config.server.threads);
    });
    if (!s) {
        PrintError(s.error());
        return kExitFailure;
    }
    return kExitOk;
}

int Init(const CommonOptions& o, bool demo, const Modules& modules) {
    auto opened = OpenApp(o, true);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    auto version = app.db->SchemaVersion();
    if (!version) {
        PrintError(version.error());
        return kExitDatabase;
    }
    for (const auto& step : modules.init_steps) {
        if (auto s = step(app); !s) {
            PrintError(s.error());
            return kExitFailure;
        }
    }
    if (demo) {
        for (const auto& seed : modules.demo_seeders) {
            if (auto s = seed(app); !s) {
                PrintError(s.error());
                return kExitFailure;
            }
        }
    }
    std::cout << fmt::format("数据库已就绪：{}（{}，结构版本 {}）{}\n", app.config.database.url,
                             db::BackendName(app.db->backend()), *version, demo ? "，已写入演示数据" : "");
    return kExitOk;
}

int ConfigCheck(const CommonOptions& o) {
    auto config = LoadEffectiveConfig(o);
    if (!config) {
        PrintError(config.error());
        return kExitConfig;
    }
    std::cout << "配置有效。生效的配置：\n";
    for (const auto& key : core::ConfigKeys()) {
        std::cout << fmt::format("  {:<32} = {:<28} # {}\n", key.name, key.get(*config), core::EnvName(key.name));
    }
    return kExitOk;
}

// The permission table: every route with the roles that may call it (docs/permissions.md).
int Routes(const CommonOptions& o, const Modules& modules) {
    auto opened = OpenApp(o, true);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    app.background_jobs = false;
    for (const auto& r : modules.registrars) r(app);
    std::cout << "| route | who may call it |\n|---|---|\n";
    for (const auto& route : app.router.routes()) {
        std::cout << fmt::format("| `{}` | {} |\n", route.Label(), route.access.Describe());
    }
    return kExitOk;
}

// The table of every key for docs/configuration.md.
int ConfigKeysMarkdown() {
    const core::Config defaults;
    std::cout << "| key | type | default | environment | meaning |\n|---|---|---|---|---|\n";
    for (const auto& key : core::ConfigKeys()) {
        const char* type = key.type == core::KeyType::kString    ? "string"
                           : key.type == core::KeyType::kInteger ? "integer"
                                                                 : "boolean";
        std::string value = key.get(defaults);
        for (std::size_t i = 0; (i = value.find('|', i)) != std::string::npos; i += 2) value.replace(i, 1, "\\|");
        std::cout << fmt::format("| `{}` | {} | `{}` | `{}` | {} |\n", key.name, type, value, core::EnvName(key.name),
                                 key.description);
    }
    return kExitOk;
}

}  // namespace

int Run(int argc, char** argv, const Modules& modules) {
    CLI::App cli{fmt::format("dangan — {}", core::kProductName), "dangan"};
    cli.require_subcommand(1);

    CommonOptions serve_opts;
    auto* serve = cli.add_subcommand("serve", "Serve the web apps and the API");
    AddCommon(serve, serve_opts);
    serve->add_option("--listen", serve_opts.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
    serve->add_option("--web-root", serve_opts.web_root, "Directory of the built web app (default web/dist)");

    CommonOptions init_opts;
    bool demo = false;
    auto* init = cli.add_subcommand("init", "Create the database and apply migrations");
    AddCommon(init, init_opts);
    init->add_flag("--demo", demo, "Also load demo data");

    CommonOptions version_opts;
    auto* version = cli.add_subcommand("version", "Print the version and git revision");
    AddCommon(version, version_opts);

    CommonOptions config_opts;
    auto* config = cli.add_subcommand("config", "Configuration tools");
    config->require_subcommand(1);
    auto* check = config->add_subcommand("check", "Validate the configuration and print the effective values");
    AddCommon(check, config_opts);
    auto* keys = config->add_subcommand("keys", "Print every configuration key as a Markdown table");

    CommonOptions routes_opts;
    auto* routes = cli.add_subcommand("routes", "Print every route with the roles allowed to call it");
    AddCommon(routes, routes_opts);

    for (const auto& add : modules.commands) add.add(cli);

    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = cli.exit(e);
        return code == 0 ? kExitOk : kExitConfig;
    }

    if (*serve) return Serve(serve_opts, modules);
    if (*init) return Init(init_opts, demo, modules);
    if (*version) {
        std::cout << fmt::format("dangan {} (revision {})\n", core::kVersion, core::kGitRevision);
        return kExitOk;
    }
    for (const auto& add : modules.commands) {
        if (auto code = add.run_if_chosen()) return *code;
    }
    if (*check) return ConfigCheck(config_opts);
    if (*routes) return Routes(routes_opts, modules);
    if (*keys) return ConfigKeysMarkdown();
    return kExitConfig;
}

}  // namespace dangan::cli
