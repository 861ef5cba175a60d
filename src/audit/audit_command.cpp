// `dangan audit verify`: the command-line face of Verify().

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "audit/register.hpp"
#include "audit/verify.hpp"
#include "cli/internal.hpp"
#include "core/clock.hpp"

namespace dangan::audit {
namespace {

int RunVerify(const cli::CommonOptions& options) {
    auto opened = cli::OpenApp(options, false);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    auto result = Verify(*app.db);
    if (!result) {
        cli::PrintError(result.error());
        return result.error().code == ErrorCode::kUnavailable ? cli::kExitDatabase : cli::kExitFailure;
    }
    if (result->ok) {
        std::cout << fmt::format("审计日志完整：{} 条记录\n链头哈希：{}\n", result->rows, result->head_hash);
        return cli::kExitOk;
    }
    const auto at = core::TimePoint(std::chrono::milliseconds(result->broken_at_ms));
    std::cout << fmt::format("审计日志已被改动：首个异常记录为第 {} 条（时间 {}，操作 {}）\n{}\n共 {} 条记录\n",
                             result->first_broken_seq, core::FormatIso8601(at), result->broken_action, result->message,
                             result->rows);
    return cli::kExitFailure;
}

}  // namespace

cli::CommandSet Commands() {
    struct State {
        cli::CommonOptions options;
        CLI::App* verify = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        auto* audit = root.add_subcommand("audit", "Audit log tools");
        audit->require_subcommand(1);
        state->verify =
            audit->add_subcommand("verify", "Check the audit log's hash chain and name the first broken row");
        cli::AddCommon(state->verify, state->options);
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->verify == nullptr || !state->verify->parsed()) return std::nullopt;
        return RunVerify(state->options);
    };
    return set;
}

}  // namespace dangan::audit
