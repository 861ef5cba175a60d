// `dangan gen` and `dangan import`: parse the options, open the App, run, print the summary.

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "bulk/gen.hpp"
#include "bulk/import.hpp"
#include "bulk/register.hpp"
#include "cli/internal.hpp"

namespace dangan::bulk {
namespace {

// `dangan import` when some rows were refused (the others loaded, or none with --strict).
constexpr int kExitRowsRefused = 4;

struct GenCommand {
    cli::CommonOptions common;
    GenOptions options;
    std::uint64_t seed = 1;
    CLI::Option* seed_option = nullptr;
};

int ExitCodeOf(const Error& e) {
    switch (e.code) {
        case ErrorCode::kInvalidArgument:
        case ErrorCode::kUnprocessable:
        case ErrorCode::kConflict:
            return cli::kExitConfig;
        case ErrorCode::kUnavailable:
            return cli::kExitDatabase;
        default:
            return cli::kExitFailure;
    }
}

int RunGen(GenCommand& c) {
    if (c.seed_option->count() > 0) c.options.seed = c.seed;
    auto opened = cli::OpenApp(c.common, false);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    Progress progress(std::cerr, StderrIsTerminal(), "生成人员", c.options.persons);
    auto summary = Generate(app, c.options, &progress);
    if (!summary) {
        cli::PrintError(summary.error());
        return ExitCodeOf(summary.error());
    }
    const double seconds = summary->seconds > 0 ? summary->seconds : 1e-9;
    std::cout << fmt::format(
        "已生成：人员 {}（编号 {} 起，种子 {}），档案 {}，卷内文件 {}，工作经历 {}，新增保管机构 {}，新增网点 {}\n"
        "共 {} 行，用时 {:.1f} 秒，{} 行/秒（{} 人/秒）\n",
        Grouped(summary->persons), summary->first_number, summary->seed, Grouped(summary->records),
        Grouped(summary->items), Grouped(summary->periods), summary->holders, summary->branches,
        Grouped(summary->rows()), summary->seconds, Grouped(static_cast<std::uint64_t>(summary->rows() / seconds)),
        Grouped(static_cast<std::uint64_t>(summary->persons / seconds)));
    return cli::kExitOk;
}

struct ImportCommand {
    cli::CommonOptions common;
    std::string file;
    std::string kind;
    std::string report_file;
    ImportOptions options;
};

int RunImport(ImportCommand& c) {
    auto kind = ParseImportKind(c.kind);
    if (!kind) {
        cli::PrintError(kind.error());
        return cli::kExitConfig;
    }
    c.options.kind = *kind;
    std::ifstream in(c.file, std::ios::binary);
    if (!in) {
        cli::PrintError(MakeError(ErrorCode::kInvalidArgument, "无法读取文件 " + c.file));
        return cli::kExitConfig;
    }
    std::stringstream bytes;
    bytes << in.rdbuf();
    auto opened = cli::OpenApp(c.common, false);
    if (auto* code = std::get_if<int>(&opened)) return *code;
    auto& app = *std::get<std::unique_ptr<http::App>>(opened);
    Progress progress(std::cerr, StderrIsTerminal(), "导入", 0);
    auto report = Import(*app.db, app.keyring, *app.clock, bytes.str(), c.options, &progress);
    if (!report) {
        cli::PrintError(report.error());
        return ExitCodeOf(report.error());
    }
    const std::string text = FormatReport(*report, c.file);
    std::cout << text;
    if (!c.report_file.empty()) {
        std::ofstream out(c.report_file, std::ios::trunc);
        out << text;
        if (!out) {
            cli::PrintError(MakeError(ErrorCode::kInvalidArgument, "无法写入报告文件 " + c.report_file));
            return cli::kExitFailure;
        }
    }
    return report->refused > 0 ? kExitRowsRefused : cli::kExitOk;
}

}  // namespace

cli::CommandSet Commands() {
    struct State {
        GenCommand gen;
        CLI::App* gen_cmd = nullptr;
        ImportCommand import;
        CLI::App* import_cmd = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        GenCommand& g = state->gen;
        auto* gen = root.add_subcommand("gen", "Generate deterministic synthetic persons and archives (Jilin)");
        gen->add_option("--persons", g.options.persons, "Number of persons to generate")->required();
        g.seed_option =
            gen->add_option("--seed", g.seed, "Seed: the same seed and count give the same data (default 1)");
        gen->add_flag("--append", g.options.append,
                      "Continue the earlier generated sequence instead of refusing a database that has one");
        gen->add_option("--sample-out", g.options.sample_out,
                        "Write id_number,person_id of every K-th generated person to this CSV file");
        gen->add_option("--sample-every", g.options.sample_every, "K for --sample-out (default 1000)");
        gen->add_option("--batch", g.options.batch, "Persons per transaction (default 50000)");
        cli::AddCommon(gen, g.common);
        state->gen_cmd = gen;

        ImportCommand& i = state->import;
        auto* import = root.add_subcommand("import", "Load persons, archive records, holders or branches from CSV");
        import->add_option("file", i.file, "CSV file (UTF-8 or GBK, header row in English or Chinese)")->required();
        import->add_option("--kind", i.kind, "persons | records | holders | branches")->required();
        import->add_flag("--strict", i.options.strict, "All or nothing: any refused row loads no row");
        import->add_option("--report", i.report_file, "Also write the report to this file");
        import->add_option("--batch", i.options.batch, "Rows per transaction when not strict (default 2000)");
        cli::AddCommon(import, i.common);
        state->import_cmd = import;
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->gen_cmd != nullptr && state->gen_cmd->parsed()) return RunGen(state->gen);
        if (state->import_cmd != nullptr && state->import_cmd->parsed()) return RunImport(state->import);
        return std::nullopt;
    };
    return set;
}

}  // namespace dangan::bulk
