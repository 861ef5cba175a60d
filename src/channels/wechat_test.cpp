#include <gtest/gtest.h>

#include "channels/tts.hpp"
#include "channels/wechat_crypto.hpp"
#include "channels/wechat_message.hpp"
#include "core/crypto.hpp"

namespace dangan::channels {
namespace {

constexpr const char* kAesKey43 = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
constexpr const char* kAppId = "wx1234567890abcdef";

std::string Key() { return *WechatAesKey(kAesKey43); }

TEST(WechatSignature, IsSha1OfTheSortedConcatenation) {
    // sorted: "1409304348" < "weixin" < "xxxxxx" (computed independently with Python's hashlib).
    EXPECT_EQ(WechatSignature({"weixin", "1409304348", "xxxxxx"}), "97c02f162124a44cb4168c5fc4854717e148d004");
    EXPECT_EQ(WechatSignature({"xxxxxx", "weixin", "1409304348"}), WechatSignature({"weixin", "1409304348", "xxxxxx"}));
    EXPECT_NE(WechatSignature({"weixin", "1409304349", "xxxxxx"}), "97c02f162124a44cb4168c5fc4854717e148d004");
}

TEST(WechatAesKey, IsTheBase64OfTheKeyWithOnePad) {
    EXPECT_EQ(core::HexEncode(Key()), "69b71d79f8218a39259a7a29aabb2dbafc31cb3d35db7e39ebbf3d0010831051");
    EXPECT_FALSE(WechatAesKey("short"));
    EXPECT_FALSE(WechatAesKey(std::string(43, '*')));
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
    for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
    }
    EXPECT_EQ(Base64Encode("abc"), "YWJj");
    EXPECT_FALSE(Base64Decode("YWJ"));
    EXPECT_FALSE(Base64Decode("YW=j"));
    EXPECT_FALSE(Base64Decode("YW J"));
}

TEST(WechatCrypto, MatchesAVectorMadeWithOpensslEnc) {
    // openssl enc -aes-256-cbc -nopad -K <key> -iv <key[:16]> over
    // "0123456789abcdef" ‖ u32be(13) ‖ "<xml>hi</xml>" ‖ AppID ‖ PKCS#7 to 32 bytes.
    const std::string expected =
        "Q3stYC6hdFzMh9T8HCvyDAY2hI8bwuk958peC5QFmomAGlK2q6RXGeBXFJsG7jwiLir5uWl+WF8+VbSxvwzUrA==";
    EXPECT_EQ(WechatEncrypt(Key(), "0123456789abcdef", "<xml>hi</xml>", kAppId), expected);
    auto plain = WechatDecrypt(Key(), expected);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->xml, "<xml>hi</xml>");
    EXPECT_EQ(plain->app_id, kAppId);
}

TEST(WechatCrypto, RoundTripsAnyLength) {
    for (std::size_t n : {0u, 1u, 11u, 12u, 13u, 31u, 32u, 33u, 500u}) {
        const std::string xml(n, 'x');
        auto plain = WechatDecrypt(Key(), WechatEncrypt(Key(), core::SecureRandom(16), xml, kAppId));
        ASSERT_TRUE(plain) << n;
        EXPECT_EQ(plain->xml, xml);
        EXPECT_EQ(plain->app_id, kAppId);
    }
}

TEST(WechatCrypto, RefusesBadInput) {
    const std::string good = WechatEncrypt(Key(), "0123456789abcdef", "<xml>hi</xml>", kAppId);
    EXPECT_FALSE(WechatDecrypt(Key(), "not base64!"));
    EXPECT_FALSE(WechatDecrypt(Key(), Base64Encode("short")));
    // Another key: the padding comes out wrong (or the length field does).
    std::string other = Key();
    other[0] ^= 1;
    EXPECT_FALSE(WechatDecrypt(other, good));
    // A flipped bit in the last block spoils the padding.
    std::string raw = *Base64Decode(good);
    raw[raw.size() - 1] ^= 0x55;
    EXPECT_FALSE(WechatDecrypt(Key(), Base64Encode(raw)));
    // The AppID is returned for the caller to check.
    auto wrong_app = WechatDecrypt(Key(), WechatEncrypt(Key(), "0123456789abcdef", "<xml/>", "wxother"));
    ASSERT_TRUE(wrong_app);
    EXPECT_NE(wrong_app->app_id, kAppId);
}

