// `dangan kb match|eval|features|pinyin-table` (docs/kb-matcher.md).

#include "kb/kb_command.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/internal.hpp"
#include "kb/matcher.hpp"
#include "kb/pinyin.hpp"

namespace dangan::kb {
namespace {

struct Options {
    std::string kb_file;
    std::string questions_file;
    std::string lexicon_file;
    bool json = false;
};

Result<std::string> ReadWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kInvalidArgument, "无法读取文件 " + path, "FILE");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

// The non-empty lines of a JSON-lines file, parsed.
Result<std::vector<nlohmann::json>> ReadJsonLines(const std::string& path, const std::string& option) {
    auto text = ReadWhole(path);
    if (!text) return text.error();
    std::vector<nlohmann::json> out;
    std::istringstream in(*text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_object()) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("{} 第 {} 行不是 JSON 对象", path, number), option);
        }
        out.push_back(std::move(j));
    }
    return out;
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
    std::vector<std::string> out;
    if (!j.contains(key) || !j[key].is_array()) return out;
    for (const auto& v : j[key]) {
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
}

std::string StringField(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Result<std::vector<KbEntry>> LoadEntries(const std::string& path) {
    auto lines = ReadJsonLines(path, "--kb");
    if (!lines) return lines.error();
    std::vector<KbEntry> entries;
    for (std::size_t i = 0; i < lines->size(); ++i) {
        const auto& j = (*lines)[i];
        KbEntry e;
        e.id = StringField(j, "id");
        e.question = StringField(j, "question");
        if (e.id.empty() || e.question.empty()) {
            return MakeError(ErrorCode::kInvalidArgument,
                             fmt::format("{} 第 {} 个条目缺少 id 或 question", path, i + 1), "--kb");
        }
        e.answer = StringField(j, "answer");
        e.category = StringField(j, "category");
        e.tags = Strings(j, "tags");
        e.similar = Strings(j, "similar");
        entries.push_back(std::move(e));
    }
    return entries;
}

struct Loaded {
    std::shared_ptr<const Matcher> matcher;
    std::vector<nlohmann::json> questions;
};

std::variant<Loaded, int> Load(const Options& o) {
    auto entries = LoadEntries(o.kb_file);
    if (!entries) {
        cli::PrintError(entries.error());
        return cli::kExitConfig;
    }
    auto questions = ReadJsonLines(o.questions_file, "--questions");
    if (!questions) {
        cli::PrintError(questions.error());
        return cli::kExitConfig;
    }
    for (std::size_t i = 0; i < questions->size(); ++i) {
        if (!(*questions)[i].contains("q") || !(*questions)[i]["q"].is_string()) {
            cli::PrintError(MakeError(ErrorCode::kInvalidArgument,
                                      fmt::format("{} 第 {} 个问题缺少字符串字段 q", o.questions_file, i + 1),
                                      "--questions"));
            return cli::kExitConfig;
        }
    }
    Lexicon lexicon = DefaultLexicon();
    if (!o.lexicon_file.empty()) {
        auto text = ReadWhole(o.lexicon_file);
        if (!text) {
            cli::PrintError(text.error());
            return cli::kExitConfig;
        }
        lexicon = ParseLexicon(*text);
    }
    Loaded loaded;
    loaded.matcher = Matcher::Build(std::move(*entries), std::move(lexicon));
    loaded.questions = std::move(*questions);
    return loaded;
}

// The id a match prints: the best candidate unless the matcher abstains.
nlohmann::json PrintedId(const MatchResult& r) {
    if (r.verdict == Verdict::kNone || r.top.empty()) return nullptr;
    return r.top.front().id;
}

int RunMatch(const Options& o) {
    auto loaded = Load(o);
    if (auto* code = std::get_if<int>(&loaded)) return *code;
    auto& l = std::get<Loaded>(loaded);
    for (const auto& q : l.questions) {
        std::string text = q["q"].get<std::string>();
        MatchResult r = l.matcher->Find(text, 3);
        nlohmann::ordered_json line;  // keys in the contract's order: q, id, score
        line["q"] = text;
        line["id"] = PrintedId(r);
        line["score"] = r.top.empty() ? 0.0 : std::round(r.top.front().score * 10000) / 10000;
        std::cout << line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
    }
    return cli::kExitOk;
}

struct Tally {
    int total = 0, correct = 0, recall3 = 0, rejected = 0, unsure = 0;
};

double ThreadCpuMs() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double Mean(const std::vector<double>& v) {
    double sum = 0;
    for (double x : v) sum += x;
    return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    auto index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(index, v.size() - 1)];
}

