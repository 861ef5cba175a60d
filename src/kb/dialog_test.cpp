#include "kb/dialog.hpp"

#include <gtest/gtest.h>

#include <map>

namespace dangan::kb {
namespace {

const std::map<std::string, EntryView>& Entries() {
    static const std::map<std::string, EntryView> e{
        {"kb-001", {"kb-001", "没带身份证可以办理吗？", "可以凭社保卡办理。"}},
        {"kb-002", {"kb-002", "我能把档案原件拿走吗？", "档案原件不能带走。"}},
        {"kb-003", {"kb-003", "我的档案是否存在这里？", "请凭身份证查询。"}},
    };
    return e;
}

std::optional<EntryView> Lookup(const std::string& id) {
    auto it = Entries().find(id);
    if (it == Entries().end()) return std::nullopt;
    return it->second;
}

MatchResult Result(Verdict v, std::vector<std::string> ids = {}) {
    MatchResult r;
    r.verdict = v;
    double score = 0.9;
    for (auto& id : ids) r.top.push_back({id, score -= 0.1});
    return r;
}

// A matcher that answers from a table of question → result, and counts its calls.
struct FakeMatcher {
    std::map<std::string, MatchResult> table;
    int calls = 0;
    MatchFn Fn() {
        return [this](std::string_view q) {
            ++calls;
            auto it = table.find(std::string(q));
            return it == table.end() ? Result(Verdict::kNone) : it->second;
        };
    }
};

class DialogTest : public ::testing::Test {
protected:
    DialogTest() {
        m.table["没带身份证能办吗"] = Result(Verdict::kAnswer, {"kb-001", "kb-003"});
        m.table["档案"] = Result(Verdict::kUnsure, {"kb-002", "kb-003", "kb-001"});
        m.table["档案在哪"] = Result(Verdict::kUnsure, {"kb-003", "kb-002"});
    }
    DialogOutcome Say(const DialogState& s, const std::string& text) {
        return Step(s, DialogInput::Text(text), m.Fn(), Lookup);
    }
    FakeMatcher m;
};

TEST_F(DialogTest, ConfidentMatchAnswersWithTheEntry) {
    auto out = Say({}, "没带身份证能办吗");
    ASSERT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.replies[0].kind, "answer");
    EXPECT_EQ(out.replies[0].text, "可以凭社保卡办理。");
    EXPECT_EQ(out.replies[0].entry_id, "kb-001");
    EXPECT_EQ(out.next.state, ChatState::kBot);
    EXPECT_TRUE(out.unanswered.empty());
    EXPECT_FALSE(out.handoff);
    EXPECT_TRUE(out.error.empty());
}

TEST_F(DialogTest, UnsureAsksWithTheTwoBest) {
    auto out = Say({}, "档案");
    ASSERT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.replies[0].kind, "clarify");
    EXPECT_EQ(out.replies[0].text, "您是想问：我能把档案原件拿走吗，还是我的档案是否存在这里？");
    ASSERT_EQ(out.replies[0].options.size(), 2u);
    EXPECT_EQ(out.replies[0].options[0].id, "kb-002");
    EXPECT_EQ(out.replies[0].options[1].id, "kb-003");
    EXPECT_EQ(out.next.state, ChatState::kClarifying);
    EXPECT_EQ(out.next.offered, (std::vector<std::string>{"kb-002", "kb-003"}));
    EXPECT_EQ(out.next.last_question, "档案");
    EXPECT_TRUE(out.unanswered.empty());
}

TEST_F(DialogTest, ClarifyTextReadsNaturally) {
    EXPECT_EQ(ClarifyText({{"a", "甲"}, {"b", "乙？"}}), "您是想问：甲，还是乙？");
    EXPECT_EQ(ClarifyText({{"a", "甲"}}), "您是想问：甲？");
}

TEST_F(DialogTest, ChoosingAnOfferedOptionAnswersIt) {
    auto s = Say({}, "档案").next;
    auto out = Step(s, DialogInput::Choice("kb-003"), m.Fn(), Lookup);
    ASSERT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.replies[0].kind, "answer");
    EXPECT_EQ(out.replies[0].entry_id, "kb-003");
    EXPECT_EQ(out.next.state, ChatState::kBot);
    EXPECT_TRUE(out.next.offered.empty());
}