TEST(Pkcs7, PadsTo32ByteBlocks) {
    EXPECT_EQ(Pkcs7Pad("", 32), std::string(32, '\x20'));
    EXPECT_EQ(Pkcs7Pad(std::string(31, 'a'), 32).size(), 32u);
    EXPECT_EQ(Pkcs7Pad(std::string(32, 'a'), 32).size(), 64u);
    EXPECT_EQ(*Pkcs7Unpad(Pkcs7Pad("abc", 32), 32), "abc");
    EXPECT_FALSE(Pkcs7Unpad(std::string(32, '\0'), 32));
    EXPECT_FALSE(Pkcs7Unpad(std::string(31, 'a') + "\x02", 32));
    EXPECT_FALSE(Pkcs7Unpad(std::string(64, '\x21'), 32));  // 33 > 32
}

TEST(WechatMessage, ParsesWhatWechatSends) {
    const char* xml =
        "<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName>"
        "<CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[没带身份证可以办理吗]]></Content><MsgId>1234567890123456</MsgId></xml>";
    auto m = ParseWechatMessage(xml);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->to_user, "gh_123");
    EXPECT_EQ(m->from_user, "oUser1");
    EXPECT_EQ(m->create_time, 1348831860);
    EXPECT_EQ(m->msg_type, "text");
    EXPECT_EQ(m->content, "没带身份证可以办理吗");
    EXPECT_EQ(DedupKey(*m), "msg:1234567890123456");
    auto ev = ParseWechatMessage(
        "<xml><ToUserName><![CDATA[gh_123]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName>"
        "<CreateTime>123456789</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[CLICK]]></Event>"
        "<EventKey><![CDATA[KB_kb-001]]></EventKey></xml>");
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->event, "CLICK");
    EXPECT_EQ(ev->event_key, "KB_kb-001");
    EXPECT_EQ(DedupKey(*ev), "event:oUser1:123456789");
    EXPECT_FALSE(ParseWechatMessage("<xml><ToUserName>x</ToUserName></xml>"));
    EXPECT_FALSE(ParseWechatMessage("not xml"));
    EXPECT_EQ(*ExtractEncrypt("<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>"),
              "abc=");
    EXPECT_FALSE(ExtractEncrypt("<xml><ToUserName>gh</ToUserName></xml>"));
}

TEST(WechatMessage, RepliesParseBackAndSurviveCdataEnds) {
    const std::string xml = TextReplyXml("oUser1", "gh_123", 100, "答案]]>结束");
    auto m = ParseWechatMessage(xml);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->content, "答案]]>结束");
    EXPECT_EQ(m->from_user, "gh_123");
    auto t = ParseWechatMessage(TransferReplyXml("oUser1", "gh_123", 100));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->msg_type, "transfer_customer_service");
    EXPECT_EQ(*ExtractEncrypt(EncryptedReplyXml("enc", "sig", "1", "2")), "enc");
}

TEST(FitBytes, CutsAtCharacterBoundaries) {
    EXPECT_EQ(FitBytes("abc", 10), "abc");
    const std::string cut = FitBytes("档案档案档案", 10);
    EXPECT_EQ(cut, "档案…");
}

TEST(Tts, WavHeaderIsPcm16Mono) {
    const std::string h = WavHeader(22050, 1000);
    ASSERT_EQ(h.size(), 44u);
    EXPECT_EQ(h.substr(0, 4), "RIFF");
    EXPECT_EQ(h.substr(8, 8), "WAVEfmt ");
    EXPECT_EQ(h.substr(36, 4), "data");
    EXPECT_EQ(static_cast<unsigned char>(h[24]) | static_cast<unsigned char>(h[25]) << 8, 22050);
    EXPECT_EQ(static_cast<unsigned char>(h[4]) | static_cast<unsigned char>(h[5]) << 8, 1036);
}

TEST(Tts, CacheIsBoundedInBytesAndLeastRecentlyUsedGoesFirst) {
    WavCache cache(250);
    auto wav = [](char c) { return std::make_shared<const std::string>(100, c); };
    cache.Put("a", wav('a'));
    cache.Put("b", wav('b'));
    ASSERT_TRUE(cache.Get("a"));  // a is now the most recent
    cache.Put("c", wav('c'));     // b goes
    EXPECT_TRUE(cache.Get("a"));
    EXPECT_FALSE(cache.Get("b"));
    EXPECT_TRUE(cache.Get("c"));
    EXPECT_EQ(cache.bytes(), 200u);
    cache.Put("huge", std::make_shared<const std::string>(1000, 'x'));
    EXPECT_FALSE(cache.Get("huge"));
    EXPECT_NE(TtsKey("你好", 150), TtsKey("你好", 151));
}

TEST(Tts, SynthesisesMandarin) {
    auto wav = SynthesizeWav("没带身份证可以办理吗", 150);
    if (!wav) GTEST_SKIP() << "espeak-ng data not installed";
    ASSERT_GT(wav->size(), 44u + 22050);  // more than half a second
    EXPECT_EQ(wav->substr(0, 4), "RIFF");
}

}  // namespace
}  // namespace dangan::channels
