#include "kb/chat_views.hpp"

namespace dangan::kb {

using nlohmann::json;

json MessageJson(const ChatMessage& m) {
    json options = nullptr;
    if (m.options) {
        options = json::array();
        for (const auto& o : *m.options) options.push_back({{"id", o.id}, {"question", o.question}});
    }
    return {{"seq", m.seq},
            {"from", m.from},
            {"kind", m.kind},
            {"text", m.text},
            {"at", IsoMillis(m.at_ms)},
            {"entry_id", m.entry_id ? json(*m.entry_id) : json(nullptr)},
            {"options", options},
            {"agent", m.agent ? json(*m.agent) : json(nullptr)}};
}

json MessagesJson(ChatState state, const std::vector<ChatMessage>& messages) {
    json list = json::array();
    for (const auto& m : messages) list.push_back(MessageJson(m));
    return {{"state", std::string(ChatStateName(state))}, {"messages", std::move(list)}};
}

json SessionJson(const ChatSession& s, const std::vector<ChatMessage>& messages) {
    json list = json::array();
    for (const auto& m : messages) list.push_back(MessageJson(m));
    return {{"id", s.id},
            {"channel", s.channel},
            {"state", std::string(ChatStateName(s.dialog.state))},
            {"state_label", std::string(ChatStateLabel(s.dialog.state))},
            {"agent", s.agent_name ? json(*s.agent_name) : json(nullptr)},
            {"messages", std::move(list)}};
}

json PostJson(const PostResult& r) { return MessagesJson(r.session.dialog.state, r.messages); }

http::Response Fail(const Error& e) {
    http::Response r = http::Response::FromError(e);
    r.Header("Cache-Control", "no-store");
    return r;
}

http::Response Ok(const nlohmann::json& body, int status) {
    http::Response r = http::Response::Json(body, status);
    r.Header("Cache-Control", "no-store");
    return r;
}

http::Response PollResponse(ChatService& chat, const std::string& id, const http::Request& req) {
    auto poll = ParsePoll(req);
    if (!poll) return Fail(poll.error());
    auto msgs = chat.WaitMessages(id, poll->after, poll->wait);
    if (!msgs) return Fail(msgs.error());
    auto now = chat.Load(id);
    if (!now) return Fail(now.error());
    return Ok(MessagesJson(now->dialog.state, *msgs));
}

}  // namespace dangan::kb
