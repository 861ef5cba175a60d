#include "core/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <utility>

namespace dangan::core {
namespace {

template <auto Free>
struct Deleter {
    template <typename T>
    void operator()(T* p) const {
        Free(p);
    }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, Deleter<EVP_MAC_CTX_free>>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;

// EVP_*_update take int lengths; larger inputs are fed in pieces of this size.
constexpr std::size_t kChunk = std::size_t{1} << 30;

constexpr unsigned char kSealVersion = 0x01;
constexpr std::size_t kSm4KeySize = 16;
constexpr std::size_t kIvSize = 16;
constexpr std::size_t kTagSize = kSm3DigestSize;
static_assert(kSealOverhead == 1 + kIvSize + kTagSize);

[[noreturn]] void ThrowOpenSsl(const char* what) {
    char detail[256] = "no OpenSSL error";
    if (unsigned long e = ERR_get_error(); e != 0) {
        ERR_error_string_n(e, detail, sizeof detail);
    }
    ERR_clear_error();
    throw std::runtime_error(std::string("OpenSSL failure in ") + what + ": " + detail);
}

void Check(int rc, const char* what) {
    if (rc != 1) {
        ThrowOpenSsl(what);
    }
}

const unsigned char* Bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// Algorithm objects are fetched once: implicit fetching on every call costs a provider lookup under
// a lock. Fetched objects are immutable and safe to share between threads.
const EVP_MD* Sm3Md() {
    static const EVP_MD* md = [] {
        EVP_MD* m = EVP_MD_fetch(nullptr, "SM3", nullptr);
        if (m == nullptr) {
            ThrowOpenSsl("EVP_MD_fetch(SM3)");
        }
        return m;
    }();
    return md;
}

EVP_MAC* HmacAlgorithm() {
    static EVP_MAC* mac = [] {
        EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
        if (m == nullptr) {
            ThrowOpenSsl("EVP_MAC_fetch(HMAC)");
        }
        return m;
    }();
    return mac;
}

const EVP_CIPHER* Sm4Ctr() {
    static const EVP_CIPHER* cipher = [] {
        EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "SM4-CTR", nullptr);
        if (c == nullptr) {
            ThrowOpenSsl("EVP_CIPHER_fetch(SM4-CTR)");
        }
        return c;
    }();
    return cipher;
}

// HMAC-SM3 over the concatenation of `parts`, without building the concatenation.
std::string HmacSm3Parts(std::string_view key, std::initializer_list<std::string_view> parts) {
    MacCtxPtr ctx(EVP_MAC_CTX_new(HmacAlgorithm()));
    if (!ctx) {
        ThrowOpenSsl("EVP_MAC_CTX_new");
    }
    char digest_name[] = "SM3";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    // A null key pointer would mean "keep the previous key"; an empty key must still be a key.
    static const unsigned char kNoKeyBytes = 0;
    const unsigned char* key_bytes = key.empty() ? &kNoKeyBytes : Bytes(key);
    Check(EVP_MAC_init(ctx.get(), key_bytes, key.size(), params), "EVP_MAC_init");
    for (std::string_view part : parts) {
        for (std::size_t off = 0; off < part.size(); off += kChunk) {
            std::size_t n = std::min(kChunk, part.size() - off);
            Check(EVP_MAC_update(ctx.get(), Bytes(part) + off, n), "EVP_MAC_update");
        }
    }
    std::string out(kSm3DigestSize, '\0');
    std::size_t out_len = 0;
    Check(EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &out_len, out.size()),
          "EVP_MAC_final");
    out.resize(out_len);
    return out;
}

// SM4-CTR is its own inverse: the same call encrypts and decrypts.
std::string Sm4CtrXor(std::string_view key, std::string_view iv, std::string_view input) {
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx) {
        ThrowOpenSsl("EVP_CIPHER_CTX_new");
    }
    Check(EVP_EncryptInit_ex2(ctx.get(), Sm4Ctr(), Bytes(key), Bytes(iv), nullptr), "EVP_EncryptInit_ex2");
    std::string out(input.size(), '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    std::size_t written = 0;
    for (std::size_t off = 0; off < input.size(); off += kChunk) {
        int n = static_cast<int>(std::min(kChunk, input.size() - off));
        int len = 0;
        Check(EVP_EncryptUpdate(ctx.get(), dst + written, &len, Bytes(input) + off, n), "EVP_EncryptUpdate");
        written += static_cast<std::size_t>(len);
    }
    int len = 0;
    Check(EVP_EncryptFinal_ex(ctx.get(), dst + written, &len), "EVP_EncryptFinal_ex");
    written += static_cast<std::size_t>(len);
    out.resize(written);
    return out;
}

// Derived key material is wiped when it goes out of scope.
struct SealKeys {
    std::string enc;
    std::string mac;

