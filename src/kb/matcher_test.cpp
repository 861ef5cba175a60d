#include "kb/matcher.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "kb/normalise.hpp"
#include "kb/pinyin.hpp"

namespace dangan::kb {

std::string_view DemoKbJsonl();

namespace {

std::vector<KbEntry> SmallBase() {
    return {
        {"a1", "如何查询我的社保档案存放在哪里？", {}, {"存放地", "身份证号"}, "档案查询",
         "社保档案按参保地分库保管，可以用身份证号自助查询存放库房。"},
        {"a2", "查询档案存放地时显示未查询到记录怎么办？", {}, {"查询无结果", "人工检索"}, "档案查询",
         "请先核对输入信息后重试，仍查不到的可到窗口人工检索。"},
        {"a3", "如何预约到中心查档？", {}, {"预约", "放号"}, "预约服务", "可通过网上服务大厅或小程序预约。"},
        {"a4", "可以委托他人代为查档吗？", {}, {"委托", "代办"}, "委托代办",
         "可以，受托人需携带委托书和双方身份证件。"},
        {"a5", "查档要收费吗？", {}, {"免费", "收费"}, "收费标准", "查档免费，邮寄需自付邮费。"},
        {"a6", "如何申请开具查档证明？", {"查档证明在哪里开"}, {"开具证明", "电子证明"}, "查档证明",
         "登录网上服务大厅申请，审核通过后下载电子证明。"},
    };
}

// The demo knowledge base (src/kb/data/demo_kb.jsonl), read with a tiny reader.
std::vector<KbEntry> DemoEntries() {
    std::vector<KbEntry> entries;
    std::string_view text = DemoKbJsonl();
    // A tiny reader of the demo file: the matcher itself has no JSON dependency in its API.
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string line(text.substr(pos, end - pos));
        pos = end + 1;
        auto field = [&](const std::string& key) {
            std::size_t k = line.find("\"" + key + "\": \"");
            if (k == std::string::npos) return std::string();
            k += key.size() + 5;
            return line.substr(k, line.find('"', k) - k);
        };
        if (field("id").empty()) continue;
        entries.push_back({field("id"), field("question"), {}, {}, field("category"), field("answer")});
    }
    return entries;
}

std::shared_ptr<const Matcher> DemoMatcher() {
    static const auto m = Matcher::Build(DemoEntries(), DefaultLexicon());
    return m;
}

Lexicon SmallLexicon() {
    Lexicon lex;
    lex.synonyms = {{"档案", "材料", "资料"}, {"社保", "社会保险"}, {"单位", "公司", "企业"}};
    lex.stop_phrases = {"请问", "你好", "麻烦问一下", "啊"};
    return lex;
}

TEST(KbNormalise, TraditionalFullWidthAndCase) {
    Normaliser n(Lexicon{});
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("檔案在哪裡查詢")), "档案在哪里查询");
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("ＡＢＣ１２３３３！")), "abc12333");
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("你好，档案？  查询")), "你好 档案 查询");
}

TEST(KbNormalise, ChineseNumerals) {
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"三十个工作日")), "30个工作日");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"一九八五年参加工作")), "1985年参加工作");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"九二年以前")), "92年以前");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"两个月")), "2个月");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"一百零八天")), "108天");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"一直统一")), "一直统一");
    EXPECT_EQ(Normaliser::ToUtf8(ConvertNumerals(U"十分方便")), "十分方便");
}

TEST(KbNormalise, SynonymsLongestFirstAndStopPhrases) {
    Lexicon lex = SmallLexicon();
    lex.synonyms.push_back({"社保档案", "参保资料"});
    Normaliser n(lex);
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("请问公司的资料啊")), "单位的档案");
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("麻烦问一下社会保险怎么交")), "社保怎么交");
    // The longer term wins over the shorter one inside it.
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("我的参保资料")), "我的社保档案");
    // Traditional characters in the question still meet the simplified lexicon.
    EXPECT_EQ(Normaliser::ToUtf8(n.Normalise("公司資料")), "单位档案");
}

TEST(KbLexicon, ParsesSectionsAndSeparators) {
    Lexicon lex = ParseLexicon("# c\n[synonyms]\n档案 材料/资料\n社保、社会保险\n单独\n[stop]\n请问 你好\n啊\n");
    ASSERT_EQ(lex.synonyms.size(), 2U);
    EXPECT_EQ(lex.synonyms[0], (std::vector<std::string>{"档案", "材料", "资料"}));
    EXPECT_EQ(lex.synonyms[1], (std::vector<std::string>{"社保", "社会保险"}));
    EXPECT_EQ(lex.stop_phrases, (std::vector<std::string>{"请问", "你好", "啊"}));
    Lexicon shipped = DefaultLexicon();
    EXPECT_GT(shipped.synonyms.size(), 50U);
    EXPECT_FALSE(shipped.stop_phrases.empty());
}

