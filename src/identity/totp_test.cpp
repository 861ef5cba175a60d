#include "identity/totp.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace dangan::identity {
namespace {

using std::chrono::seconds;

core::TimePoint At(std::int64_t unix_seconds) { return core::TimePoint(seconds(unix_seconds)); }

constexpr std::string_view kRfcSecret = "12345678901234567890";

// RFC 6238 Appendix B, the SHA1 column.
struct Vector {
    std::int64_t time;
    const char* code8;
};
constexpr Vector kRfc6238Sha1[] = {
    {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
    {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
};

// The year-2603 vector lies beyond system_clock's nanosecond range, so steps are T / 30 here;
// TotpStep itself is checked on the others.
TEST(Totp, Rfc6238Sha1VectorsWithEightDigits) {
    for (const auto& v : kRfc6238Sha1) {
        EXPECT_EQ(TotpCode(kRfcSecret, v.time / 30, 8), v.code8) << v.time;
        if (v.time < 9'000'000'000) {
            EXPECT_EQ(TotpStep(At(v.time)), v.time / 30);
        }
    }
}

TEST(Totp, Rfc6238Sha1VectorsWithSixDigitsAreTheLastSix) {
    for (const auto& v : kRfc6238Sha1) {
        EXPECT_EQ(TotpCode(kRfcSecret, v.time / 30), std::string(v.code8).substr(2)) << v.time;
    }
}

TEST(Totp, StepsAreThirtySeconds) {
    EXPECT_EQ(TotpStep(At(0)), 0);
    EXPECT_EQ(TotpStep(At(29)), 0);
    EXPECT_EQ(TotpStep(At(30)), 1);
    EXPECT_EQ(TotpStep(At(59)), 1);
    EXPECT_EQ(TotpStep(At(1111111109)), 37037036);
    EXPECT_EQ(TotpStep(core::TimePoint(std::chrono::milliseconds(29999))), 0);
}

TEST(Totp, AcceptsOneStepOfDriftEitherWay) {
    const auto now = At(1234567890);
    const std::int64_t step = TotpStep(now);
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step), now, 0), step);
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step - 1), now, 0), step - 1);
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + 1), now, 0), step + 1);
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step - 2), now, 0), std::nullopt);
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + 2), now, 0), std::nullopt);
}

TEST(Totp, ReplayedStepsAreRefused) {
    const auto now = At(1234567890);
    const std::int64_t step = TotpStep(now);
    const std::string code = TotpCode(kRfcSecret, step);
    EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step - 1), step);
    EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step), std::nullopt);      // the same code again
    EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step + 1), std::nullopt);  // an older code after a newer one
    EXPECT_EQ(MatchTotp(kRfcSecret, TotpCode(kRfcSecret, step + 1), now, step), step + 1);
}

TEST(Totp, MalformedCodesAndOtherSecretsFail) {
    const auto now = At(1234567890);
    const std::string code = TotpCode(kRfcSecret, TotpStep(now));
    EXPECT_EQ(MatchTotp(kRfcSecret, "", now, 0), std::nullopt);
    EXPECT_EQ(MatchTotp(kRfcSecret, code + "0", now, 0), std::nullopt);
    EXPECT_EQ(MatchTotp(kRfcSecret, code.substr(1), now, 0), std::nullopt);
    EXPECT_EQ(MatchTotp("another secret 12345", code, now, 0), std::nullopt);
}

TEST(Base32, Rfc4648Vectors) {
    EXPECT_EQ(Base32Encode(""), "");
    EXPECT_EQ(Base32Encode("f"), "MY");
    EXPECT_EQ(Base32Encode("fo"), "MZXQ");
    EXPECT_EQ(Base32Encode("foo"), "MZXW6");
    EXPECT_EQ(Base32Encode("foob"), "MZXW6YQ");
    EXPECT_EQ(Base32Encode("fooba"), "MZXW6YTB");
    EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
    EXPECT_EQ(Base32Encode(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}

TEST(Base32, DecodesWhatItEncodesAndForgivesCaseSpacesPadding) {
    for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\x00\xff\x10"}) {
        auto back = Base32Decode(Base32Encode(s));
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(*back, s);
    }
    auto relaxed = Base32Decode("mzxw 6ytb oi======");
    ASSERT_TRUE(relaxed.ok());
    EXPECT_EQ(*relaxed, "foobar");
    EXPECT_FALSE(Base32Decode("MZXW1").ok());  // '1' is not base32
    EXPECT_FALSE(Base32Decode("MZ").ok());     // "MY" is "f"; "MZ" leaves a set bit over
    EXPECT_FALSE(Base32Decode("MZ7").ok());
}

TEST(Totp, SecretsAreTwentyRandomBytes) {
    const std::string a = NewTotpSecret();
    EXPECT_EQ(a.size(), kTotpSecretBytes);
    EXPECT_NE(a, NewTotpSecret());
}

TEST(Totp, OtpauthUriNamesIssuerAndUser) {
    EXPECT_EQ(OtpauthUri("zhang.san", "GEZDGNBV"),
              "otpauth://totp/%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%A1%A3%E6%A1%88:zhang.san?secret=GEZDGNBV"
              "&issuer=%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%99%A9%E6%A1%A3%E6%A1%88&algorithm=SHA1&digits=6&period=30");
}

TEST(Totp, QrCodeIsAnSvgDocument) {
    auto svg = QrSvg(OtpauthUri("admin", Base32Encode(kRfcSecret)));
    ASSERT_TRUE(svg.ok());
    EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_NE(svg->find("<path"), std::string::npos);
    EXPECT_EQ(svg->substr(svg->size() - 6), "</svg>");
    // the same text gives the same picture (level M, no randomness)
    EXPECT_EQ(*svg, *QrSvg(OtpauthUri("admin", Base32Encode(kRfcSecret))));
    EXPECT_FALSE(QrSvg(std::string(5000, 'x')).ok());
}

}  // namespace
}  // namespace dangan::identity
