#pragma once

// National (国密) cryptography over OpenSSL 3: SM3 hashing, HMAC-SM3, SM2-with-SM3 signatures,
// and authenticated encryption of small records (SM4-CTR + HMAC-SM3, encrypt-then-MAC).
//
// Conventions for the whole header:
// - Binary data (digests, keys, signatures, sealed records) travels as std::string holding raw bytes.
// - Every function is thread-safe: none keeps mutable state, and an Sm2Key may be shared by any
//   number of threads for signing and verifying at once.
// - Functions that cannot fail for any input return plain values; they throw std::runtime_error
//   only when OpenSSL itself is broken (an algorithm missing from the installation, the random
//   generator unable to seed) — infrastructure failure, never caused by input.
// - Functions that can fail for some input return Result<T> with a Chinese message.

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY; kept opaque so that this header stays light.

namespace dangan::core {

inline constexpr std::size_t kSm3DigestSize = 32;

// Lower-case hexadecimal of arbitrary bytes ("\x01\xab" → "01ab").
std::string HexEncode(std::string_view bytes);
// Inverse of HexEncode; accepts either case. Fails (kInvalidArgument, reason "invalid_hex") on an
// odd length or a non-hex character.
Result<std::string> HexDecode(std::string_view hex);

// SM3 digest (GB/T 32905-2016) of `data`: 32 raw bytes.
std::string Sm3(std::string_view data);
// The same digest as 64 lower-case hex characters.
std::string Sm3Hex(std::string_view data);

// HMAC (RFC 2104) with SM3 as the hash: 32 raw bytes. Any key length is allowed; keys longer than
// SM3's 64-byte block are hashed first, as HMAC prescribes.
std::string HmacSm3(std::string_view key, std::string_view data);

// `n` bytes from OpenSSL's CSPRNG (RAND_bytes). Use for keys, IVs, tokens and one-time codes.
std::string SecureRandom(std::size_t n);
// `n` (1–9) uniformly random decimal digits from SecureRandom: one-time codes, booking codes.
std::string RandomDigits(int n);

// True when `a` and `b` hold the same bytes. The time taken depends only on the lengths, never on
// where the contents differ, so it is safe for comparing MACs and token hashes. Unequal lengths
// return false at once (lengths are not secret).
bool ConstantTimeEqual(std::string_view a, std::string_view b);

// An SM2 key: a private key (which also holds its public part) or a public key alone. Owns a
// reference-counted OpenSSL EVP_PKEY; copies share the same immutable key, moves transfer it.
// A moved-from Sm2Key is empty: only destruction and assignment are allowed on it.
class Sm2Key {
public:
    // A fresh private key on the SM2 recommended curve, from the CSPRNG.
    static Result<Sm2Key> Generate();
    // Loads an unencrypted PKCS#8 private key in PEM ("BEGIN PRIVATE KEY", what PrivatePem and
    // `openssl genpkey -algorithm SM2` write). Fails (kInvalidArgument, reason "invalid_sm2_key")
    // when the text is not such a key, is passphrase-protected, or is of another algorithm or curve.
    static Result<Sm2Key> FromPrivatePem(std::string_view pem);
    // Loads a public key in PEM ("BEGIN PUBLIC KEY", SubjectPublicKeyInfo). Same failures.
    static Result<Sm2Key> FromPublicPem(std::string_view pem);

    Sm2Key(const Sm2Key& other);
    Sm2Key& operator=(const Sm2Key& other);
    Sm2Key(Sm2Key&& other) noexcept;
    Sm2Key& operator=(Sm2Key&& other) noexcept;
    ~Sm2Key();

    // True when this key can sign.
    bool has_private() const { return has_private_; }
    // The private key as unencrypted PKCS#8 PEM. Fails (kInvalidArgument, reason "no_private_key")
    // on a public-only key. Treat the result as a secret.
    Result<std::string> PrivatePem() const;
    // The public key as SubjectPublicKeyInfo PEM; works for private and public keys alike.
    std::string PublicPem() const;
    // A key holding only the public part (what verifiers receive).
    Sm2Key PublicOnly() const;

