#include "certificates/code.hpp"

#include <gtest/gtest.h>

#include "core/validators.hpp"
#include "identity/totp.hpp"

namespace dangan::certificates {
namespace {

using namespace std::chrono;

Payload APayload(std::string kid = "2026-11-27") {
    Payload p;
    p.key_id = std::move(kid);
    p.number = FormatNumber(2026, "220102", 1);
    p.issued_on = 2026y / November / 27;
    p.valid_until = 2027y / February / 24;
    p.subject_hash = SubjectHash(p.number, "220102198503150015", "张伟");
    p.content_hash = ContentHash(R"({"number":"x"})");
    return p;
}

std::map<std::string, core::Sm2Key> Published(const core::Sm2Key& key, const std::string& kid = "2026-11-27") {
    return {{kid, key.PublicOnly()}};
}

TEST(CertificateNumber, CarriesAnIso7064CheckCharacterAndIsTypedLoosely) {
    const std::string n = FormatNumber(2026, "220102", 1);
    ASSERT_EQ(n.size(), kNumberLength);
    EXPECT_EQ(n.substr(0, 16), "2026220102000001");
    EXPECT_EQ(NormaliseNumber(n).value(), n);
    EXPECT_EQ(NormaliseNumber(DisplayNumber(n)).value(), n);
    EXPECT_EQ(DisplayNumber("20262201020000015"), "2026 2201 0200 0001 5");
    // Each single-digit change is caught by the check character.
    for (std::size_t i = 0; i < 16; ++i) {
        std::string typo = n;
        typo[i] = typo[i] == '9' ? '0' : static_cast<char>(typo[i] + 1);
        EXPECT_EQ(NormaliseNumber(typo).error().reason, "invalid_number") << typo;
    }
    EXPECT_EQ(NormaliseNumber("").error().field, "number");
    EXPECT_EQ(NormaliseNumber("2026220102").error().reason, "invalid_number");
}

TEST(CertificateNumber, TheCheckIsTheOneOfTheResidentIdNumber) {
    // ISO 7064 MOD 11-2 over 17 digits is GB 11643's check: the demo ID numbers agree.
    for (const char* id : {"220102198503150015", "220104199007220026", "220105196501200138"}) {
        const std::string s(id);
        EXPECT_EQ(core::Iso7064Mod112(s.substr(0, 17)), s[17]) << id;
    }
    EXPECT_EQ(core::Iso7064Mod112("22010219850315001"), '5');
    EXPECT_FALSE(core::Iso7064Mod112("12a4"));
    EXPECT_FALSE(core::Iso7064Mod112(""));
}

TEST(CertificateCode, ThePayloadRoundTrips) {
    const Payload p = APayload();
    const std::string bytes = EncodePayload(p);
    EXPECT_EQ(bytes.size(), 2 + p.key_id.size() + 17 + 8 + 16 + 32);
    std::size_t used = 0;
    auto back = DecodePayload(bytes + "tail", &used);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, p);
    EXPECT_EQ(used, bytes.size());
    EXPECT_FALSE(DecodePayload(bytes.substr(0, bytes.size() - 1), nullptr).ok());
    std::string v2 = bytes;
    v2[0] = 2;
    EXPECT_EQ(DecodePayload(v2, nullptr).error().reason, "invalid_code");
}

TEST(CertificateCode, AGenuineCodeVerifiesFromAUrlOrAlone) {
    auto key = core::Sm2Key::Generate().value();
    const std::string code = SignCode(key, APayload()).value();
    EXPECT_EQ(code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), std::string::npos)
        << "base32 upper case: the QR's alphanumeric mode";
    const Date today = 2026y / December / 1;
    for (const std::string& scanned : {code, "https://dangan.example.cn/v/" + code, "  HTTP://X/V/" + code + "\n"}) {
        const Checked c = VerifyCode(scanned, Published(key), today);
        EXPECT_EQ(c.verdict, Verdict::kValid) << c.reason;
        ASSERT_TRUE(c.payload);
        EXPECT_EQ(*c.payload, APayload());
    }
}

TEST(CertificateCode, OneChangedByteAnywhereIsInvalid) {
    auto key = core::Sm2Key::Generate().value();
    const std::string raw = identity::Base32Decode(SignCode(key, APayload()).value()).value();
    const Date today = 2026y / December / 1;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        std::string changed = raw;
        changed[i] = static_cast<char>(changed[i] ^ 0x01);
        const Checked c = VerifyCode(identity::Base32Encode(changed), Published(key), today);
        EXPECT_NE(c.verdict, Verdict::kValid) << "byte " << i;
        EXPECT_FALSE(c.reason.empty());
    }
}

TEST(CertificateCode, AKeyThatIsNotPublishedIsRefused) {
    auto ours = core::Sm2Key::Generate().value();
    auto rogue = core::Sm2Key::Generate().value();
    const Date today = 2026y / December / 1;
    // A forger who reuses our key id: the signature does not match our published key.
    EXPECT_EQ(VerifyCode(SignCode(rogue, APayload()).value(), Published(ours), today).verdict, Verdict::kBadSignature);
    // A forger with a key id of their own: no such key is published.
    const Checked unknown = VerifyCode(SignCode(rogue, APayload("rogue")).value(), Published(ours), today);
    EXPECT_EQ(unknown.verdict, Verdict::kUnknownKey);
    EXPECT_NE(unknown.reason.find("rogue"), std::string::npos);
}

TEST(CertificateCode, ValidThroughTheLastDayThenExpired) {
    auto key = core::Sm2Key::Generate().value();
    const std::string code = SignCode(key, APayload()).value();
    EXPECT_EQ(VerifyCode(code, Published(key), 2027y / February / 24).verdict, Verdict::kValid);
    const Checked late = VerifyCode(code, Published(key), 2027y / February / 25);
    EXPECT_EQ(late.verdict, Verdict::kExpired);
    EXPECT_NE(late.reason.find("2027-02-24"), std::string::npos);
    EXPECT_EQ(VerifyCode(code, Published(key), 2026y / November / 26).verdict, Verdict::kNotYetValid);
}

TEST(CertificateCode, AnythingElseIsMalformed) {
    auto key = core::Sm2Key::Generate().value();
    for (const char* junk : {"", "hello", "https://example.com/v/", "AEBAGBAF", "https://x/v/!!!"}) {
        EXPECT_EQ(VerifyCode(junk, Published(key), 2026y / December / 1).verdict, Verdict::kMalformed) << junk;
    }
}

TEST(CertificateCode, SubjectHashBindsNumberIdNumberAndName) {
    const std::string n = FormatNumber(2026, "220102", 1);
    const std::string h = SubjectHash(n, "220102198503150015", "张伟");
    EXPECT_EQ(h.size(), kSubjectHashSize);
    EXPECT_NE(h, SubjectHash(n, "220102198503150015", "张玮"));
    EXPECT_NE(h, SubjectHash(FormatNumber(2026, "220102", 2), "220102198503150015", "张伟"));
}

}  // namespace
}  // namespace dangan::certificates
