#include "identity/passwords.hpp"

#include <gtest/gtest.h>

#include <set>
#include <vector>

namespace dangan::identity {
namespace {

// Small parameters keep the tests fast; the encoding is the same at any size.
constexpr Argon2Params kFast{1024, 1, 1};

TEST(Passwords, HashVerifiesOnlyTheSamePassword) {
    auto hash = HashPassword("Correct-Horse-42", kFast);
    ASSERT_TRUE(hash.ok());
    EXPECT_TRUE(VerifyPassword(*hash, "Correct-Horse-42"));
    EXPECT_FALSE(VerifyPassword(*hash, "Correct-Horse-43"));
    EXPECT_FALSE(VerifyPassword(*hash, ""));
    EXPECT_FALSE(VerifyPassword(*hash, "correct-horse-42"));
}

TEST(Passwords, EncodedStringCarriesArgon2idAndItsParameters) {
    auto hash = HashPassword("Correct-Horse-42", Argon2Params{2048, 3, 2});
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(hash->rfind("$argon2id$v=19$m=2048,t=3,p=2$", 0), 0u) << *hash;
    // "", "argon2id", "v=19", "m=…", salt (16 bytes), hash (32 bytes) — unpadded base64: 22 and 43 characters
    std::vector<std::string> parts;
    for (std::size_t start = 0, end = 0; end != std::string::npos; start = end + 1) {
        end = hash->find('$', start);
        parts.push_back(hash->substr(start, end == std::string::npos ? std::string::npos : end - start));
    }
    ASSERT_EQ(parts.size(), 6u) << *hash;
    EXPECT_EQ(parts[4].size(), 22u);
    EXPECT_EQ(parts[5].size(), 43u);
}

TEST(Passwords, DefaultParametersComeFromTheConfiguration) {
    core::Config config;
    config.security.argon2_memory_kib = 4096;
    config.security.argon2_iterations = 4;
    config.security.argon2_parallelism = 2;
    const Argon2Params p = ParamsFrom(config);
    EXPECT_EQ(p.memory_kib, 4096u);
    EXPECT_EQ(p.iterations, 4u);
    EXPECT_EQ(p.parallelism, 2u);
    const Argon2Params defaults = ParamsFrom(core::Config{});
    EXPECT_EQ(defaults.memory_kib, 65536u);
    EXPECT_EQ(defaults.iterations, 2u);
    EXPECT_EQ(defaults.parallelism, 1u);
}

TEST(Passwords, SaltIsFreshEveryTime) {
    auto a = HashPassword("Correct-Horse-42", kFast);
    auto b = HashPassword("Correct-Horse-42", kFast);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_NE(*a, *b);
    EXPECT_TRUE(VerifyPassword(*b, "Correct-Horse-42"));
}

TEST(Passwords, MalformedOrForeignHashesNeverVerify) {
    EXPECT_FALSE(VerifyPassword("", "x"));
    EXPECT_FALSE(VerifyPassword("plain-text", "plain-text"));
    EXPECT_FALSE(VerifyPassword("$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
    EXPECT_FALSE(VerifyPassword("$argon2id$v=19$m=1024,t=1,p=1$$", "x"));
    auto hash = HashPassword("Correct-Horse-42", kFast);
    ASSERT_TRUE(hash.ok());
    std::string tampered = *hash;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(VerifyPassword(tampered, "Correct-Horse-42"));
}

TEST(Passwords, NeedsRehashWhenParametersDiffer) {
    auto hash = HashPassword("Correct-Horse-42", kFast);
    ASSERT_TRUE(hash.ok());
    EXPECT_FALSE(NeedsRehash(*hash, kFast));
    EXPECT_TRUE(NeedsRehash(*hash, Argon2Params{2048, 1, 1}));
    EXPECT_TRUE(NeedsRehash(*hash, Argon2Params{1024, 2, 1}));
    EXPECT_TRUE(NeedsRehash("garbage", kFast));
}

TEST(Passwords, ImpossibleParametersAreAnError) {
    auto hash = HashPassword("Correct-Horse-42", Argon2Params{1, 1, 1});  // below 8·p KiB
    ASSERT_FALSE(hash.ok());
    EXPECT_EQ(hash.error().code, ErrorCode::kInternal);
}

TEST(Passwords, DummyVerificationIsAlwaysFalse) { EXPECT_FALSE(VerifyAgainstDummy("anything", kFast)); }

void ExpectWeak(std::string_view password, std::string_view username, std::string_view words) {
    Status s = CheckPasswordRules(password, username);
    ASSERT_FALSE(s.ok()) << password;
    EXPECT_EQ(s.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(s.error().field, "password");
    EXPECT_EQ(s.error().reason, "weak_password");
    EXPECT_NE(s.error().message.find(words), std::string::npos) << s.error().message;
}

TEST(PasswordRules, AtLeastTenCharacters) {
    ExpectWeak("Abc-12345", "", "至少需要 10 个字符");
    EXPECT_TRUE(CheckPasswordRules("Abc-123456", "").ok());
    // characters, not bytes: nine Chinese characters are nine
    ExpectWeak("密码密码密码Ab1", "", "10 个字符");
    EXPECT_TRUE(CheckPasswordRules("密码密码密码密Ab1", "").ok());
}

TEST(PasswordRules, AtMostTheByteLimit) {
    EXPECT_TRUE(CheckPasswordRules(std::string(kMaxPasswordBytes - 2, 'a') + "B1", "").ok());
    ExpectWeak(std::string(kMaxPasswordBytes, 'a') + "B1", "", "过长");
}

TEST(PasswordRules, ThreeOfFourCharacterClasses) {
    ExpectWeak("abcdefghijkl", "", "至少三类");                // lower only
    ExpectWeak("abcdefghij12", "", "至少三类");                // lower + digits
    ExpectWeak("ABCDEFGHIJ!!", "", "至少三类");                // upper + symbols
    ExpectWeak("1234567890-=", "", "至少三类");                // digits + symbols
    EXPECT_TRUE(CheckPasswordRules("abcdefgh12!!", "").ok());  // lower, digits, symbols
    EXPECT_TRUE(CheckPasswordRules("ABCDEFgh12xx", "").ok());  // upper, lower, digits
    EXPECT_TRUE(CheckPasswordRules("ABCDEFGH12!!", "").ok());  // upper, digits, symbols
    EXPECT_TRUE(CheckPasswordRules("ABCDEfgh!!!!", "").ok());  // upper, lower, symbols
    EXPECT_TRUE(CheckPasswordRules("档案Abcdefg1", "").ok());  // non-ASCII counts as a symbol
}

TEST(PasswordRules, MustNotContainTheUserName) {
    ExpectWeak("Zhangsan-2024", "zhangsan", "不能包含用户名");
    ExpectWeak("x-ZHANGSAN-9a", "zhangsan", "不能包含用户名");
    ExpectWeak("Hello-wang.li-1", "Wang.Li", "不能包含用户名");
    EXPECT_TRUE(CheckPasswordRules("Zhang-san-2024", "zhangsan").ok());
    EXPECT_TRUE(CheckPasswordRules("Zhangsan-2024", "").ok());
}

TEST(PasswordRules, GeneratedPasswordsPassAndDiffer) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string p = GeneratePassword();
        EXPECT_EQ(p.size(), 16u);
        EXPECT_TRUE(CheckPasswordRules(p, "admin").ok()) << p;
        seen.insert(p);
    }
    EXPECT_EQ(seen.size(), 200u);
}

}  // namespace
}  // namespace dangan::identity