    // The underlying EVP_PKEY, still owned by this object; for code in core/ that talks to OpenSSL.
    evp_pkey_st* get() const { return pkey_; }

private:
    Sm2Key(evp_pkey_st* pkey, bool has_private) : pkey_(pkey), has_private_(has_private) {}

    evp_pkey_st* pkey_ = nullptr;
    bool has_private_ = false;
};

// The SM2 signer identity (distinguishing ID) used for every signature here: the GB/T 35276-2017
// default "1234567812345678". It is set explicitly, so signatures interoperate with other SM2
// implementations (OpenSSL's command line needs `-sigopt distid:1234567812345678`).
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// SM2-with-SM3 signature of `message` (hashed with Z per GB/T 32918.2): a DER-encoded
// SEQUENCE{r, s}, at most 72 bytes (usually 70–72), different on every call. Fails (kInvalidArgument, reason
// "no_private_key") when the key has no private part.
Result<std::string> SignSm2(const Sm2Key& private_key, std::string_view message);
// True when `signature` (DER) is a valid SM2-with-SM3 signature of `message` under `public_key`
// (a private key works too). Any malformed signature is simply false.
bool VerifySm2(const Sm2Key& public_key, std::string_view message, std::string_view signature);

// The fixed 64-byte form r ‖ s (each 32 bytes, big-endian) of a DER SM2 signature, for compact
// encodings such as QR codes, and back. Fail (kInvalidArgument, reason "invalid_signature") on
// malformed input.
inline constexpr std::size_t kSm2RawSignatureSize = 64;
Result<std::string> Sm2SignatureToRaw(std::string_view der);
Result<std::string> Sm2SignatureFromRaw(std::string_view raw);

// ---- Sealing: authenticated encryption of personal data at rest ----
//
// Key: one 32-byte secret K (e.g. from SecureRandom(kSealKeySize), kept in configuration). Two keys
// are derived from it with HKDF-Expand-SM3 (RFC 5869 §2.3, K as the pseudo-random key), so that
// the cipher and the MAC never share key material:
//     enc_key (16 bytes, SM4)      = HMAC-SM3(K, "dangan/seal/v1/enc" ‖ 0x01)[0..16)
//     mac_key (32 bytes, HMAC-SM3) = HMAC-SM3(K, "dangan/seal/v1/mac" ‖ 0x01)
// Sealed record, 49 + plaintext bytes:
//     version (1 byte, 0x01) ‖ IV (16 random bytes) ‖ SM4-CTR(enc_key, IV, plaintext) ‖ tag (32 bytes)
//     tag = HMAC-SM3(mac_key, version ‖ IV ‖ ciphertext ‖ associated_data ‖ u64be(len(associated_data)))
// `associated_data` is authenticated but not stored: pass the same bytes to Open (for example
// "person.id_number" so that a value copied into another column no longer opens). It may be empty.

inline constexpr std::size_t kSealKeySize = 32;
inline constexpr std::size_t kSealOverhead = 1 + 16 + 32;

// Encrypts and authenticates `plaintext` with a fresh random IV. Fails (kInternal, reason
// "invalid_seal_key") only when `key` is not kSealKeySize bytes.
Result<std::string> Seal(std::string_view key, std::string_view plaintext, std::string_view associated_data = {});
// Checks the tag in constant time and only then decrypts. Fails with kInternal (reason
// "invalid_seal_key", "sealed_data_truncated", "sealed_data_unsupported_version" or
// "sealed_data_tampered") when the key size is wrong or the record is truncated, of an unknown
// version, altered in any bit, sealed under another key or with other associated data.
Result<std::string> Open(std::string_view key, std::string_view sealed, std::string_view associated_data = {});

// Blind index for looking up sealed values by equality: HMAC-SM3(key, normalised_value), 32 raw
// bytes. The caller normalises first (e.g. ValidateIdNumber's normalized form) so that every
// spelling of one value gives one index. Use a key distinct from the seal key.
std::string BlindIndex(std::string_view key, std::string_view normalised_value);

}  // namespace dangan::core