    ~SealKeys() {
        OPENSSL_cleanse(enc.data(), enc.size());
        OPENSSL_cleanse(mac.data(), mac.size());
    }
};

// HKDF-Expand-SM3 with the 32-byte seal key as PRK; one output block per key (see crypto.hpp).
SealKeys DeriveSealKeys(std::string_view key) {
    using namespace std::string_view_literals;
    SealKeys keys{HmacSm3Parts(key, {"dangan/seal/v1/enc\x01"sv}), HmacSm3Parts(key, {"dangan/seal/v1/mac\x01"sv})};
    keys.enc.resize(kSm4KeySize);
    return keys;
}

std::string SealTag(std::string_view mac_key, std::string_view header_and_ciphertext,
                    std::string_view associated_data) {
    std::array<char, 8> ad_len{};
    std::uint64_t n = associated_data.size();
    for (int i = 7; i >= 0; --i) {
        ad_len[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
        n >>= 8;
    }
    return HmacSm3Parts(mac_key, {header_and_ciphertext, associated_data, std::string_view(ad_len.data(), 8)});
}

Error SealError(std::string message, std::string reason) {
    return MakeError(ErrorCode::kInternal, std::move(message), {}, std::move(reason));
}

Error InvalidSealKey() { return SealError("个人信息加密密钥配置有误，请联系系统管理员。", "invalid_seal_key"); }

Error InvalidSm2Key(const char* what) {
    ERR_clear_error();
    return MakeError(ErrorCode::kInvalidArgument, std::string("SM2 密钥无效：") + what, {}, "invalid_sm2_key");
}

Error NoPrivateKey() {
    return MakeError(ErrorCode::kInvalidArgument, "该 SM2 密钥只有公钥部分，不能用于签名。", {}, "no_private_key");
}

// Refuses passphrase-protected PEM instead of letting OpenSSL prompt on the terminal.
int NoPassphrase(char*, int, int, void*) { return 0; }

BioPtr ReadOnlyBio(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(INT_MAX)) {
        return nullptr;
    }
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string DrainBio(BIO* bio) {
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    if (data == nullptr || len <= 0) {
        return {};
    }
    return std::string(data, static_cast<std::size_t>(len));
}

bool IsSm2(EVP_PKEY* pkey) { return EVP_PKEY_is_a(pkey, "SM2") == 1; }

// A digest context set up for SM2-with-SM3 with the default distinguishing ID. The EVP_MD_CTX
// borrows the EVP_PKEY_CTX, so the members are declared so that `md` is destroyed first.
struct Sm2DigestCtx {
    PkeyCtxPtr pctx;
    MdCtxPtr md;
};

Sm2DigestCtx InitSm2Digest(EVP_PKEY* pkey, bool sign) {
    Sm2DigestCtx ctx{PkeyCtxPtr(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr)), MdCtxPtr(EVP_MD_CTX_new())};
    if (!ctx.pctx || !ctx.md) {
        ThrowOpenSsl("SM2 context allocation");
    }
    if (EVP_PKEY_CTX_set1_id(ctx.pctx.get(), kSm2DefaultId.data(), static_cast<int>(kSm2DefaultId.size())) <= 0) {
        ThrowOpenSsl("EVP_PKEY_CTX_set1_id");
    }
    EVP_MD_CTX_set_pkey_ctx(ctx.md.get(), ctx.pctx.get());
    if (sign) {
        Check(EVP_DigestSignInit_ex(ctx.md.get(), nullptr, "SM3", nullptr, nullptr, pkey, nullptr),
              "EVP_DigestSignInit_ex");
    } else {
        Check(EVP_DigestVerifyInit_ex(ctx.md.get(), nullptr, "SM3", nullptr, nullptr, pkey, nullptr),
              "EVP_DigestVerifyInit_ex");
    }
    return ctx;
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 0x0f]);
    }
    return out;
}

Result<std::string> HexDecode(std::string_view hex) {
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    if (hex.size() % 2 != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "十六进制数据的长度必须是偶数。", {}, "invalid_hex");
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = nibble(hex[i]);
        int lo = nibble(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return MakeError(ErrorCode::kInvalidArgument, "十六进制数据含有无效字符。", {}, "invalid_hex");
        }
        out.push_back(static_cast<char>((hi << 4) | lo));
    }
    return out;
}

std::string Sm3(std::string_view data) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (!ctx) {
        ThrowOpenSsl("EVP_MD_CTX_new");
    }
    Check(EVP_DigestInit_ex2(ctx.get(), Sm3Md(), nullptr), "EVP_DigestInit_ex2");
    for (std::size_t off = 0; off < data.size(); off += kChunk) {
        Check(EVP_DigestUpdate(ctx.get(), data.data() + off, std::min(kChunk, data.size() - off)), "EVP_DigestUpdate");
    }
    std::string out(kSm3DigestSize, '\0');
    unsigned int len = 0;
    Check(EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len), "EVP_DigestFinal_ex");
    out.resize(len);
    return out;
}

