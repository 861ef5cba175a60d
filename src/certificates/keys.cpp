#include "certificates/keys.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "certificates/code.hpp"

namespace dangan::certificates {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kPrivateSuffix = ".pem";
constexpr std::string_view kPublicSuffix = ".pub.pem";

bool EndsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::string> ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return MakeError(ErrorCode::kInternal, "无法读取密钥文件 " + path.string(), "certificates.key_dir");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return std::move(buffer).str();
}

Error BadKeyFile(const fs::path& path) {
    return MakeError(ErrorCode::kInvalidArgument, "密钥文件 " + path.string() + " 不是 SM2 密钥", "certificates.key_dir",
                     "invalid_sm2_key");
}

}  // namespace

Result<KeySet> LoadKeyDir(const std::string& dir, const std::string& signing_kid) {
    KeySet set;
    std::map<std::string, core::Sm2Key> private_keys;
    std::error_code ec;
    if (fs::is_directory(dir, ec)) {
        for (const auto& entry : fs::directory_iterator(dir, ec)) {
            const std::string name = entry.path().filename().string();
            const bool is_public = EndsWith(name, kPublicSuffix);
            if (!is_public && !EndsWith(name, kPrivateSuffix)) continue;
            const std::string kid = name.substr(0, name.size() - (is_public ? kPublicSuffix : kPrivateSuffix).size());
            if (!IsKeyId(kid)) continue;
            auto text = ReadFile(entry.path());
            if (!text) return text.error();
            auto key = is_public ? core::Sm2Key::FromPublicPem(*text) : core::Sm2Key::FromPrivatePem(*text);
            if (!key) return BadKeyFile(entry.path());
            if (!set.published.contains(kid) || !is_public) set.published.insert_or_assign(kid, key->PublicOnly());
            if (!is_public) private_keys.emplace(kid, std::move(*key));
        }
    }
    std::string chosen = signing_kid;
    if (chosen.empty() && !private_keys.empty()) chosen = private_keys.rbegin()->first;
    if (!chosen.empty()) {
        auto it = private_keys.find(chosen);
        if (it == private_keys.end()) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "签名密钥 " + chosen + " 的私钥不在 " + dir + " 中（应为 " + chosen + ".pem）",
                             "certificates.signing_key", "signing_key_missing");
        }
        set.signing_kid = chosen;
        set.signing = it->second;
    }
    return set;
}

Status CreateKey(const std::string& dir, const std::string& kid) {
    if (!IsKeyId(kid)) {
        return MakeError(ErrorCode::kInvalidArgument, "密钥编号应为 1 至 16 个小写字母、数字或 -", "id", "invalid_key_id");
    }
    const fs::path priv = fs::path(dir) / (kid + std::string(kPrivateSuffix));
    const fs::path pub = fs::path(dir) / (kid + std::string(kPublicSuffix));
    std::error_code ec;
    if (fs::exists(priv, ec) || fs::exists(pub, ec)) {
        return MakeError(ErrorCode::kConflict, "密钥 " + kid + " 已存在", "id", "key_exists");
    }
    fs::create_directories(dir, ec);
    ::chmod(dir.c_str(), 0700);
    auto key = core::Sm2Key::Generate();
    if (!key) return key.error();
    auto pem = key->PrivatePem();
    if (!pem) return pem.error();
    const std::string temp = priv.string() + ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        ::chmod(temp.c_str(), 0600);
        out << *pem;
        if (!out.flush()) {
            return MakeError(ErrorCode::kInternal, "无法写入密钥文件 " + temp, "certificates.key_dir");
        }
    }
    fs::rename(temp, priv, ec);
    if (ec) return MakeError(ErrorCode::kInternal, "无法写入密钥文件 " + priv.string(), "certificates.key_dir");
    return Ok();
}

Status EnsureKey(const std::string& dir, const std::string& today) {
    auto set = LoadKeyDir(dir, "");
    if (!set) return set.error();
    if (!set->published.empty()) return Ok();
    return CreateKey(dir, today);
}

nlohmann::json PublishedJson(const KeySet& keys, const std::string& issuer) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [kid, key] : keys.published) {
        list.push_back({{"kid", kid},
                        {"status", kid == keys.signing_kid ? "active" : "published"},
                        {"public_key_pem", key.PublicPem()}});
    }
    return {{"issuer", issuer},
            {"alg", "SM2-with-SM3"},
            {"sm2_id", std::string(core::kSm2DefaultId)},
            {"payload_version", kCodeVersion},
            {"keys", std::move(list)}};
}

Result<std::map<std::string, core::Sm2Key>> KeysFromPublishedJson(std::string_view text) {
    const Error bad = MakeError(ErrorCode::kInvalidArgument, "公钥文件格式不正确（应为 /.well-known/dangan-keys.json 的内容）",
                                "keys", "invalid_keys");
    nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) return bad;
    std::map<std::string, core::Sm2Key> out;
    for (const auto& k : doc["keys"]) {
        if (!k.is_object() || !k.value("kid", nlohmann::json()).is_string() ||
            !k.value("public_key_pem", nlohmann::json()).is_string()) {
            return bad;
        }
        auto key = core::Sm2Key::FromPublicPem(k["public_key_pem"].get<std::string>());
        if (!key) return bad;
        out.insert_or_assign(k["kid"].get<std::string>(), std::move(*key));
    }
    return out;
}

}  // namespace dangan::certificates
