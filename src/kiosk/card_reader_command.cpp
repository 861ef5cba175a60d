// `dangan card-reader-sim`: the kiosk's ID-card reader bridge, simulated (card_reader.hpp).

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/internal.hpp"
#include "core/logging.hpp"
#include "core/validators.hpp"
#include "http/server.hpp"
#include "kiosk/card_reader.hpp"

namespace dangan::kiosk {
namespace {

struct SimOptions {
    int port = 8765;
    std::string card;
    std::vector<std::string> allow_origins;  // empty: DefaultAllowedOrigins()
};

int RunSim(const SimOptions& o) {
    if (auto s = core::InitLogging("info", "plain"); !s) {
        cli::PrintError(s.error());
        return cli::kExitConfig;
    }
    BridgePolicy policy{.port = o.port, .allowed_origins = {}};
    for (const auto& text : o.allow_origins.empty() ? DefaultAllowedOrigins() : o.allow_origins) {
        auto origin = ParseAllowedOrigin(text);
        if (!origin) {
            cli::PrintError(origin.error());
            return cli::kExitConfig;
        }
        policy.allowed_origins.push_back(*origin);
    }
    http::App app;
    // Only this machine's browser may read the card; no files, no per-request log (the kiosk
    // polls every second). Every handler answers from memory, so no handler pool.
    app.config.server.listen = fmt::format("127.0.0.1:{}", o.port);
    app.config.server.threads = 1;
    app.config.server.handler_threads = 0;
    app.config.server.web_root.clear();
    app.config.server.access_log = false;
    app.config.server.shutdown_grace_seconds = 1;
    app.background_jobs = false;

    CardSlot slot;
    if (!o.card.empty()) {
        auto card = ParseCardOption(o.card, core::BusinessDate(app.clock->Now()));
        if (!card) {
            cli::PrintError(card.error());
            return cli::kExitConfig;
        }
        slot.Place(*card);
    }
    const std::vector<std::string> origins = policy.allowed_origins;
    RegisterCardReaderRoutes(app, slot, std::move(policy));

    Status s = http::Serve(app, [&](const std::string& address) {
        std::cout << fmt::format("身份证读卡器模拟服务已启动：http://{}/card\n", address);
        if (auto card = slot.Get()) {
            std::cout << fmt::format("读卡器上已放置：{}（{}）\n", card->name, core::MaskIdNumber(card->id_number));
        } else {
            std::cout << "读卡器上没有身份证。放置：curl -X PUT -H 'Content-Type: application/json' -d "
                         "'{\"id_number\":\"…\",\"name\":\"…\"}' http://"
                      << address << "/card\n";
        }
        std::cout << fmt::format("允许读取身份证的网页来源：{}\n", fmt::join(origins, "、"));
        std::cout << "按 Ctrl+C 停止。" << std::endl;
    });
    if (!s) {
        cli::PrintError(s.error());
        return cli::kExitFailure;
    }
    return cli::kExitOk;
}

}  // namespace

cli::CommandSet CardReaderCommands() {
    struct State {
        SimOptions options;
        CLI::App* sim = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        auto* sim = root.add_subcommand("card-reader-sim",
                                        "Play a kiosk's ID-card reader bridge on 127.0.0.1 (GET/PUT/DELETE /card)");
        SimOptions& o = state->options;
        sim->add_option("--port", o.port, "Port to listen on (kiosk.card_reader_url of the server names it)")
            ->check(CLI::Range(1, 65535))
            ->capture_default_str();
        sim->add_option("--card", o.card, "Start with a card on the reader: ID_NUMBER,NAME");
        sim->add_option("--allow-origin", o.allow_origins,
                        "Origin of the kiosk pages allowed to read the card, e.g. http://127.0.0.1:8080 (repeatable; "
                        "default http://127.0.0.1:8080 and http://localhost:8080)")
            ->allow_extra_args(false);  // one value per --allow-origin
        state->sim = sim;
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->sim == nullptr || !state->sim->parsed()) return std::nullopt;
        return RunSim(state->options);
    };
    return set;
}

}  // namespace dangan::kiosk
