#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dangan::core {
namespace {

std::string Unhex(std::string_view hex) {
    Result<std::string> bytes = HexDecode(hex);
    EXPECT_TRUE(bytes.ok()) << hex;
    return bytes.ok() ? bytes.value() : std::string();
}

// A fixed SM2 key pair made with `openssl genpkey -algorithm SM2` (OpenSSL 3.0).
constexpr const char* kFixturePrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqBHM9VAYItBG0wawIBAQQggE11JRWv/A+f1eM2\n"
    "J5byiUp7l3gXQCz4DxQgzBoAWNChRANCAAS/DB04eM5kb1SOVFIqNP2gpDXjD59J\n"
    "2xFsBtU6l09GPG9LMM3su+pgjwuE6hR+1CL57yrteuI1pfVgSnifwiW+\n"
    "-----END PRIVATE KEY-----\n";
constexpr const char* kFixturePublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEvwwdOHjOZG9UjlRSKjT9oKQ14w+f\n"
    "SdsRbAbVOpdPRjxvSzDN7LvqYI8LhOoUftQi+e8q7XriNaX1YEp4n8Ilvg==\n"
    "-----END PUBLIC KEY-----\n";
// A P-256 key: valid PEM, wrong curve.
constexpr const char* kP256PublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETCovmi0iBZUzUMwNdyEzlQ0s1h4p\n"
    "nfQKDC0crJ/9QpkNzFlm5gbw8bbFmj7Z+5xcgJ+sYhlTqv4VozFoyNsvBw==\n"
    "-----END PUBLIC KEY-----\n";
constexpr const char* kP256PrivatePem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQggGz7a2rHZCuiwJHB\n"
    "VFXQvdMFg9949wtb1+6QGsH4Rc6hRANCAASkOs3X3TGFYqwWC1zRjAVgLGmuCZVT\n"
    "sK5+w2LII1bUDg2WSVU1lgpSsYPQq5KOWVXeb2KNOFRiDanGhSsV/9xY\n"
    "-----END PRIVATE KEY-----\n";

// kFixturePrivatePem protected with a passphrase (`openssl pkcs8 -topk8 -v2 aes-256-cbc`).
constexpr const char* kEncryptedPrivatePem =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjfwA8Nj/G84QICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEAnuQOCINMd5+LeRAjN35jYEgZBN\n"
    "jDHSd0fsHOYQzt+85f9+/ZJmBe7Hu/ZftQ0bBlWhaYzdkgL6Z4b8cIbF9BxRPiNv\n"
    "Znb1lB4r/aAh0SVtojBtVG9redsTzkL07DmtOvrrldizBIt4vfFQrj+Ak3aMVRxN\n"
    "0K07HiXtH1dFm2nWUJf+AdzMg3z13NKCiMw+r8xPnBvEWiL2RUd7zBWR3rut+cQ=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

constexpr const char* kFixtureMessage = "档案查询证明 No. 2025-000001";

Sm2Key MustGenerate() {
    Result<Sm2Key> key = Sm2Key::Generate();
    EXPECT_TRUE(key.ok());
    return std::move(key).value();
}

// ---- hex ----

TEST(CryptoHex, RoundTripsAllByteValues) {
    std::string all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<char>(i));
    }
    std::string hex = HexEncode(all);
    EXPECT_EQ(hex.substr(0, 8), "00010203");
    EXPECT_EQ(hex.substr(hex.size() - 4), "feff");
    Result<std::string> back = HexDecode(hex);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), all);
    EXPECT_EQ(HexDecode("ABcd").value(), "\xab\xcd");
}

TEST(CryptoHex, RejectsOddLengthAndNonHex) {
    EXPECT_EQ(HexDecode("abc").error().reason, "invalid_hex");
    EXPECT_EQ(HexDecode("zz").error().reason, "invalid_hex");
    EXPECT_TRUE(HexDecode("").ok());
}

// ---- SM3 and HMAC-SM3 ----

