#include "kb/dialog.hpp"

#include <array>

#include "core/text.hpp"

namespace dangan::kb {

namespace {

// `text` folded to half width, without spaces and punctuation: what the phrase rules look at.
std::string Bare(std::string_view text) {
    static const std::array<std::string_view, 24> kPunct{"，", "。", "？", "！", "、", "；", "：", "“",
                                                         "”",  "‘",  "’",  "（", "）", "…",  "—",  "～",
                                                         "《", "》", "【", "】", "·",  "「", "」", "\u3000"};
    std::string s = core::FullWidthToHalfWidth(text);
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if (!(c <= ' ' ||
                  std::string_view(".,?!;:'\"()[]{}~-_/\\").find(static_cast<char>(c)) != std::string_view::npos)) {
                out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            ++i;
            continue;
        }
        bool skipped = false;
        for (std::string_view p : kPunct) {
            if (std::string_view(s).substr(i, p.size()) == p) {
                i += p.size();
                skipped = true;
                break;
            }
        }
        if (skipped) continue;
        const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        out.append(s, i, len);
        i += len;
    }
    return out;
}

bool Contains(std::string_view hay, std::string_view needle) { return hay.find(needle) != std::string_view::npos; }

DialogReply Answer(const EntryView& e) { return DialogReply{"answer", e.answer, e.id, {}}; }

DialogOutcome Handoff(DialogState next, DialogOutcome out) {
    next.state = ChatState::kWaiting;
    next.misses = 0;
    next.offered.clear();
    out.next = std::move(next);
    out.replies.push_back(DialogReply{"handoff", std::string(kHandoffText), std::nullopt, {}});
    out.handoff = true;
    return out;
}

DialogOutcome Answered(DialogState next, const EntryView& e) {
    next.state = ChatState::kBot;
    next.misses = 0;
    next.offered.clear();
    DialogOutcome out;
    out.next = std::move(next);
    out.replies.push_back(Answer(e));
    return out;
}

DialogOutcome Refused(const DialogState& state, std::string error) {
    DialogOutcome out;
    out.next = state;
    out.error = std::move(error);
    return out;
}

std::vector<DialogOption> OptionsOf(const std::vector<std::string>& ids, const EntryLookup& lookup) {
    std::vector<DialogOption> options;
    for (const auto& id : ids) {
        if (auto e = lookup(id)) options.push_back({e->id, e->question});
    }
    return options;
}

// A failed clarification: the question that was clarified is logged, the session handed over.
DialogOutcome FailedClarification(const DialogState& state) {
    DialogOutcome out;
    if (!state.last_question.empty()) out.unanswered.push_back({state.last_question, "unsure"});
    return Handoff(state, std::move(out));
}

}  // namespace

std::string_view ChatStateName(ChatState s) {
    switch (s) {
        case ChatState::kBot:
            return "bot";
        case ChatState::kClarifying:
            return "clarifying";
        case ChatState::kWaiting:
            return "waiting";
        case ChatState::kWithAgent:
            return "with_agent";
        case ChatState::kClosed:
            return "closed";
    }
    return "bot";
}

std::string_view ChatStateLabel(ChatState s) {
    switch (s) {
        case ChatState::kBot:
            return "智能应答";
        case ChatState::kClarifying:
            return "请您确认";
        case ChatState::kWaiting:
            return "等待人工客服";
        case ChatState::kWithAgent:
            return "人工客服服务中";
        case ChatState::kClosed:
            return "已结束";
    }
    return "智能应答";
}

std::optional<ChatState> ParseChatState(std::string_view name) {
    for (ChatState s :
         {ChatState::kBot, ChatState::kClarifying, ChatState::kWaiting, ChatState::kWithAgent, ChatState::kClosed}) {
        if (ChatStateName(s) == name) return s;
    }
    return std::nullopt;
}

bool AsksForHuman(std::string_view text) {
    const std::string b = Bare(text);
    if (b.empty()) return false;
    // Phrases that ask for a person wherever they stand.
    for (std::string_view p :
         {"转人工", "人工客服", "人工服务", "人工坐席", "找客服", "联系客服", "在线客服", "真人客服", "找真人",
          "要真人", "接人工", "找人工", "要人工", "转客服", "叫客服", "客服人员"}) {
        if (Contains(b, p)) return true;
    }
    // Short messages that are little more than the word: "人工", "我要人工!", "真人", "找工作人员".
    // …unless they ask about the service itself ("客服电话是多少", "人工窗口几点开").
    bool about_service = false;
    for (std::string_view p : {"电话", "热线", "几点", "时间", "地址", "在哪", "号码", "窗口"}) {
        about_service = about_service || Contains(b, p);
    }
    if (!about_service && core::CountCharacters(b) <= 8) {
        for (std::string_view p : {"人工", "客服", "真人", "工作人员", "找个人", "活人"}) {
            if (Contains(b, p)) return true;
        }
    }
    return b == "human" || b == "agent";
}

