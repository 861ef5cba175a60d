#pragma once

// The chat dialog's rules (docs/api-kb.md "Chat"): what the robot says to a citizen's message,
// as a pure function of the session's dialog state, the input and the matcher's verdict. No
// database, no clock, no HTTP: the chat routes (kb/chat*.cpp) and the WeChat callback
// (channels/wechat*.cpp) load the state, call Step, store what it returns.
//
// 1. A confident match → `answer`.
// 2. Unsure → `clarify` "您是想问：A，还是B？" with the two best as options (state clarifying).
//    Choosing an option (by id, or by replying "1"/"2" or the option's question) answers it;
//    "都不是" or a new question that is still not confident is a failed clarification → hand-over.
// 3. Nothing matches → `rephrase`; a second miss in a row → hand-over.
// 4. Asking for a person (人工, 转人工, 找客服… or the "human" action) → hand-over.
// 5. Hand-over: `handoff`, state waiting. In waiting and with_agent the citizen's messages go to
//    the agent: the robot says nothing.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kb/matcher.hpp"

namespace dangan::kb {

enum class ChatState { kBot, kClarifying, kWaiting, kWithAgent, kClosed };

std::string_view ChatStateName(ChatState s);  // bot, clarifying, waiting, with_agent, closed
std::string_view ChatStateLabel(ChatState s);  // 智能应答, 请您确认, 等待人工客服, 人工客服服务中, 已结束
std::optional<ChatState> ParseChatState(std::string_view name);

// What the dialog remembers between messages.
struct DialogState {
    ChatState state = ChatState::kBot;
    int misses = 0;                    // questions in a row the robot did not understand
    std::vector<std::string> offered;  // entry ids of the pending clarification (state clarifying)
    std::string last_question;         // the citizen's last question (for the unanswered log)
};

struct DialogInput {
    enum class Kind { kText, kChoice, kHuman };
    Kind kind = Kind::kText;
    std::string text;                   // kText
    std::optional<std::string> choice;  // kChoice: an entry id, or nullopt for "都不是"

    static DialogInput Text(std::string t) { return {Kind::kText, std::move(t), std::nullopt}; }
    static DialogInput Choice(std::optional<std::string> id) { return {Kind::kChoice, {}, std::move(id)}; }
    static DialogInput Human() { return {Kind::kHuman, {}, std::nullopt}; }
};

// An entry as the dialog shows it: its canonical question and the answer for the channel.
struct EntryView {
    std::string id;
    std::string question;
    std::string answer;
};
// Looks an entry up by id among those that answer on the channel; nullopt when there is none.
using EntryLookup = std::function<std::optional<EntryView>(const std::string& id)>;

struct DialogOption {
    std::string id;
    std::string question;
};

// One robot message to add (from "bot").
struct DialogReply {
    std::string kind;  // answer, clarify, rephrase, handoff
    std::string text;
    std::optional<std::string> entry_id;
    std::vector<DialogOption> options;
};

// A question to log as unanswered.
struct UnansweredNote {
    std::string text;
    std::string reason;  // none, unsure, handoff
};

struct DialogOutcome {
    DialogState next;
    std::vector<DialogReply> replies;
    std::vector<UnansweredNote> unanswered;
    bool handoff = false;   // the session now waits for an agent
    bool to_agent = false;  // the message is for the agent (waiting / with_agent): no robot reply
    std::string error;      // non-empty: the input is refused ("invalid_choice", "session_closed")
};

// True when `text` asks for a human agent (人工, 转人工, 人工客服, 找客服, 真人…).
bool AsksForHuman(std::string_view text);
// True when `text` rejects a clarification's options (都不是, 不是, 没有…).
bool RejectsOptions(std::string_view text);
// The option `text` picks among `count` numbered options ("1", "２", "第一个", "一" → 0), or -1.
int PickedOption(std::string_view text, std::size_t count);

// The text of a clarification: "您是想问：A，还是B？" (one option: "您是想问：A？").
std::string ClarifyText(const std::vector<DialogOption>& options);

inline constexpr std::string_view kGreetingText = "您好，我是档案智能客服，请问有什么可以帮您？";
inline constexpr std::string_view kRephraseText = "抱歉，我没能理解您的问题，请换个说法试试。";
inline constexpr std::string_view kHandoffText = "正在为您转接人工客服，请稍候…";
inline constexpr std::string_view kClosedText = "本次会话已结束，感谢您的咨询。";

// Runs the matcher on a question (only called when the dialog needs it).
using MatchFn = std::function<MatchResult(std::string_view question)>;

// The dialog step. Deterministic given `match` and `lookup`; never throws for any input.
DialogOutcome Step(const DialogState& state, const DialogInput& input, const MatchFn& match, const EntryLookup& lookup);

}  // namespace dangan::kb
