#pragma once

// The WeChat Official Account's message security (公众号消息加解密), exactly as WeChat does it:
// - signature = hex SHA-1 of the sorted, concatenated strings (token, timestamp, nonce[, Encrypt]);
// - safe mode: AES-256-CBC, key = base64-decode(EncodingAESKey + "="), IV = the key's first
//   16 bytes, PKCS#7 padding to 32-byte blocks (not AES's 16), base64 on the wire;
//   plaintext = 16 random bytes ‖ 4-byte big-endian length ‖ XML ‖ AppID.
// Pure functions over OpenSSL; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dangan::channels {

// Hex (lower-case) SHA-1 of the parts sorted as byte strings and concatenated.
std::string WechatSignature(std::vector<std::string> parts);

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; fails (reason "invalid_base64") on anything else.
Result<std::string> Base64Decode(std::string_view text);

// The 32-byte AES key of a 43-character EncodingAESKey; fails (reason "invalid_aes_key").
Result<std::string> WechatAesKey(std::string_view encoding_aes_key);

// PKCS#7 padding to `block` bytes (WeChat: 32), and its removal (fails on bad padding).
std::string Pkcs7Pad(std::string_view data, std::size_t block);
Result<std::string> Pkcs7Unpad(std::string_view data, std::size_t block);

// Encrypts `xml` for `app_id` with the 16 `random` bytes in front: the base64 of the ciphertext.
std::string WechatEncrypt(std::string_view aes_key, std::string_view random16, std::string_view xml,
                          std::string_view app_id);

struct WechatPlain {
    std::string xml;
    std::string app_id;
};
// Decrypts and splits a base64 <Encrypt>; fails (reason "wechat_decrypt_failed") on bad base64,
// length, padding or length field. The caller checks the AppID.
Result<WechatPlain> WechatDecrypt(std::string_view aes_key, std::string_view encrypted_base64);

}  // namespace dangan::channels