bool RejectsOptions(std::string_view text) {
    const std::string b = Bare(text);
    for (std::string_view p : {"都不是", "都不对", "不是", "不对", "没有", "都没有", "以上都不是", "其他", "别的",
                               "其它", "no", "none", "0"}) {
        if (b == p) return true;
    }
    return Contains(b, "都不是") || Contains(b, "都不对");
}

int PickedOption(std::string_view text, std::size_t count) {
    std::string b = Bare(text);
    for (std::string_view strip : {"第", "个", "条", "项", "选", "是"}) {
        for (std::size_t pos; (pos = b.find(strip)) != std::string::npos;) b.erase(pos, strip.size());
    }
    static const std::array<std::string_view, 9> kDigits{"一", "二", "三", "四", "五", "六", "七", "八", "九"};
    int n = -1;
    if (b.size() == 1 && b[0] >= '1' && b[0] <= '9') n = b[0] - '1';
    for (std::size_t i = 0; i < kDigits.size(); ++i) {
        if (b == kDigits[i]) n = static_cast<int>(i);
    }
    if (b == "两") n = 1;
    return n >= 0 && static_cast<std::size_t>(n) < count ? n : -1;
}

std::string ClarifyText(const std::vector<DialogOption>& options) {
    std::string text = "您是想问：";
    for (std::size_t i = 0; i < options.size(); ++i) {
        if (i > 0) text += "，还是";
        std::string_view q = options[i].question;
        while (q.ends_with("？") || q.ends_with("?")) q.remove_suffix(q.ends_with("?") ? 1 : 3);
        text += q;
    }
    return text + "？";
}

DialogOutcome Step(const DialogState& state, const DialogInput& input, const MatchFn& match,
                   const EntryLookup& lookup) {
    if (state.state == ChatState::kClosed) return Refused(state, "session_closed");

    // Handed over: everything goes to the agent.
    if (state.state == ChatState::kWaiting || state.state == ChatState::kWithAgent) {
        if (input.kind == DialogInput::Kind::kChoice) return Refused(state, "invalid_choice");
        DialogOutcome out;
        out.next = state;
        out.to_agent = true;
        return out;
    }

    const bool clarifying = state.state == ChatState::kClarifying;

    if (input.kind == DialogInput::Kind::kHuman) {
        DialogOutcome out;
        if (!state.last_question.empty()) out.unanswered.push_back({state.last_question, "handoff"});
        return Handoff(state, std::move(out));
    }

    if (input.kind == DialogInput::Kind::kChoice) {
        if (!input.choice) {
            if (!clarifying) return Refused(state, "invalid_choice");
            return FailedClarification(state);
        }
        auto e = lookup(*input.choice);
        if (!e) return Refused(state, "invalid_choice");
        return Answered(state, *e);
    }

    // Text.
    const std::string& text = input.text;
    if (clarifying) {
        const std::vector<DialogOption> options = OptionsOf(state.offered, lookup);
        const int picked = PickedOption(text, options.size());
        if (picked >= 0) return Answered(state, *lookup(options[static_cast<std::size_t>(picked)].id));
        const std::string b = Bare(text);
        for (const auto& o : options) {
            if (Bare(o.question) == b) return Answered(state, *lookup(o.id));
        }
        if (RejectsOptions(text)) return FailedClarification(state);
    }
    if (AsksForHuman(text)) {
        DialogOutcome out;
        if (!state.last_question.empty()) out.unanswered.push_back({state.last_question, "handoff"});
        return Handoff(state, std::move(out));
    }

    DialogState next = state;
    next.last_question = text;
    const MatchResult m = match(text);
    if (m.verdict == Verdict::kAnswer && !m.top.empty()) {
        if (auto e = lookup(m.top[0].id)) return Answered(next, *e);
    }
    if (clarifying) {
        // Still not confident after a clarification: the citizen needs a person.
        DialogOutcome out;
        out.unanswered.push_back({state.last_question, "unsure"});
        if (text != state.last_question) out.unanswered.push_back({text, "handoff"});
        return Handoff(next, std::move(out));
    }
    if (m.verdict != Verdict::kNone) {
        std::vector<std::string> ids;
        for (const auto& c : m.top) {
            if (ids.size() == 2) break;
            if (lookup(c.id)) ids.push_back(c.id);
        }
        if (!ids.empty()) {
            next.state = ChatState::kClarifying;
            next.misses = 0;
            next.offered = ids;
            DialogOutcome out;
            const std::vector<DialogOption> options = OptionsOf(ids, lookup);
            out.replies.push_back(DialogReply{"clarify", ClarifyText(options), std::nullopt, options});
            out.next = std::move(next);
            return out;
        }
    }
    // Nothing understood.
    DialogOutcome out;
    out.unanswered.push_back({text, "none"});
    next.misses = state.misses + 1;
    next.offered.clear();
    next.state = ChatState::kBot;
    if (next.misses >= 2) return Handoff(next, std::move(out));
    out.next = std::move(next);
    out.replies.push_back(DialogReply{"rephrase", std::string(kRephraseText), std::nullopt, {}});
    return out;
}

}  // namespace dangan::kb
