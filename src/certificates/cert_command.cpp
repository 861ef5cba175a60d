// `dangan cert verify|keygen|keys`: offline verification for notaries and courts, and key
// management for operators (docs/certificates.md).

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "certificates/code.hpp"
#include "certificates/keys.hpp"
#include "certificates/pdf.hpp"
#include "certificates/qr.hpp"
#include "certificates/register.hpp"
#include "cli/internal.hpp"
#include "core/clock.hpp"
#include "core/validators.hpp"

namespace dangan::certificates {
namespace {

struct VerifyOptions {
    std::string input;
    std::string keys_file;
    std::string today;
    std::string id_number;
    std::string name;
    int repeat = 0;
};

Result<std::string> ReadWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kInvalidArgument, "无法读取文件 " + path, "FILE");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

// The code out of the argument: a file (PDF metadata, a photo's QR, or text) or the code itself.
Result<std::string> ScannedText(const std::string& input) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(input, ec)) return input;
    auto bytes = ReadWhole(input);
    if (!bytes) return bytes.error();
    if (bytes->rfind("%PDF-", 0) == 0) {
        auto code = CodeInPdf(*bytes);
        if (!code) return MakeError(ErrorCode::kInvalidArgument, "这份 PDF 中没有查档证明的证明码", "FILE");
        return *code;
    }
    if (SniffImage(*bytes) != ImageKind::kNone) return ReadQr(*bytes);
    return *bytes;
}

int RunVerify(const VerifyOptions& o) {
    auto keys_text = ReadWhole(o.keys_file);
    if (!keys_text) {
        cli::PrintError(keys_text.error());
        return cli::kExitConfig;
    }
    auto keys = KeysFromPublishedJson(*keys_text);
    if (!keys) {
        cli::PrintError(keys.error());
        return cli::kExitConfig;
    }
    Date today = core::BusinessDate(core::SystemClock().Now());
    if (!o.today.empty()) {
        auto parsed = core::ParseDate(o.today);
        if (!parsed) {
            cli::PrintError(MakeError(ErrorCode::kInvalidArgument, "--today 应为 YYYY-MM-DD", "--today"));
            return cli::kExitConfig;
        }
        today = *parsed;
    }
    auto scanned = ScannedText(o.input);
    if (!scanned) {
        std::cout << "INVALID: " << scanned.error().message << "\n";
        return cli::kExitFailure;
    }
    if (o.repeat > 0) {  // for bench/certificates.sh: offline verifications per second in one process
        const auto start = std::chrono::steady_clock::now();
        int valid = 0;
        for (int i = 0; i < o.repeat; ++i) valid += VerifyCode(*scanned, *keys, today).verdict == Verdict::kValid;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::cout << fmt::format("{} verifications ({} valid) in {:.3f} s: {:.0f} per second\n", o.repeat, valid,
                                 seconds, o.repeat / seconds);
        return valid == o.repeat ? cli::kExitOk : cli::kExitFailure;
    }
    const Checked checked = VerifyCode(*scanned, *keys, today);
    if (checked.verdict != Verdict::kValid) {
        std::cout << (checked.verdict == Verdict::kExpired ? "EXPIRED: " : "INVALID: ") << checked.reason << "\n";
        return cli::kExitFailure;
    }
    const Payload& p = *checked.payload;
    if (!o.id_number.empty() || !o.name.empty()) {
        auto id = core::ValidateIdNumber(o.id_number, today);
        if (!id || SubjectHash(p.number, id->normalized, o.name) != p.subject_hash) {
            std::cout << "INVALID: 证明对象与所给身份证号码和姓名不符\n";
            return cli::kExitFailure;
        }
    }
    std::cout << "VALID\n"
              << fmt::format("编号：{}\n签发日期：{}\n有效期至：{}\n签名密钥：{}\n对象摘要：{}\n内容摘要：{}\n",
                             DisplayNumber(p.number), core::FormatDate(p.issued_on), core::FormatDate(p.valid_until),
                             p.key_id, core::HexEncode(p.subject_hash), core::HexEncode(p.content_hash))
              << (o.id_number.empty() ? "" : "证明对象：与所给身份证号码和姓名相符\n")
              << "离线核验确认签名真实、在有效期内；是否已被撤销，请扫码联网核验。\n";
    return cli::kExitOk;
}

