#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace dangan::core {
namespace {

using namespace std::string_literals;

TEST(TextResources, LoadOnInstalledSystem) {
    Status s = LoadTextResources();
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
}

TEST(TextTrimSpaces, TrimsSpacesAndTabsAtBothEndsOnly) {
    EXPECT_EQ(TrimSpaces(" \t长春 市\t "), "长春 市");
    EXPECT_EQ(TrimSpaces("  "), "");
    EXPECT_EQ(TrimSpaces(""), "");
}

TEST(TextToSimplified, ConvertsTraditionalPhrases) {
    EXPECT_EQ(ToSimplified("檔案在哪裡查詢"), "档案在哪里查询");
    EXPECT_EQ(ToSimplified("退休人員檔案移交"), "退休人员档案移交");
    EXPECT_EQ(ToSimplified("社會保險業務檔案"), "社会保险业务档案");
    EXPECT_EQ(ToSimplified("瞭解後來的衛生條例"), "了解后来的卫生条例");
    EXPECT_EQ(ToSimplified("臺灣"), "台湾");
}

TEST(TextToSimplified, KeepsSimplifiedAsciiAndEmpty) {
    EXPECT_EQ(ToSimplified(""), "");
    EXPECT_EQ(ToSimplified("档案查询"), "档案查询");
    EXPECT_EQ(ToSimplified("ID 220102199001011234, tel 12333"), "ID 220102199001011234, tel 12333");
}

TEST(TextToSimplified, KeepsEmbeddedNulAndReplacesBadUtf8) {
    EXPECT_EQ(ToSimplified("a\0檔案\0"s), "a\0档案\0"s);
    EXPECT_EQ(ToSimplified("檔\xff案"), "档\xEF\xBF\xBD案");  // U+FFFD for the stray byte
    EXPECT_EQ(ToSimplified("\xe6\xaa"), "\xEF\xBF\xBD");      // truncated sequence
}

TEST(TextNfkc, FoldsCompatibilityCharacters) {
    EXPECT_EQ(Nfkc("①②③"), "123");
    EXPECT_EQ(Nfkc("㈠"), "(一)");
    EXPECT_EQ(Nfkc("㊀"), "一");
    EXPECT_EQ(Nfkc("⑴"), "(1)");
    EXPECT_EQ(Nfkc("ＡＢＣ１２３　"), "ABC123 ");
    EXPECT_EQ(Nfkc("ｶﾀｶﾅ"), "カタカナ");
    EXPECT_EQ(Nfkc("㎏"), "kg");
    EXPECT_EQ(Nfkc("Ⅻ"), "XII");
    EXPECT_EQ(Nfkc("ﬁ"), "fi");
    EXPECT_EQ(Nfkc("\xEF\xA4\x80"), "豈");  // U+F900 CJK compatibility ideograph → U+8C48
}

TEST(TextNfkc, ComposesAndKeepsNormalText) {
    EXPECT_EQ(Nfkc("e\xCC\x81"), "\xC3\xA9");  // e + combining acute → é
    EXPECT_EQ(Nfkc("档案查询 abc"), "档案查询 abc");
    EXPECT_EQ(Nfkc(""), "");
    EXPECT_EQ(Nfkc("a\xc0!"), "a\xEF\xBF\xBD!");
}

TEST(TextFullWidthToHalfWidth, FoldsTheFullWidthBlockAndIdeographicSpace) {
    EXPECT_EQ(FullWidthToHalfWidth("ＡＢＣ１２３　"), "ABC123 ");
    EXPECT_EQ(FullWidthToHalfWidth("！"), "!");  // U+FF01, first of the block
    EXPECT_EQ(FullWidthToHalfWidth("～"), "~");  // U+FF5E, last of the block
    EXPECT_EQ(FullWidthToHalfWidth("１１０１０５１９４９１２３１００２Ｘ"), "11010519491231002X");
    EXPECT_EQ(FullWidthToHalfWidth("（电话：１２３３３）"), "(电话:12333)");
    EXPECT_EQ(FullWidthToHalfWidth("档案，请查询；"), "档案,请查询;");  // U+FF0C and U+FF1B are in it
}

TEST(TextFullWidthToHalfWidth, LeavesEverythingElse) {
    // CJK punctuation (U+3001…) lies outside the full-width block.
    EXPECT_EQ(FullWidthToHalfWidth("档案、。「」《》"), "档案、。「」《》");
    EXPECT_EQ(FullWidthToHalfWidth("\xEF\xBD\x9F"), "\xEF\xBD\x9F");  // U+FF5F, just past the block
    EXPECT_EQ(FullWidthToHalfWidth("①"), "①");
    EXPECT_EQ(FullWidthToHalfWidth("plain ascii"), "plain ascii");
    EXPECT_EQ(FullWidthToHalfWidth(""), "");
    EXPECT_EQ(FullWidthToHalfWidth("x\xff"), "x\xEF\xBF\xBD");
}

TEST(TextNormalizeForMatch, CombinesAllSteps) {
    EXPECT_EQ(NormalizeForMatch("檔案在哪裡查詢"), "档案在哪里查询");
    EXPECT_EQ(NormalizeForMatch("ＡＢＣ１２３　"), "abc123");
    EXPECT_EQ(NormalizeForMatch("  檔案 ＡＢＣ\t①\xE2\x80\x8B "), "档案 abc 1");
    EXPECT_EQ(NormalizeForMatch("退休\u3000\u3000人員\n\n檔案"), "退休 人员 档案");
    EXPECT_EQ(NormalizeForMatch("Hello\xC2\xA0World"), "hello world");  // no-break space
    EXPECT_EQ(NormalizeForMatch("如何辦理㈠查檔證明"), "如何办理(一)查档证明");
    EXPECT_EQ(NormalizeForMatch("ÉCOLE"), "École");                     // only ASCII letters are lower-cased
    EXPECT_EQ(NormalizeForMatch("e\xE2\x80\x8B\xCC\x81"), "\xC3\xA9");  // e, zero-width space, acute → é
    EXPECT_EQ(NormalizeForMatch(" \t\r\n"), "");
    EXPECT_EQ(NormalizeForMatch(""), "");
}

TEST(TextNormalizeForMatch, IsIdempotentAndMatchesVariants) {
    for (const char* s : {"檔案在哪裡查詢？", "档案在哪里查询?", "  档案在哪里查询 ? ", "檔案在哪裡查詢 ？"}) {
        std::string once = NormalizeForMatch(s);
        EXPECT_EQ(NormalizeForMatch(once), once) << s;
    }
    EXPECT_EQ(NormalizeForMatch("檔案在哪裡查詢？"), NormalizeForMatch("档案在哪里查询?"));
}

TEST(TextNormalizeForMatch, SafeFromManyThreads) {
    std::vector<std::thread> threads;
    std::vector<int> good(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&good, t] {
            for (int i = 0; i < 200; ++i) {
                good[static_cast<std::size_t>(t)] += NormalizeForMatch("檔案在哪裡查詢 ＡＢＣ") == "档案在哪里查询 abc";
            }
        });
    }
    for (std::thread& th : threads) {
        th.join();
    }
    EXPECT_EQ(good, std::vector<int>(4, 200));
}

}  // namespace
}  // namespace dangan::core