TEST_F(DialogTest, ReplyingANumberOrTheQuestionChooses) {
    auto s = Say({}, "档案").next;
    const int before = m.calls;
    for (auto [text, id] : {std::pair{"1", "kb-002"},
                            {"２", "kb-003"},
                            {"第一个", "kb-002"},
                            {"第二个。", "kb-003"},
                            {"我的档案是否存在这里？", "kb-003"}}) {
        auto out = Say(s, text);
        ASSERT_EQ(out.replies.size(), 1u) << text;
        EXPECT_EQ(out.replies[0].entry_id, id) << text;
    }
    EXPECT_EQ(m.calls, before);  // no matching needed
    // "3" is not an option: matched as a question, not understood → still clarifying fails.
    auto out = Say(s, "3");
    EXPECT_TRUE(out.handoff);
}

TEST_F(DialogTest, NoneOfTheseHandsOver) {
    auto s = Say({}, "档案").next;
    for (auto out :
         {Step(s, DialogInput::Choice(std::nullopt), m.Fn(), Lookup), Say(s, "都不是"), Say(s, "都不是！")}) {
        EXPECT_TRUE(out.handoff);
        EXPECT_EQ(out.next.state, ChatState::kWaiting);
        ASSERT_EQ(out.replies.size(), 1u);
        EXPECT_EQ(out.replies[0].kind, "handoff");
        ASSERT_EQ(out.unanswered.size(), 1u);
        EXPECT_EQ(out.unanswered[0].text, "档案");
        EXPECT_EQ(out.unanswered[0].reason, "unsure");
    }
}

TEST_F(DialogTest, StillUnsureAfterAClarificationHandsOver) {
    auto s = Say({}, "档案").next;
    auto out = Say(s, "档案在哪");
    EXPECT_TRUE(out.handoff);
    EXPECT_EQ(out.next.state, ChatState::kWaiting);
    ASSERT_EQ(out.unanswered.size(), 2u);
    EXPECT_EQ(out.unanswered[0].reason, "unsure");
    EXPECT_EQ(out.unanswered[1].text, "档案在哪");
}

TEST_F(DialogTest, AConfidentNewQuestionDuringAClarificationIsAnswered) {
    auto s = Say({}, "档案").next;
    auto out = Say(s, "没带身份证能办吗");
    ASSERT_EQ(out.replies.size(), 1u);
    EXPECT_EQ(out.replies[0].kind, "answer");
    EXPECT_EQ(out.next.state, ChatState::kBot);
}

TEST_F(DialogTest, NothingAsksToRephraseThenASecondMissHandsOver) {
    auto first = Say({}, "今天天气怎么样");
    ASSERT_EQ(first.replies.size(), 1u);
    EXPECT_EQ(first.replies[0].kind, "rephrase");
    EXPECT_EQ(first.replies[0].text, kRephraseText);
    EXPECT_EQ(first.next.misses, 1);
    ASSERT_EQ(first.unanswered.size(), 1u);
    EXPECT_EQ(first.unanswered[0].reason, "none");
    auto second = Say(first.next, "股票涨了吗");
    EXPECT_TRUE(second.handoff);
    EXPECT_EQ(second.replies.back().kind, "handoff");
    EXPECT_EQ(second.next.state, ChatState::kWaiting);
    ASSERT_EQ(second.unanswered.size(), 1u);
    EXPECT_EQ(second.unanswered[0].text, "股票涨了吗");
}

TEST_F(DialogTest, AnAnswerResetsTheMissCount) {
    auto s = Say({}, "今天天气怎么样").next;
    s = Say(s, "没带身份证能办吗").next;
    EXPECT_EQ(s.misses, 0);
    auto out = Say(s, "股票涨了吗");
    EXPECT_FALSE(out.handoff);
    EXPECT_EQ(out.replies[0].kind, "rephrase");
}