TEST(CryptoSm3, MatchesGbt32905Vectors) {
    // GB/T 32905-2016 appendix A, examples 1 and 2.
    EXPECT_EQ(Sm3Hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    std::string abcd64;
    for (int i = 0; i < 16; ++i) {
        abcd64 += "abcd";
    }
    EXPECT_EQ(Sm3Hex(abcd64), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
    EXPECT_EQ(Sm3("abc").size(), kSm3DigestSize);
    EXPECT_EQ(Sm3Hex(""), "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b");
}

TEST(CryptoHmacSm3, MatchesOpenSslCommandLine) {
    // Each value computed once with `openssl dgst -sm3 -hmac` / `-mac HMAC -macopt hexkey:` and
    // cross-checked with Python's hmac module.
    EXPECT_EQ(HexEncode(HmacSm3("key", "The quick brown fox jumps over the lazy dog")),
              "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398");
    EXPECT_EQ(HexEncode(HmacSm3(std::string(100, 'k'), "abc")),  // key longer than a block: hashed first
              "2d87dd3ffa1452e8e40d9123a02824fb7dd98ae4a52683287245f1736dc610ef");
    EXPECT_EQ(HexEncode(HmacSm3(Unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), "")),
              "fda7c78d15984d8771f59f20a69d195c6e237070d37ec962e167326e517433db");
    EXPECT_EQ(HexEncode(HmacSm3("", "abc")), "36525058ca466791502435c910517f1a7e86613d5f35ac1f18a94def0eaac81f");
}

TEST(CryptoHmacSm3, EqualsRfc2104ConstructionOverSm3) {
    std::string key = "archive-centre";
    std::string data = "档案在哪里查询";
    std::string block = key + std::string(64 - key.size(), '\0');
    std::string ipad, opad;
    for (char c : block) {
        ipad.push_back(static_cast<char>(c ^ 0x36));
        opad.push_back(static_cast<char>(c ^ 0x5c));
    }
    EXPECT_EQ(HmacSm3(key, data), Sm3(opad + Sm3(ipad + data)));
}

// ---- random and comparison ----

TEST(CryptoSecureRandom, ReturnsRequestedLengthAndVaries) {
    EXPECT_EQ(SecureRandom(0), "");
    EXPECT_EQ(SecureRandom(1000).size(), 1000u);
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        seen.insert(SecureRandom(16));
    }
    EXPECT_EQ(seen.size(), 50u);
}