int RunEval(const Options& o) {
    auto loaded = Load(o);
    if (auto* code = std::get_if<int>(&loaded)) return *code;
    auto& l = std::get<Loaded>(loaded);
    Tally in_scope, out_scope;
    std::map<std::string, Tally> by_kind;
    std::vector<double> latencies, cpu;  // wall clock, and this thread's CPU time (robust on a busy machine)
    nlohmann::json errors = nlohmann::json::array();
    l.matcher->Find("预热");  // loads the text tables (OpenCC) before timing
    for (const auto& q : l.questions) {
        std::string text = q["q"].get<std::string>();
        std::string kind = StringField(q, "kind");
        if (kind.empty()) kind = "-";
        auto start = std::chrono::steady_clock::now();
        double cpu_start = ThreadCpuMs();
        MatchResult r = l.matcher->Find(text, 3);
        cpu.push_back(ThreadCpuMs() - cpu_start);
        latencies.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
        nlohmann::json printed = PrintedId(r);
        Tally& k = by_kind[kind];
        ++k.total;
        if (r.verdict == Verdict::kUnsure) ++k.unsure;
        bool oos = !q.contains("id") || q["id"].is_null();
        if (oos) {
            ++out_scope.total;
            if (printed.is_null()) {
                ++out_scope.rejected;
                ++k.rejected;
                ++k.correct;
            } else {
                errors.push_back({{"q", text}, {"expected", nullptr}, {"got", printed}, {"score", r.top.front().score}});
            }
            continue;
        }
        std::string gold = q["id"].is_string() ? q["id"].get<std::string>() : q["id"].dump();
        ++in_scope.total;
        if (r.verdict == Verdict::kUnsure) ++in_scope.unsure;
        bool hit = printed.is_string() && printed.get<std::string>() == gold;
        bool in3 = std::any_of(r.top.begin(), r.top.end(), [&](const Candidate& c) { return c.id == gold; });
        if (hit) {
            ++in_scope.correct;
            ++k.correct;
        } else {
            errors.push_back({{"q", text}, {"expected", gold}, {"got", printed},
                              {"score", r.top.empty() ? 0.0 : r.top.front().score}});
        }
        if (in3) {
            ++in_scope.recall3;
            ++k.recall3;
        }
    }
    auto rate = [](int a, int b) { return b > 0 ? static_cast<double>(a) / b : 0.0; };
    double mean = Mean(latencies);
    nlohmann::json out;
    out["entries"] = l.matcher->size();
    out["questions"] = l.questions.size();
    out["in_scope"] = in_scope.total;
    out["top1"] = rate(in_scope.correct, in_scope.total);
    out["recall3"] = rate(in_scope.recall3, in_scope.total);
    out["unsure"] = rate(in_scope.unsure, in_scope.total);
    out["out_of_scope"] = out_scope.total;
    out["oos_rejected"] = rate(out_scope.rejected, out_scope.total);
    nlohmann::json kinds = nlohmann::json::object();
    for (const auto& [name, t] : by_kind) {
        kinds[name] = {{"n", t.total}, {"accuracy", rate(t.correct, t.total)}, {"recall3", rate(t.recall3, t.total)}};
    }
    out["kinds"] = kinds;
    out["latency_ms"] = {{"mean", mean}, {"p50", Percentile(latencies, 0.5)}, {"p99", Percentile(latencies, 0.99)}};
    out["cpu_ms"] = {{"mean", Mean(cpu)}, {"p50", Percentile(cpu, 0.5)}, {"p99", Percentile(cpu, 0.99)}};
    out["errors"] = errors;
    if (o.json) {
        std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        return cli::kExitOk;
    }
    std::cout << fmt::format("entries {}  questions {}\n", l.matcher->size(), l.questions.size());
    std::cout << fmt::format("top-1 in scope   {:.3f}  ({}/{}; {} of them unsure)\n", rate(in_scope.correct, in_scope.total),
                             in_scope.correct, in_scope.total, in_scope.unsure);
    std::cout << fmt::format("recall@3         {:.3f}\n", rate(in_scope.recall3, in_scope.total));
    std::cout << fmt::format("OOS rejected     {:.3f}  ({}/{})\n", rate(out_scope.rejected, out_scope.total),
                             out_scope.rejected, out_scope.total);
    std::cout << "per kind (accuracy: right entry, or rejected when out of scope; recall@3)\n";
    for (const auto& [name, t] : by_kind) {
        std::cout << fmt::format("  {:<12} n={:<4} {:.3f}  {:.3f}\n", name, t.total, rate(t.correct, t.total),
                                 rate(t.recall3, t.total));
    }
    std::cout << fmt::format("latency ms       mean {:.3f}  p50 {:.3f}  p99 {:.3f}  (wall clock)\n", mean,
                             Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    std::cout << fmt::format("CPU ms           mean {:.3f}  p50 {:.3f}  p99 {:.3f}  (this thread's CPU time)\n", Mean(cpu),
                             Percentile(cpu, 0.5), Percentile(cpu, 0.99));
    return cli::kExitOk;
}

int RunFeatures(const Options& o) {
    auto loaded = Load(o);
    if (auto* code = std::get_if<int>(&loaded)) return *code;
    auto& l = std::get<Loaded>(loaded);
    std::cout << nlohmann::json{{"names", Matcher::FeatureNames()}}.dump() << "\n";
    for (const auto& q : l.questions) {
        std::string text = q["q"].get<std::string>();
        nlohmann::json line;
        line["q"] = text;
        line["gold"] = q.contains("id") ? q["id"] : nlohmann::json(nullptr);
        line["kind"] = StringField(q, "kind");
        nlohmann::json cands = nlohmann::json::array();
        for (const auto& c : l.matcher->Explain(text)) {
            cands.push_back({{"id", c.id}, {"f", c.features}, {"score", c.score}});
        }
        line["cands"] = cands;
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    }
    return cli::kExitOk;
}

}  // namespace

