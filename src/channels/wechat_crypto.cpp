#include "channels/wechat_crypto.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "core/crypto.hpp"

namespace dangan::channels {

namespace {

Error DecryptFailed(const char* why) {
    return MakeError(ErrorCode::kInvalidArgument, std::string("微信消息解密失败：") + why, "Encrypt",
                     "wechat_decrypt_failed");
}

struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// AES-256-CBC without OpenSSL's padding (WeChat pads to 32 bytes itself). `data` is a
// multiple of 16 bytes. Returns nullopt-like empty + false on failure.
bool AesCbc(bool encrypt, std::string_view key, std::string_view data, std::string& out) {
    std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx(EVP_CIPHER_CTX_new());
    if (!ctx) throw std::runtime_error("EVP_CIPHER_CTX_new failed");
    const auto* k = reinterpret_cast<const unsigned char*>(key.data());
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, k, encrypt ? 1 : 0) != 1) return false;
    EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
    out.assign(data.size() + 32, '\0');
    int n1 = 0, n2 = 0;
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (EVP_CipherUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(data.data()),
                         static_cast<int>(data.size())) != 1) {
        return false;
    }
    if (EVP_CipherFinal_ex(ctx.get(), o + n1, &n2) != 1) return false;
    out.resize(static_cast<std::size_t>(n1 + n2));
    return true;
}

}  // namespace

std::string WechatSignature(std::vector<std::string> parts) {
    std::sort(parts.begin(), parts.end());
    std::string joined;
    for (const auto& p : parts) joined += p;
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
    return core::HexEncode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string Base64Encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

Result<std::string> Base64Decode(std::string_view text) {
    const Error bad = MakeError(ErrorCode::kInvalidArgument, "base64 格式不正确", "", "invalid_base64");
    if (text.empty()) return std::string();
    if (text.size() % 4 != 0) return bad;
    std::size_t pad = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool alnum =
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (c == '=') {
            if (i + 2 < text.size()) return bad;
            ++pad;
        } else if (!alnum || pad > 0) {
            return bad;
        }
    }
    std::string out(text.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (n < 0) return bad;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

Result<std::string> WechatAesKey(std::string_view encoding_aes_key) {
    const Error bad = MakeError(ErrorCode::kInvalidArgument, "EncodingAESKey 应为 43 个字符", "wechat.encoding_aes_key",
                                "invalid_aes_key");
    if (encoding_aes_key.size() != 43) return bad;
    auto key = Base64Decode(std::string(encoding_aes_key) + "=");
    if (!key || key->size() != 32) return bad;
    return key;
}

std::string Pkcs7Pad(std::string_view data, std::size_t block) {
    const std::size_t n = block - data.size() % block;
    std::string out(data);
    out.append(n, static_cast<char>(n));
    return out;
}

Result<std::string> Pkcs7Unpad(std::string_view data, std::size_t block) {
    if (data.empty() || data.size() % 16 != 0) return DecryptFailed("长度不对");
    const auto n = static_cast<unsigned char>(data.back());
    if (n < 1 || n > block || n > data.size()) return DecryptFailed("填充不正确");
    for (std::size_t i = data.size() - n; i < data.size(); ++i) {
        if (static_cast<unsigned char>(data[i]) != n) return DecryptFailed("填充不正确");
    }
    return std::string(data.substr(0, data.size() - n));
}

std::string WechatEncrypt(std::string_view aes_key, std::string_view random16, std::string_view xml,
                          std::string_view app_id) {
    std::string plain(random16);
    const auto len = static_cast<std::uint32_t>(xml.size());
    for (int shift : {24, 16, 8, 0}) plain += static_cast<char>((len >> shift) & 0xFF);
    plain += xml;
    plain += app_id;
    std::string cipher;
    if (!AesCbc(true, aes_key, Pkcs7Pad(plain, 32), cipher)) throw std::runtime_error("AES-256-CBC encryption failed");
    return Base64Encode(cipher);
}

Result<WechatPlain> WechatDecrypt(std::string_view aes_key, std::string_view encrypted_base64) {
    if (aes_key.size() != 32) return DecryptFailed("密钥长度不对");
    auto cipher = Base64Decode(encrypted_base64);
    if (!cipher) return DecryptFailed("不是 base64");
    if (cipher->empty() || cipher->size() % 16 != 0) return DecryptFailed("长度不对");
    std::string padded;
    if (!AesCbc(false, aes_key, *cipher, padded)) return DecryptFailed("解密出错");
    auto plain = Pkcs7Unpad(padded, 32);
    if (!plain) return plain.error();
    if (plain->size() < 20) return DecryptFailed("内容过短");
    std::uint32_t len = 0;
    for (int i = 16; i < 20; ++i) len = (len << 8) | static_cast<unsigned char>((*plain)[static_cast<std::size_t>(i)]);
    if (len > plain->size() - 20) return DecryptFailed("长度字段不对");
    WechatPlain out;
    out.xml = plain->substr(20, len);
    out.app_id = plain->substr(20 + len);
    return out;
}

}  // namespace dangan::channels