TEST(KbPinyin, FuzzyHomophones) {
    EXPECT_EQ(FuzzyPinyin(U'当'), FuzzyPinyin(U'档'));
    EXPECT_EQ(FuzzyPinyin(U'路'), FuzzyPinyin(U'录'));
    EXPECT_EQ(FuzzyPinyin(U'越'), FuzzyPinyin(U'约'));
    EXPECT_EQ(FoldSyllable("zhang"), "zan");
    EXPECT_EQ(FoldSyllable("ling"), "nin");
    EXPECT_EQ(FoldSyllable("shen"), "sen");
    EXPECT_EQ(FoldSyllable("cong"), "cong");
    EXPECT_EQ(FuzzyPinyin(U'a'), "");
}

TEST(KbMatcher, FindsTheEntryAcrossWordingVariants) {
    auto m = Matcher::Build(SmallBase(), SmallLexicon());
    EXPECT_EQ(m->size(), 6U);
    auto r = m->Find("查檔案存放地點一直顯示查無資料，該怎麼辦？");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "a2");
    r = m->Find("怎么预约去查档");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "a3");
    // The similar question counts like the canonical one.
    r = m->Find("查档证明在哪开");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "a6");
}

TEST(KbMatcher, PinyinChannelCatchesHomophoneTypos) {
    auto m = Matcher::Build(SmallBase(), SmallLexicon());
    auto r = m->Find("查当案存放地提示没有记路怎么办");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "a2");
    r = DemoMatcher()->Find("查当怎么预越");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "kb-015");
}

TEST(KbMatcher, AbstainsOnUnrelatedQuestions) {
    auto m = DemoMatcher();
    EXPECT_EQ(m->Find("红烧肉怎么做才好吃").verdict, Verdict::kNone);
    EXPECT_EQ(m->Find("帮我订一张周五去上海的高铁票").verdict, Verdict::kNone);
    EXPECT_EQ(m->Find("").verdict, Verdict::kNone);
    EXPECT_TRUE(m->Find("？？！").top.empty());
    auto empty = Matcher::Build({}, Lexicon{});
    EXPECT_EQ(empty->Find("查档要收费吗").verdict, Verdict::kNone);
}

TEST(KbMatcher, ConfidentOnAnExactQuestion) {
    auto m = Matcher::Build(SmallBase(), SmallLexicon());
    auto r = m->Find("查档要收费吗？");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "a5");
    EXPECT_NE(r.verdict, Verdict::kNone);
    EXPECT_GT(r.top[0].score, 0.0);
    EXPECT_LE(r.top[0].score, 1.0);
    EXPECT_EQ(r.normalised, "查档要收费吗");
    // The shipped lexicon drops the particle.
    EXPECT_EQ(DemoMatcher()->Find("请问查档要收费吗？").normalised, "查档要收费");
}

TEST(KbMatcher, FilterKeepsOnlyAllowedEntries) {
    auto m = Matcher::Build(SmallBase(), SmallLexicon());
    auto r = m->Find("查档要收费吗", 3, [](const std::string& id) { return id != "a5"; });
    for (const auto& c : r.top) {
        EXPECT_NE(c.id, "a5");
    }
    r = m->Find("查档要收费吗", 3, [](const std::string&) { return false; });
    EXPECT_TRUE(r.top.empty());
    EXPECT_EQ(r.verdict, Verdict::kNone);
}

TEST(KbMatcher, TopIsAtMostKAndSorted) {
    auto m = Matcher::Build(SmallBase(), SmallLexicon());
    auto r = m->Find("查询档案", 2);
    EXPECT_LE(r.top.size(), 2U);
    if (r.top.size() == 2) {
        EXPECT_GE(r.top[0].score, r.top[1].score);
    }
}

TEST(KbMatcher, ConcurrentFindGivesTheSameAnswers) {
    auto m = Matcher::Build(SmallBase(), DefaultLexicon());
    const std::vector<std::string> questions = {"查档要收费吗", "怎么预约", "可以让别人帮我查档吗", "红烧肉怎么做"};
    std::vector<MatchResult> expected;
    for (const auto& q : questions) expected.push_back(m->Find(q));
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                std::size_t qi = static_cast<std::size_t>(i + t) % questions.size();
                auto r = m->Find(questions[qi]);
                if (r.verdict != expected[qi].verdict || r.top.size() != expected[qi].top.size() ||
                    (!r.top.empty() && r.top[0].id != expected[qi].top[0].id)) {
                    ++mismatches;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(KbMatcher, DemoBaseAnswersTheKioskPresetQuestions) {
    auto entries = DemoEntries();
    ASSERT_GE(entries.size(), 10U);
    auto m = Matcher::Build(entries, DefaultLexicon());
    EXPECT_EQ(m->Find("没带身份证可以办理吗？").top.at(0).id, "kb-008");
    EXPECT_EQ(m->Find("我能把档案原件拿走吗？").top.at(0).id, "kb-013");
    EXPECT_EQ(m->Find("给我讲个笑话听听").verdict, Verdict::kNone);
}

}  // namespace
}  // namespace dangan::kb