TEST_F(DialogTest, AskingForAPersonHandsOverWithoutMatching) {
    for (const char* text : {"人工", "转人工", "人工客服", "找客服", "真人", "我要转人工！", "请帮我转人工客服谢谢",
                             "能不能找真人聊聊", "工作人员", "客服在吗", "  人 工 "}) {
        const int before = m.calls;
        auto out = Say({}, text);
        EXPECT_TRUE(out.handoff) << text;
        EXPECT_EQ(out.next.state, ChatState::kWaiting) << text;
        EXPECT_EQ(m.calls, before) << text;
    }
    auto out = Step({}, DialogInput::Human(), m.Fn(), Lookup);
    EXPECT_TRUE(out.handoff);
}

TEST_F(DialogTest, HandOverLogsTheLastQuestion) {
    auto s = Say({}, "今天天气怎么样").next;
    auto out = Say(s, "转人工");
    ASSERT_EQ(out.unanswered.size(), 1u);
    EXPECT_EQ(out.unanswered[0].text, "今天天气怎么样");
    EXPECT_EQ(out.unanswered[0].reason, "handoff");
    EXPECT_TRUE(Step({}, DialogInput::Human(), m.Fn(), Lookup).unanswered.empty());
}

TEST(AsksForHuman, OrdinaryQuestionsDoNotCount) {
    for (const char* text : {"档案转到哪里了", "退休需要什么材料", "人工智能专业的档案怎么转", "没带身份证可以办理吗",
                             "", "客服电话是多少", "人工窗口几点开门"}) {
        EXPECT_FALSE(AsksForHuman(text)) << text;
    }
}

TEST_F(DialogTest, WithAnAgentMessagesGoToTheAgent) {
    for (ChatState st : {ChatState::kWaiting, ChatState::kWithAgent}) {
        DialogState s;
        s.state = st;
        const int before = m.calls;
        auto out = Say(s, "没带身份证能办吗");
        EXPECT_TRUE(out.to_agent);
        EXPECT_TRUE(out.replies.empty());
        EXPECT_FALSE(out.handoff);
        EXPECT_EQ(out.next.state, st);
        EXPECT_EQ(m.calls, before);
        EXPECT_TRUE(Say(s, "转人工").replies.empty());
    }
}

TEST_F(DialogTest, ClosedSessionsAndBadChoicesAreRefused) {
    DialogState closed;
    closed.state = ChatState::kClosed;
    EXPECT_EQ(Say(closed, "你好").error, "session_closed");
    EXPECT_EQ(Step({}, DialogInput::Choice(std::nullopt), m.Fn(), Lookup).error, "invalid_choice");
    EXPECT_EQ(Step({}, DialogInput::Choice("kb-999"), m.Fn(), Lookup).error, "invalid_choice");
    // A known entry may be chosen directly (a preset button).
    EXPECT_EQ(Step({}, DialogInput::Choice("kb-002"), m.Fn(), Lookup).replies.at(0).entry_id, "kb-002");
}

TEST_F(DialogTest, UnsureWithOneCandidateOffersIt) {
    m.table["档案馆"] = Result(Verdict::kUnsure, {"kb-003", "kb-404"});
    auto out = Say({}, "档案馆");
    ASSERT_EQ(out.replies.at(0).options.size(), 1u);
    EXPECT_EQ(out.replies[0].text, "您是想问：我的档案是否存在这里？");
}

TEST(PickedOption, ReadsDigitsAndChineseOrdinals) {
    EXPECT_EQ(PickedOption("1", 2), 0);
    EXPECT_EQ(PickedOption("2", 2), 1);
    EXPECT_EQ(PickedOption("3", 2), -1);
    EXPECT_EQ(PickedOption("第2个", 2), 1);
    EXPECT_EQ(PickedOption("二", 2), 1);
    EXPECT_EQ(PickedOption("12", 2), -1);
    EXPECT_EQ(PickedOption("", 2), -1);
}

TEST(ChatStateNames, RoundTrip) {
    for (ChatState s :
         {ChatState::kBot, ChatState::kClarifying, ChatState::kWaiting, ChatState::kWithAgent, ChatState::kClosed}) {
        EXPECT_EQ(ParseChatState(ChatStateName(s)), s);
    }
    EXPECT_FALSE(ParseChatState("nope"));
}

}  // namespace
}  // namespace dangan::kb