std::string KeyDir(const core::Config& config) {
    return core::BesideKeyFile(config, config.certificates.key_dir, "cert-keys");
}

int RunKeygen(const cli::CommonOptions& options, std::string id) {
    auto config = cli::LoadEffectiveConfig(options);
    if (!config) {
        cli::PrintError(config.error());
        return cli::kExitConfig;
    }
    if (id.empty()) id = core::FormatDate(core::BusinessDate(core::SystemClock().Now()));
    if (Status s = CreateKey(KeyDir(*config), id); !s) {
        cli::PrintError(s.error());
        return cli::kExitFailure;
    }
    std::cout << fmt::format("已生成签名密钥 {}：{}/{}.pem（仅本机可读）。各节点复制同一文件后重启即公布；\n"
                             "设置 certificates.signing_key = \"{}\"（或它是编号最大的私钥）后用于签发。\n",
                             id, KeyDir(*config), id, id);
    return cli::kExitOk;
}

int RunKeys(const cli::CommonOptions& options) {
    auto config = cli::LoadEffectiveConfig(options);
    if (!config) {
        cli::PrintError(config.error());
        return cli::kExitConfig;
    }
    auto keys = LoadKeyDir(KeyDir(*config), config->certificates.signing_key);
    if (!keys) {
        cli::PrintError(keys.error());
        return cli::kExitConfig;
    }
    std::cout << fmt::format("密钥目录：{}\n", KeyDir(*config));
    for (const auto& [kid, key] : keys->published) {
        std::cout << fmt::format("  {:<16} {}\n", kid, kid == keys->signing_kid ? "签发中（active）" : "已公布（published）");
    }
    if (keys->published.empty()) std::cout << "  （没有密钥：运行 dangan cert keygen）\n";
    return cli::kExitOk;
}

}  // namespace

cli::CommandSet Commands() {
    struct State {
        VerifyOptions verify_options;
        cli::CommonOptions keygen_options, keys_options;
        std::string keygen_id;
        CLI::App* verify = nullptr;
        CLI::App* keygen = nullptr;
        CLI::App* keys = nullptr;
    };
    auto state = std::make_shared<State>();
    cli::CommandSet set;
    set.add = [state](CLI::App& root) {
        auto* cert = root.add_subcommand("cert", "Certificate (查档证明) tools");
        cert->require_subcommand(1);
        VerifyOptions& v = state->verify_options;
        state->verify = cert->add_subcommand(
            "verify", "Verify a certificate offline: prints VALID, or INVALID/EXPIRED and the reason; exit 0 only when valid");
        state->verify->add_option("input", v.input, "The QR text (URL or code), or a file: PDF, PNG/JPEG photo, text")
            ->required();
        state->verify->add_option("--keys", v.keys_file, "The published keys (GET /.well-known/dangan-keys.json)")
            ->required();
        state->verify->add_option("--today", v.today, "Check validity on this date (YYYY-MM-DD) instead of today");
        state->verify->add_option("--id-number", v.id_number, "Also check the subject: their ID number…");
        state->verify->add_option("--name", v.name, "…and name");
        state->verify->add_option("--repeat", v.repeat, "Benchmark: verify N times and print the rate");
        state->keygen = cert->add_subcommand("keygen", "Create a new SM2 signing key in certificates.key_dir");
        cli::AddCommon(state->keygen, state->keygen_options);
        state->keygen->add_option("--id", state->keygen_id, "Key id, [a-z0-9-]{1,16} (default: today's date)");
        state->keys = cert->add_subcommand("keys", "List the keys and which one signs");
        cli::AddCommon(state->keys, state->keys_options);
    };
    set.run_if_chosen = [state]() -> std::optional<int> {
        if (state->verify != nullptr && state->verify->parsed()) return RunVerify(state->verify_options);
        if (state->keygen != nullptr && state->keygen->parsed()) {
            return RunKeygen(state->keygen_options, state->keygen_id);
        }
        if (state->keys != nullptr && state->keys->parsed()) return RunKeys(state->keys_options);
        return std::nullopt;
    };
    return set;
}

}  // namespace dangan::certificates