cli::CommandSet MatchCommands() {
    struct State {
        Options match, eval, features;
        CLI::App* match_cmd = nullptr;
        CLI::App* eval_cmd = nullptr;
        CLI::App* features_cmd = nullptr;
        CLI::App* table_cmd = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        auto* kb = root.add_subcommand("kb", "Knowledge-base question matcher tools (no database needed)");
        kb->require_subcommand(1);
        auto common = [](CLI::App* cmd, Options& o) {
            cmd->add_option("--kb", o.kb_file, "The knowledge base, JSON lines as faq.jsonl")->required();
            cmd->add_option("--questions", o.questions_file, "Questions, JSON lines with a \"q\" field")->required();
            cmd->add_option("--lexicon", o.lexicon_file, "Another lexicon file (synonyms and stop phrases)");
        };
        state->match_cmd = kb->add_subcommand("match", "Match each question: prints {\"q\",\"id\",\"score\"} per line");
        common(state->match_cmd, state->match);
        state->eval_cmd = kb->add_subcommand(
            "eval", "Top-1 accuracy in scope, out-of-scope rejection, recall@3, per kind, latency");
        common(state->eval_cmd, state->eval);
        state->eval_cmd->add_flag("--json", state->eval.json, "Machine-readable output");
        state->features_cmd = kb->add_subcommand("features", "Re-ranker training data (JSON lines)");
        common(state->features_cmd, state->features);
        state->features_cmd->group("");
        state->table_cmd = kb->add_subcommand("pinyin-table", "Print src/kb/pinyin_table.inc (slow)");
        state->table_cmd->group("");
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->match_cmd != nullptr && state->match_cmd->parsed()) return RunMatch(state->match);
        if (state->eval_cmd != nullptr && state->eval_cmd->parsed()) return RunEval(state->eval);
        if (state->features_cmd != nullptr && state->features_cmd->parsed()) return RunFeatures(state->features);
        if (state->table_cmd != nullptr && state->table_cmd->parsed()) {
            std::cout << GeneratePinyinTable();
            return cli::kExitOk;
        }
        return std::nullopt;
    };
    return set;
}

}  // namespace dangan::kb