std::string Sm3Hex(std::string_view data) { return HexEncode(Sm3(data)); }

std::string HmacSm3(std::string_view key, std::string_view data) { return HmacSm3Parts(key, {data}); }

std::string SecureRandom(std::size_t n) {
    std::string out(n, '\0');
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    for (std::size_t off = 0; off < n; off += kChunk) {
        Check(RAND_bytes(dst + off, static_cast<int>(std::min(kChunk, n - off))), "RAND_bytes");
    }
    return out;
}

std::string RandomDigits(int n) {
    std::uint32_t range = 1;
    for (int i = 0; i < n; ++i) range *= 10;
    const std::uint32_t limit = static_cast<std::uint32_t>(0x100000000ULL / range * range - 1);  // no modulo bias
    for (;;) {
        const std::string bytes = SecureRandom(sizeof(std::uint32_t));
        std::uint32_t v = 0;
        std::memcpy(&v, bytes.data(), sizeof v);
        if (v >= limit) continue;
        std::string digits = std::to_string(v % range);
        return std::string(static_cast<std::size_t>(n) - digits.size(), '0') + digits;
    }
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---- Sm2Key ----

Result<Sm2Key> Sm2Key::Generate() {
    PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr));
    EVP_PKEY* pkey = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_generate(ctx.get(), &pkey) != 1) {
        ERR_clear_error();
        return MakeError(ErrorCode::kInternal, "无法生成 SM2 密钥，请检查 OpenSSL 安装。", {}, "sm2_keygen_failed");
    }
    return Sm2Key(pkey, true);
}

