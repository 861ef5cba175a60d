#include "bulk/encoding.hpp"

#include <gtest/gtest.h>

namespace dangan::bulk {
namespace {

TEST(Encoding, Utf8PassesAndABomIsRemoved) {
    auto plain = DecodeToUtf8("姓名,手机号码\n王芳,139\n");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->encoding, "UTF-8");
    EXPECT_EQ(plain->utf8, "姓名,手机号码\n王芳,139\n");
    auto bom = DecodeToUtf8("\xEF\xBB\xBF姓名\n");
    ASSERT_TRUE(bom.ok());
    EXPECT_EQ(bom->encoding, "UTF-8 (BOM)");
    EXPECT_EQ(bom->utf8, "姓名\n");
}

TEST(Encoding, GbkIsConvertedToUtf8) {
    // "身份证号码,姓名\n220102198001010514,王芳\n" as Python's str.encode("gbk") writes it.
    const std::string gbk =
        "\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\xc2\xeb\x2c\xd0\xd5\xc3\xfb\x0a"
        "220102198001010514\x2c\xcd\xf5\xb7\xbc\x0a";
    EXPECT_FALSE(IsValidUtf8(gbk));
    auto decoded = DecodeToUtf8(gbk);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->encoding, "GB18030");
    EXPECT_EQ(decoded->utf8, "身份证号码,姓名\n220102198001010514,王芳\n");
}

TEST(Encoding, BytesOfNeitherEncodingAreRefusedInChinese) {
    for (std::string bytes :
         {std::string("id,name\n1,\xff\xfe\xff\n"), std::string("\xEF\xBB\xBF\xc9\xed\n"), std::string("a\0b", 3)}) {
        auto decoded = DecodeToUtf8(bytes);
        ASSERT_FALSE(decoded.ok());
        EXPECT_EQ(decoded.error().reason, "unsupported_encoding");
        EXPECT_NE(decoded.error().message.find("UTF-8"), std::string::npos);
    }
}

TEST(Encoding, Utf8ValidationRejectsOverlongAndSurrogates) {
    EXPECT_TRUE(IsValidUtf8("abc 档案 \xF0\x9F\x98\x80"));
    EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
    EXPECT_FALSE(IsValidUtf8("\xE6\xA1"));          // truncated
    EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

}  // namespace
}  // namespace dangan::bulk
