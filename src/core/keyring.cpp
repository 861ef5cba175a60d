#include "core/keyring.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.hpp"

namespace dangan::core {
namespace {

constexpr std::size_t kKeySize = 32;

Result<std::string> DecodeKey(const std::string& hex, const std::string& where) {
    auto raw = HexDecode(hex);
    if (!raw || raw->size() != kKeySize) {
        return MakeError(ErrorCode::kInvalidArgument, where + " 应为 64 位十六进制密钥", where, "invalid_key");
    }
    return *raw;
}

}  // namespace

Result<Keyring> LoadKeyring(const std::string& path, const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> hex;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        struct stat st {};
        if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
            return MakeError(ErrorCode::kInvalidArgument,
                             "密钥文件 " + path + " 的权限过宽，请执行 chmod 600 " + path, "security.key_file",
                             "key_file_permissions");
        }
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            hex[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    if (auto it = env.find("DANGAN_KEY_SEAL"); it != env.end()) hex["seal"] = it->second;
    if (auto it = env.find("DANGAN_KEY_INDEX"); it != env.end()) hex["index"] = it->second;
    if (!hex.count("seal") || !hex.count("index")) {
        return MakeError(ErrorCode::kUnavailable,
                         "找不到密钥：请先运行 dangan init 创建 " + path + "，或设置 DANGAN_KEY_SEAL 与 DANGAN_KEY_INDEX",
                         "security.key_file", "keys_missing");
    }
    Keyring keys;
    auto seal = DecodeKey(hex["seal"], "seal");
    if (!seal) return seal.error();
    auto index = DecodeKey(hex["index"], "index");
    if (!index) return index.error();
    keys.seal_key = *seal;
    keys.index_key = *index;
    return keys;
}

Status CreateKeyringFile(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return Ok();
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    std::ostringstream text;
    text << "# Dang'an keys. Keep secret, back up separately from the database; every node needs the same file.\n"
         << "seal=" << HexEncode(SecureRandom(kKeySize)) << "\n"
         << "index=" << HexEncode(SecureRandom(kKeySize)) << "\n";
    // Create with 0600 from the start: the keys are never readable by others, not even briefly.
    mode_t old = ::umask(077);
    std::ofstream out(path, std::ios::out | std::ios::trunc);
    out << text.str();
    out.close();
    ::umask(old);
    ::chmod(path.c_str(), 0600);
    if (!out) {
        return MakeError(ErrorCode::kUnavailable, "无法写入密钥文件 " + path, "security.key_file", "key_file_write");
    }
    return Ok();
}

}  // namespace dangan::core
