#pragma once

// Chat sessions (docs/api-kb.md "Chat" and "在线客服"): the citizen's conversation with the
// robot (kb/dialog.hpp) and, after a hand-over, with a 在线客服 agent. Sessions and messages
// live in the database (migration 011_chat), so any node serves any session; long polls wait
// on a per-process condition variable woken by local changes and re-check the database about
// every second for changes made on other nodes.
//
// Used by the chat routes (chat_routes.cpp), the agents' routes (support_routes.cpp) and the
// WeChat callback (channels/wechat*.cpp), which keeps one session per WeChat user.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"
#include "kb/dialog.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::kb {

struct ChatMessage {
    std::int64_t seq = 0;
    std::string from;  // user, bot, agent, system
    std::string kind;  // greeting, text, answer, clarify, rephrase, handoff, agent_joined, closed
    std::string text;
    std::optional<std::string> entry_id;
    std::optional<std::vector<DialogOption>> options;
    std::optional<std::string> agent;
    std::int64_t at_ms = 0;
};

struct ChatSession {
    std::string id;
    std::string token_hash;  // hex SM3 of the token
    std::string channel;     // web, mobile, kiosk, wechat
    std::string branch_code;
    std::optional<std::string> person_id;
    std::optional<std::string> openid;
    DialogState dialog;
    std::optional<std::string> agent_user_id;
    std::optional<std::string> agent_name;
    std::int64_t last_seq = 0;
    std::int64_t created_at_ms = 0;
    std::int64_t last_message_at_ms = 0;
    std::optional<std::int64_t> waiting_since_ms;
    std::optional<std::int64_t> closed_at_ms;
};

// What a post (citizen or agent) returns: the state after it and the messages it added.
struct PostResult {
    ChatSession session;
    std::vector<ChatMessage> messages;
    DialogOutcome outcome;  // citizen posts: what the dialog decided
};

struct QueueItem {
    ChatSession session;
    std::string last_text;  // the citizen's last message
};

struct ChatSettings {
    std::int64_t idle_minutes = 30;
    std::int64_t max_waiters = 24;
    std::int64_t sessions_per_address_per_hour = 120;
};

class ChatService {
public:
    explicit ChatService(http::App& app);

    // A new session with its greeting; returns it and the secret token (64 hex characters).
    // kResourceExhausted "rate_limited" when the address opened too many in the last hour.
    Result<std::pair<ChatSession, std::string>> Create(const std::string& channel, const std::string& branch_code,
                                                       const std::optional<std::string>& person_id,
                                                       const std::optional<std::string>& openid,
                                                       const std::string& address);
    // The session (closed first when it has been idle too long); kNotFound "session_not_found".
    Result<ChatSession> Load(const std::string& id);
    // The WeChat user's open session, or a new one.
    Result<ChatSession> ForOpenid(const std::string& openid);
    static bool TokenMatches(const ChatSession& s, std::string_view token);

    Result<std::vector<ChatMessage>> Messages(const std::string& id, std::int64_t after);
    // Long poll: messages after `after`, waiting up to `wait` for one (no wait when too many wait).
    Result<std::vector<ChatMessage>> WaitMessages(const std::string& id, std::int64_t after, std::chrono::seconds wait);

    // The citizen's message through the dialog. Errors: session_closed (kConflict),
    // invalid_choice (kInvalidArgument).
    Result<PostResult> Post(const std::string& id, const DialogInput& input);
    // Agents. take: already_taken / session_closed (kConflict). reply/close: not_your_session
    // (kPermissionDenied), session_closed.
    Result<PostResult> Take(const std::string& id, const std::string& agent_id, const std::string& agent_name);
    Result<PostResult> AgentReply(const std::string& id, const std::string& agent_id, const std::string& text);
    // Closes the session; `agent_id` set: only that agent's session. Closing a closed one is ok.
    Result<PostResult> Close(const std::string& id, const std::optional<std::string>& agent_id);

    // The 在线客服 queue: open sessions waiting or with an agent.
    Result<std::vector<QueueItem>> Queue();
    Result<std::int64_t> QueueVersion();
    // Waits up to `wait` until the queue version differs from `version`; returns the current one.
    Result<std::int64_t> WaitQueue(std::int64_t version, std::chrono::seconds wait);

    // Closes sessions idle longer than idle_minutes (the periodic sweep). Returns how many.
    Result<int> CloseIdle();

    // Called after an agent's message to a session (WeChat sends it to the user).
    std::function<void(const ChatSession&, const ChatMessage&)> on_agent_message;

    const ChatSettings& settings() const { return settings_; }
    http::App& app() { return app_; }

private:
    // Runs `fn` on the loaded session in a transaction, retried when another writer got there first.
    using Mutation = std::function<Result<PostResult>(db::Connection&, ChatSession&)>;
    Result<PostResult> Mutate(const std::string& id, const Mutation& fn);
    void Notify();
    bool Wait(std::uint64_t seen, std::chrono::steady_clock::time_point until);

    http::App& app_;
    ChatSettings settings_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::uint64_t generation_ = 0;
    std::atomic<std::int64_t> waiters_{0};
};

// The chat service of this App (created on first use).
std::shared_ptr<ChatService> ChatOf(http::App& app);

// Adds the chat and 在线客服 routes and the idle-session sweep.
void RegisterChat(http::App& app);

// JSON views shared by the routes.
std::string IsoMillis(std::int64_t ms);

}  // namespace dangan::kb