TEST(CryptoConstantTimeEqual, ComparesContentAndLength) {
    EXPECT_TRUE(ConstantTimeEqual("", ""));
    EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
    EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
    EXPECT_FALSE(ConstantTimeEqual("abc", "abcd"));
    EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

// ---- SM2 ----

TEST(CryptoSm2, SignVerifyRoundTrip) {
    Sm2Key key = MustGenerate();
    EXPECT_TRUE(key.has_private());
    Result<std::string> sig = SignSm2(key, kFixtureMessage);
    ASSERT_TRUE(sig.ok());
    EXPECT_GE(sig->size(), 8u);
    EXPECT_LE(sig->size(), 72u);
    EXPECT_EQ((*sig)[0], '\x30');  // DER SEQUENCE
    EXPECT_TRUE(VerifySm2(key, kFixtureMessage, *sig));
    EXPECT_TRUE(VerifySm2(key.PublicOnly(), kFixtureMessage, *sig));
}

TEST(CryptoSm2, SignaturesAreRandomisedButAllVerify) {
    Sm2Key key = MustGenerate();
    std::string a = SignSm2(key, "m").value();
    std::string b = SignSm2(key, "m").value();
    EXPECT_NE(a, b);
    EXPECT_TRUE(VerifySm2(key, "m", a));
    EXPECT_TRUE(VerifySm2(key, "m", b));
}

TEST(CryptoSm2, VerifyFailsOnAnyChange) {
    Sm2Key key = MustGenerate();
    std::string message = kFixtureMessage;
    std::string sig = SignSm2(key, message).value();

    std::string changed_message = message;
    changed_message.back() ^= 0x01;
    EXPECT_FALSE(VerifySm2(key, changed_message, sig));
    EXPECT_FALSE(VerifySm2(key, message + " ", sig));

    for (std::size_t i = 0; i < sig.size(); ++i) {
        std::string bad = sig;
        bad[i] ^= 0x01;
        EXPECT_FALSE(VerifySm2(key, message, bad)) << "flipped byte " << i;
    }
    EXPECT_FALSE(VerifySm2(key, message, sig.substr(0, sig.size() - 1)));
    EXPECT_FALSE(VerifySm2(key, message, ""));
    EXPECT_FALSE(VerifySm2(key, message, "garbage"));

    Sm2Key other = MustGenerate();
    EXPECT_FALSE(VerifySm2(other, message, sig));
}

TEST(CryptoSm2, PemRoundTrip) {
    Sm2Key key = MustGenerate();
    Result<std::string> private_pem = key.PrivatePem();
    ASSERT_TRUE(private_pem.ok());
    EXPECT_EQ(private_pem->rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
    std::string public_pem = key.PublicPem();
    EXPECT_EQ(public_pem.rfind("-----BEGIN PUBLIC KEY-----", 0), 0u);

    Result<Sm2Key> loaded_private = Sm2Key::FromPrivatePem(*private_pem);
    ASSERT_TRUE(loaded_private.ok());
    EXPECT_TRUE(loaded_private->has_private());
    EXPECT_EQ(loaded_private->PrivatePem().value(), *private_pem);
    EXPECT_EQ(loaded_private->PublicPem(), public_pem);

    Result<Sm2Key> loaded_public = Sm2Key::FromPublicPem(public_pem);
    ASSERT_TRUE(loaded_public.ok());
    EXPECT_FALSE(loaded_public->has_private());
    EXPECT_EQ(loaded_public->PublicPem(), public_pem);
    EXPECT_EQ(loaded_public->PrivatePem().error().reason, "no_private_key");

    // Signed with the reloaded private key, verified with the reloaded public key.
    std::string sig = SignSm2(*loaded_private, "round trip").value();
    EXPECT_TRUE(VerifySm2(*loaded_public, "round trip", sig));
    EXPECT_EQ(SignSm2(*loaded_public, "x").error().reason, "no_private_key");
}

TEST(CryptoSm2, InteroperatesWithOpenSslCommandLine) {
    // Made with: openssl dgst -sm3 -sign key.pem -sigopt distid:1234567812345678
    const std::string cli_sig = Unhex(
        "30450220338431ebe6c4dbf8dd84edacae104162a570d9b505111cc5743d9d2ef4a6cf5d022100fa25992abcb2983af50a94fe5775cf"
        "37d40bba10646d839a8b9244565f352fee");
    // The same message signed under another distinguishing ID (-sigopt distid:ALICE123@YAHOO.COM).
    const std::string other_id_sig = Unhex(
        "30440220273b167c94f865a053c1ffe519bb8962443eca2613609c793ec1a44d6d614a0e02202baa910e276264190e044417ccb185ad"
        "1e3cd5ae65c67f4488033bd56627f547");
    Result<Sm2Key> public_key = Sm2Key::FromPublicPem(kFixturePublicPem);
    ASSERT_TRUE(public_key.ok());
    EXPECT_TRUE(VerifySm2(*public_key, kFixtureMessage, cli_sig));
    EXPECT_FALSE(VerifySm2(*public_key, kFixtureMessage, other_id_sig));

    Result<Sm2Key> private_key = Sm2Key::FromPrivatePem(kFixturePrivatePem);
    ASSERT_TRUE(private_key.ok());
    EXPECT_EQ(private_key->PublicPem(), kFixturePublicPem);
    EXPECT_TRUE(VerifySm2(*public_key, kFixtureMessage, SignSm2(*private_key, kFixtureMessage).value()));
}

TEST(CryptoSm2, RejectsNonSm2AndMalformedPem) {
    Result<Sm2Key> p256_public = Sm2Key::FromPublicPem(kP256PublicPem);
    ASSERT_FALSE(p256_public.ok());
    EXPECT_EQ(p256_public.error().reason, "invalid_sm2_key");
    EXPECT_FALSE(Sm2Key::FromPrivatePem(kP256PrivatePem).ok());
    EXPECT_FALSE(Sm2Key::FromPrivatePem("").ok());
    EXPECT_FALSE(Sm2Key::FromPrivatePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").ok());
    EXPECT_FALSE(Sm2Key::FromPrivatePem(kFixturePublicPem).ok());  // a public key is not a private key
    EXPECT_FALSE(Sm2Key::FromPublicPem(kFixturePrivatePem).ok());
    // Refused without prompting for a passphrase on the terminal.
    EXPECT_EQ(Sm2Key::FromPrivatePem(kEncryptedPrivatePem).error().reason, "invalid_sm2_key");
}

TEST(CryptoSm2, CopiesShareAndMovesTransfer) {
    Sm2Key key = MustGenerate();
    Sm2Key copy = key;
    EXPECT_EQ(copy.get(), key.get());
    std::string sig = SignSm2(copy, "x").value();
    Sm2Key moved = std::move(copy);
    EXPECT_EQ(copy.get(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from state is specified
    EXPECT_TRUE(VerifySm2(moved, "x", sig));
    copy = moved;
    EXPECT_TRUE(VerifySm2(copy, "x", sig));
}

TEST(CryptoSm2, OneKeySharedAcrossThreads) {
    Sm2Key key = MustGenerate();
    std::vector<std::thread> threads;
    std::vector<int> ok(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&key, &ok, t] {
            for (int i = 0; i < 25; ++i) {
                std::string message = "thread " + std::to_string(t) + " message " + std::to_string(i);
                Result<std::string> sig = SignSm2(key, message);
                ok[static_cast<std::size_t>(t)] += sig.ok() && VerifySm2(key, message, *sig);
            }
        });
    }
    for (std::thread& th : threads) {
        th.join();
    }
    EXPECT_EQ(ok, std::vector<int>(4, 25));
}

// ---- Seal / Open ----

class CryptoSeal : public ::testing::Test {
protected:
    const std::string key_ = SecureRandom(kSealKeySize);
    const std::string plaintext_ = "220102199001011234";
};

TEST_F(CryptoSeal, RoundTrip) {
    Result<std::string> sealed = Seal(key_, plaintext_);
    ASSERT_TRUE(sealed.ok());
    EXPECT_EQ(sealed->size(), kSealOverhead + plaintext_.size());
    EXPECT_EQ((*sealed)[0], '\x01');
    EXPECT_EQ(sealed->find(plaintext_), std::string::npos);
    Result<std::string> opened = Open(key_, *sealed);
    ASSERT_TRUE(opened.ok());
    EXPECT_EQ(*opened, plaintext_);
}

TEST_F(CryptoSeal, RoundTripsEmptyAndLongAndBinary) {
    for (const std::string& text : {std::string(), std::string(1, '\0'), std::string(100000, 'x'), SecureRandom(333)}) {
        Result<std::string> sealed = Seal(key_, text, "ctx");
        ASSERT_TRUE(sealed.ok());
        Result<std::string> opened = Open(key_, *sealed, "ctx");
        ASSERT_TRUE(opened.ok());
        EXPECT_EQ(*opened, text);
    }
}

TEST_F(CryptoSeal, FreshIvEachTime) {
    std::string a = Seal(key_, plaintext_).value();
    std::string b = Seal(key_, plaintext_).value();
    EXPECT_NE(a, b);
    EXPECT_NE(a.substr(1, 16), b.substr(1, 16));
}

TEST_F(CryptoSeal, RejectsEveryFlippedBit) {
    std::string sealed = Seal(key_, plaintext_).value();
    // Every bit of version, IV, ciphertext and tag.
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            std::string bad = sealed;
            bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
            Result<std::string> opened = Open(key_, bad);
            ASSERT_FALSE(opened.ok()) << "byte " << i << " bit " << bit;
            EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
            EXPECT_FALSE(opened.error().message.empty());
            EXPECT_EQ(opened.error().reason, i == 0 ? "sealed_data_unsupported_version" : "sealed_data_tampered");
        }
    }
}

TEST_F(CryptoSeal, RejectsTruncationAndExtension) {
    std::string sealed = Seal(key_, plaintext_).value();
    for (std::size_t len = 0; len < sealed.size(); ++len) {
        Result<std::string> opened = Open(key_, sealed.substr(0, len));
        ASSERT_FALSE(opened.ok()) << "length " << len;
        EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
        EXPECT_EQ(opened.error().reason, len < kSealOverhead ? "sealed_data_truncated" : "sealed_data_tampered");
    }
    EXPECT_FALSE(Open(key_, sealed + "x").ok());
    EXPECT_FALSE(Open(key_, sealed.substr(1)).ok());  // dropped version byte
    EXPECT_EQ(Open(key_, "").error().reason, "sealed_data_truncated");
}

TEST_F(CryptoSeal, RejectsOtherKeyOrAssociatedData) {
    std::string sealed = Seal(key_, plaintext_, "person.id_number").value();
    EXPECT_TRUE(Open(key_, sealed, "person.id_number").ok());
    EXPECT_EQ(Open(key_, sealed, "person.mobile").error().reason, "sealed_data_tampered");
    EXPECT_EQ(Open(key_, sealed).error().reason, "sealed_data_tampered");
    EXPECT_EQ(Open(SecureRandom(kSealKeySize), sealed, "person.id_number").error().reason, "sealed_data_tampered");
}

TEST_F(CryptoSeal, RejectsWrongKeySize) {
    EXPECT_EQ(Seal("short", plaintext_).error().reason, "invalid_seal_key");
    EXPECT_EQ(Seal(std::string(33, 'k'), plaintext_).error().code, ErrorCode::kInternal);
    std::string sealed = Seal(key_, plaintext_).value();
    EXPECT_EQ(Open(key_.substr(0, 16), sealed).error().reason, "invalid_seal_key");
}

TEST_F(CryptoSeal, MatchesDocumentedLayout) {
    // Rebuild the tag from the documented derivation, independently of Seal.
    std::string sealed = Seal(key_, plaintext_, "ad").value();
    std::string mac_key = HmacSm3(key_, std::string("dangan/seal/v1/mac\x01"));
    std::string body = sealed.substr(0, sealed.size() - 32);
    std::string ad_len("\0\0\0\0\0\0\0\x02", 8);
    EXPECT_EQ(sealed.substr(sealed.size() - 32), HmacSm3(mac_key, body + "ad" + ad_len));
}

TEST(CryptoSealKnownAnswer, OpensRecordBuiltByOtherTools) {
    // Built outside this code from the layout in crypto.hpp: keys with Python's hmac (SM3),
    // ciphertext with `openssl enc -sm4-ctr`, key = bytes 0x00..0x1f, IV f0e1d2c3b4a5968778695a4b3c2d1e0f.
    std::string key;
    for (int i = 0; i < 32; ++i) {
        key.push_back(static_cast<char>(i));
    }
    const std::string sealed = Unhex(
        "01f0e1d2c3b4a5968778695a4b3c2d1e0f5f6f2743405e93f76d4513c9d7b254b9116d9d0e817f1736fa76c59876d9ad1511a099f32a"
        "b10265c6f675894a98a8b2306c89a6196b896a0a");
    Result<std::string> opened = Open(key, sealed, "person.id_number");
    ASSERT_TRUE(opened.ok()) << opened.error().reason;
    EXPECT_EQ(*opened, "11010519491231002X 张三");
}

TEST(CryptoBlindIndex, IsHmacSm3AndDeterministic) {
    std::string key = SecureRandom(32);
    EXPECT_EQ(BlindIndex(key, "11010519491231002X"), HmacSm3(key, "11010519491231002X"));
    EXPECT_EQ(BlindIndex(key, "11010519491231002X"), BlindIndex(key, "11010519491231002X"));
    EXPECT_NE(BlindIndex(key, "11010519491231002X"), BlindIndex(SecureRandom(32), "11010519491231002X"));
    EXPECT_EQ(BlindIndex(key, "x").size(), kSm3DigestSize);
}

}  // namespace
}  // namespace dangan::core

namespace dangan::core {
namespace {

TEST(CryptoSm2, RawSignatureFormRoundTripsAndVerifies) {
    Sm2Key key = Sm2Key::Generate().value();
    for (int i = 0; i < 20; ++i) {  // r or s with leading zero bytes come up now and then
        const std::string der = SignSm2(key, "message").value();
        const std::string raw = Sm2SignatureToRaw(der).value();
        ASSERT_EQ(raw.size(), kSm2RawSignatureSize);
        EXPECT_TRUE(VerifySm2(key, "message", Sm2SignatureFromRaw(raw).value()));
    }
    EXPECT_EQ(Sm2SignatureToRaw("junk").error().reason, "invalid_signature");
    EXPECT_EQ(Sm2SignatureFromRaw(std::string(63, 'a')).error().reason, "invalid_signature");
}

}  // namespace
}  // namespace dangan::core
