#pragma once

// What the chat routes (chat_routes.cpp) and the agents' routes (support_routes.cpp) share:
// the JSON views of sessions and messages, and parsing of messages and long-poll parameters.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "http/message.hpp"
#include "kb/chat.hpp"

namespace dangan::kb {

// {"seq","from","kind","text","at","entry_id","options","agent"}
nlohmann::json MessageJson(const ChatMessage& m);
// {"id","channel","state","state_label","messages"}
nlohmann::json SessionJson(const ChatSession& s, const std::vector<ChatMessage>& messages);
// {"state","messages"}
nlohmann::json MessagesJson(ChatState state, const std::vector<ChatMessage>& messages);
nlohmann::json PostJson(const PostResult& r);

// {"text"} | {"choice":id|null} | {"action":"human"}: 400 text_required, text_too_long, invalid_choice…
Result<DialogInput> ParseCitizenInput(const http::Request& req);
// The "text" member: trimmed, 1–300 characters (text_required / text_too_long).
Result<std::string> ValidMessageText(const nlohmann::json& body);

struct PollParams {
    std::int64_t after = 0;
    std::int64_t wait_seconds = 0;
    std::chrono::seconds wait{0};  // capped at 25 s
};
// ?after=SEQ&wait=SECONDS
Result<PollParams> ParsePoll(const http::Request& req);

// Chat answers are private to their session: never cached.
http::Response Fail(const Error& e);
http::Response Ok(const nlohmann::json& body, int status = 200);
// A long poll of a session's messages (?after=&wait=), answered as {"state","messages"}.
http::Response PollResponse(ChatService& chat, const std::string& id, const http::Request& req);

// The 在线客服 routes (support_routes.cpp).
void RegisterSupport(http::App& app);

}  // namespace dangan::kb
