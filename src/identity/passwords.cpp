#include "identity/passwords.hpp"

#include <argon2.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/crypto.hpp"

namespace dangan::identity {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMinPasswordChars = 10;

std::size_t CodePoints(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a UTF-8 continuation byte
    }));
}

std::string AsciiLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Error Weak(std::string message) {
    return MakeError(ErrorCode::kUnprocessable, std::move(message), "password", "weak_password");
}

}  // namespace

Argon2Params ParamsFrom(const core::Config& config) {
    Argon2Params p;
    p.memory_kib = static_cast<std::uint32_t>(config.security.argon2_memory_kib);
    p.iterations = static_cast<std::uint32_t>(config.security.argon2_iterations);
    p.parallelism = static_cast<std::uint32_t>(config.security.argon2_parallelism);
    return p;
}

Result<std::string> HashPassword(std::string_view password, const Argon2Params& params) {
    const std::string salt = core::SecureRandom(kSaltBytes);
    std::string encoded(
        argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism, kSaltBytes, kHashBytes, Argon2_id),
        '\0');
    int rc =
        argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism, password.data(),
                              password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("无法计算密码摘要（Argon2id：{}）", argon2_error_message(rc)), "",
                         "argon2_failed");
    }
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
    if (encoded.rfind("$argon2id$", 0) != 0) return false;
    const std::string terminated(encoded);  // libargon2 wants a C string
    return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool VerifyAgainstDummy(std::string_view password, const Argon2Params& params) {
    auto spent = HashPassword(password, params);  // the same work as one verification
    (void)spent;
    return false;
}

bool NeedsRehash(std::string_view encoded, const Argon2Params& params) {
    const std::string want = fmt::format("$argon2id$v={}$m={},t={},p={}$", static_cast<int>(ARGON2_VERSION_NUMBER),
                                         params.memory_kib, params.iterations, params.parallelism);
    return encoded.rfind(want, 0) != 0;
}

Status CheckPasswordRules(std::string_view password, std::string_view username) {
    if (CodePoints(password) < kMinPasswordChars) {
        return Weak(fmt::format("密码至少需要 {} 个字符", kMinPasswordChars));
    }
    if (password.size() > kMaxPasswordBytes) {
        return Weak(fmt::format("密码过长，最多 {} 个字节", kMaxPasswordBytes));
    }
    bool lower = false, upper = false, digit = false, symbol = false;
    for (char ch : password) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 'a' && c <= 'z') {
            lower = true;
        } else if (c >= 'A' && c <= 'Z') {
            upper = true;
        } else if (c >= '0' && c <= '9') {
            digit = true;
        } else {
            symbol = true;
        }
    }
    if (int{lower} + int{upper} + int{digit} + int{symbol} < 3) {
        return Weak("密码需包含小写字母、大写字母、数字和符号中的至少三类");
    }
    if (!username.empty() && AsciiLower(password).find(AsciiLower(username)) != std::string::npos) {
        return Weak("密码不能包含用户名");
    }
    return Ok();
}

std::string GeneratePassword() {
    // No look-alikes (0/O, 1/l/I) so that a password read from a terminal is typed right.
    static constexpr std::string_view kClasses[] = {"abcdefghijkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789",
                                                    "#%+-=@^_~!"};
    constexpr std::size_t kLength = 16;
    for (;;) {
        const std::string random = core::SecureRandom(kLength * 3);
        auto byte = [&](std::size_t i) { return static_cast<std::size_t>(static_cast<unsigned char>(random[i])); };
        std::string out;
        bool seen[4] = {false, false, false, false};
        for (std::size_t i = 0; i < kLength; ++i) {
            const std::size_t cls = byte(3 * i) % 4;
            const std::string_view alphabet = kClasses[cls];
            // 16 random bits per pick: the modulo bias is below 1/2700.
            out += alphabet[((byte(3 * i + 1) << 8) | byte(3 * i + 2)) % alphabet.size()];
            seen[cls] = true;
        }
        if (seen[0] && seen[1] && seen[2] && seen[3]) return out;
    }
}

}  // namespace dangan::identity