Result<Sm2Key> Sm2Key::FromPrivatePem(std::string_view pem) {
    BioPtr bio = ReadOnlyBio(pem);
    if (!bio) {
        return InvalidSm2Key("无法读取 PEM 文本。");
    }
    PkeyPtr pkey(PEM_read_bio_PrivateKey_ex(bio.get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
    if (!pkey) {
        return InvalidSm2Key("不是未加密的 PEM 私钥。");
    }
    if (!IsSm2(pkey.get())) {
        return InvalidSm2Key("不是 SM2 曲线上的密钥。");
    }
    return Sm2Key(pkey.release(), true);
}

Result<Sm2Key> Sm2Key::FromPublicPem(std::string_view pem) {
    BioPtr bio = ReadOnlyBio(pem);
    if (!bio) {
        return InvalidSm2Key("无法读取 PEM 文本。");
    }
    PkeyPtr pkey(PEM_read_bio_PUBKEY_ex(bio.get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
    if (!pkey) {
        return InvalidSm2Key("不是 PEM 公钥。");
    }
    if (!IsSm2(pkey.get())) {
        return InvalidSm2Key("不是 SM2 曲线上的密钥。");
    }
    return Sm2Key(pkey.release(), false);
}

Sm2Key::Sm2Key(const Sm2Key& other) : pkey_(other.pkey_), has_private_(other.has_private_) {
    if (pkey_ != nullptr) {
        EVP_PKEY_up_ref(pkey_);
    }
}

Sm2Key& Sm2Key::operator=(const Sm2Key& other) {
    if (this != &other) {
        Sm2Key copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Sm2Key::Sm2Key(Sm2Key&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), has_private_(std::exchange(other.has_private_, false)) {}

Sm2Key& Sm2Key::operator=(Sm2Key&& other) noexcept {
    if (this != &other) {
        EVP_PKEY_free(pkey_);
        pkey_ = std::exchange(other.pkey_, nullptr);
        has_private_ = std::exchange(other.has_private_, false);
    }
    return *this;
}

Sm2Key::~Sm2Key() { EVP_PKEY_free(pkey_); }

Result<std::string> Sm2Key::PrivatePem() const {
    if (!has_private_) {
        return NoPrivateKey();
    }
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        ThrowOpenSsl("BIO_new");
    }
    Check(PEM_write_bio_PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PrivateKey");
    return DrainBio(bio.get());
}

std::string Sm2Key::PublicPem() const {
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio) {
        ThrowOpenSsl("BIO_new");
    }
    Check(PEM_write_bio_PUBKEY(bio.get(), pkey_), "PEM_write_bio_PUBKEY");
    return DrainBio(bio.get());
}

Sm2Key Sm2Key::PublicOnly() const {
    Result<Sm2Key> key = FromPublicPem(PublicPem());
    if (!key.ok()) {
        throw std::runtime_error("SM2 public key does not survive a PEM round trip");
    }
    return std::move(key).value();
}

// ---- SM2 signatures ----

Result<std::string> SignSm2(const Sm2Key& private_key, std::string_view message) {
    if (!private_key.has_private()) {
        return NoPrivateKey();
    }
    Sm2DigestCtx ctx = InitSm2Digest(private_key.get(), /*sign=*/true);
    std::size_t sig_len = 0;
    Check(EVP_DigestSign(ctx.md.get(), nullptr, &sig_len, Bytes(message), message.size()), "EVP_DigestSign(size)");
    std::string sig(sig_len, '\0');
    Check(EVP_DigestSign(ctx.md.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, Bytes(message),
                         message.size()),
          "EVP_DigestSign");
    sig.resize(sig_len);
    return sig;
}

bool VerifySm2(const Sm2Key& public_key, std::string_view message, std::string_view signature) {
    if (public_key.get() == nullptr || signature.empty()) {
        return false;
    }
    Sm2DigestCtx ctx = InitSm2Digest(public_key.get(), /*sign=*/false);
    int rc = EVP_DigestVerify(ctx.md.get(), Bytes(signature), signature.size(), Bytes(message), message.size());
    // A bad signature leaves decoding errors on this thread's queue; they must not leak into
    // unrelated OpenSSL calls later.
    ERR_clear_error();
    return rc == 1;
}

namespace {

Error InvalidSignature() {
    return MakeError(ErrorCode::kInvalidArgument, "签名格式不正确", "signature", "invalid_signature");
}

}  // namespace

Result<std::string> Sm2SignatureToRaw(std::string_view der) {
    const auto* p = Bytes(der);
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(
        d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), &ECDSA_SIG_free);
    if (!sig || p != Bytes(der) + der.size()) {
        ERR_clear_error();
        return InvalidSignature();
    }
    const BIGNUM* r = nullptr;
    const BIGNUM* s = nullptr;
    ECDSA_SIG_get0(sig.get(), &r, &s);
    std::string out(kSm2RawSignatureSize, '\0');
    auto* o = reinterpret_cast<unsigned char*>(out.data());
    if (BN_bn2binpad(r, o, 32) != 32 || BN_bn2binpad(s, o + 32, 32) != 32) {
        ERR_clear_error();
        return InvalidSignature();
    }
    return out;
}

Result<std::string> Sm2SignatureFromRaw(std::string_view raw) {
    if (raw.size() != kSm2RawSignatureSize) return InvalidSignature();
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> sig(ECDSA_SIG_new(), &ECDSA_SIG_free);
    BIGNUM* r = BN_bin2bn(Bytes(raw), 32, nullptr);
    BIGNUM* s = BN_bin2bn(Bytes(raw) + 32, 32, nullptr);
    if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        throw std::runtime_error("OpenSSL could not build an ECDSA_SIG");
    }
    unsigned char* der = nullptr;
    const int len = i2d_ECDSA_SIG(sig.get(), &der);
    if (len <= 0) throw std::runtime_error("OpenSSL could not encode an ECDSA_SIG");
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

// ---- Sealing ----

Result<std::string> Seal(std::string_view key, std::string_view plaintext, std::string_view associated_data) {
    if (key.size() != kSealKeySize) {
        return InvalidSealKey();
    }
    SealKeys keys = DeriveSealKeys(key);
    std::string iv = SecureRandom(kIvSize);
    std::string out;
    out.reserve(kSealOverhead + plaintext.size());
    out.push_back(static_cast<char>(kSealVersion));
    out += iv;
    out += Sm4CtrXor(keys.enc, iv, plaintext);
    out += SealTag(keys.mac, out, associated_data);
    return out;
}

Result<std::string> Open(std::string_view key, std::string_view sealed, std::string_view associated_data) {
    if (key.size() != kSealKeySize) {
        return InvalidSealKey();
    }
    if (sealed.size() < kSealOverhead) {
        return SealError("加密数据不完整，无法解密。", "sealed_data_truncated");
    }
    if (static_cast<unsigned char>(sealed[0]) != kSealVersion) {
        return SealError("加密数据的格式版本不受支持，无法解密。", "sealed_data_unsupported_version");
    }
    SealKeys keys = DeriveSealKeys(key);
    std::string_view authenticated = sealed.substr(0, sealed.size() - kTagSize);
    std::string_view tag = sealed.substr(sealed.size() - kTagSize);
    if (!ConstantTimeEqual(SealTag(keys.mac, authenticated, associated_data), tag)) {
        return SealError("加密数据校验失败，可能已损坏或被篡改，无法解密。", "sealed_data_tampered");
    }
    std::string_view iv = authenticated.substr(1, kIvSize);
    std::string_view ciphertext = authenticated.substr(1 + kIvSize);
    return Sm4CtrXor(keys.enc, iv, ciphertext);
}

std::string BlindIndex(std::string_view key, std::string_view normalised_value) {
    return HmacSm3(key, normalised_value);
}

}  // namespace dangan::core
