#include "identity/totp.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "core/crypto.hpp"

namespace dangan::identity {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string PercentEncode(std::string_view s) {
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~') {
            out += ch;
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

std::string HmacSha1(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int len = 0;
    if (HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
             data.size(), out.data(), &len) == nullptr) {
        throw std::runtime_error("HMAC-SHA1 is not available in this OpenSSL");
    }
    return std::string(reinterpret_cast<const char*>(out.data()), len);
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(ch);
        bits += 8;
        while (bits >= 5) {
            out += kBase32Alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
    return out;
}

Result<std::string> Base32Decode(std::string_view text) {
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (char ch : text) {
        if (ch == ' ' || ch == '=') continue;
        if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
        const auto pos = kBase32Alphabet.find(ch);
        if (pos == std::string_view::npos) {
            return MakeError(ErrorCode::kInvalidArgument, "密钥格式不正确（应为 Base32 字符）", "secret",
                             "invalid_base32");
        }
        buffer = (buffer << 5) | static_cast<std::uint32_t>(pos);
        bits += 5;
        if (bits >= 8) {
            out += static_cast<char>((buffer >> (bits - 8)) & 0xFF);
            bits -= 8;
        }
    }
    if ((buffer & ((1u << bits) - 1)) != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "密钥格式不正确（末尾有多余的位）", "secret", "invalid_base32");
    }
    return out;
}

std::string NewTotpSecret() { return core::SecureRandom(kTotpSecretBytes); }

std::int64_t TotpStep(core::TimePoint t) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    // floor division, so that instants before 1970 (never in practice) still step correctly
    return seconds >= 0 ? seconds / kTotpPeriodSeconds : -((-seconds + kTotpPeriodSeconds - 1) / kTotpPeriodSeconds);
}

std::string TotpCode(std::string_view secret, std::int64_t step, int digits) {
    std::string counter(8, '\0');
    auto value = static_cast<std::uint64_t>(step);
    for (int i = 7; i >= 0; --i) {
        counter[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
        value >>= 8;
    }
    const std::string mac = HmacSha1(secret, counter);
    const std::size_t offset = static_cast<unsigned char>(mac[19]) & 0x0F;
    const std::uint32_t binary = ((static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset])) & 0x7F) << 24) |
                                 (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                                 (static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                                 static_cast<std::uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
    std::uint32_t modulus = 1;
    for (int i = 0; i < digits; ++i) modulus *= 10;
    return fmt::format("{:0{}}", binary % modulus, digits);
}

std::optional<std::int64_t> MatchTotp(std::string_view secret, std::string_view code, core::TimePoint now,
                                      std::int64_t last_used_step) {
    if (code.size() != static_cast<std::size_t>(kTotpDigits)) return std::nullopt;
    const std::int64_t current = TotpStep(now);
    std::optional<std::int64_t> matched;
    for (std::int64_t step = current - 1; step <= current + 1; ++step) {
        // every candidate is computed and compared, so the time taken does not depend on which matched
        const bool equal = core::ConstantTimeEqual(TotpCode(secret, step), code);
        if (equal && step > last_used_step && !matched) matched = step;
    }
    return matched;
}

std::string OtpauthUri(std::string_view username, std::string_view base32_secret) {
    const std::string issuer = PercentEncode(kTotpIssuer);
    return fmt::format("otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={}&period={}", issuer,
                       PercentEncode(username), base32_secret, issuer, kTotpDigits, kTotpPeriodSeconds);
}

Result<std::string> QrSvg(std::string_view text) {
    const std::string data(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
        QRcode_encodeData(static_cast<int>(data.size()), reinterpret_cast<const unsigned char*>(data.data()), 0,
                          QR_ECLEVEL_M),
        &QRcode_free);
    if (!qr) {
        return MakeError(ErrorCode::kInvalidArgument, "内容过长，无法生成二维码", "", "qr_too_long");
    }
    constexpr int kQuiet = 4;
    const int width = qr->width;
    const int size = width + 2 * kQuiet;
    std::string path;
    for (int y = 0; y < width; ++y) {
        for (int x = 0; x < width; ++x) {
            if (qr->data[y * width + x] & 1) path += fmt::format("M{} {}h1v1h-1z", x + kQuiet, y + kQuiet);
        }
    }
    return fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" width="{1}" height="{1}" )"
        R"(shape-rendering="crispEdges" role="img" aria-label="二维码"><rect width="{0}" height="{0}" fill="#fff"/>)"
        R"(<path fill="#000" d="{2}"/></svg>)",
        size, size * 6, path);
}

}  // namespace dangan::identity
