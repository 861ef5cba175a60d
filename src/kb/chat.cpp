// Chat sessions in the database, the dialog applied to them, and the long polls (chat.hpp).

#include "kb/chat.hpp"

#include <spdlog/spdlog.h>

#include <map>
#include <nlohmann/json.hpp>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "http/app.hpp"
#include "kb/index.hpp"
#include "kb/unanswered.hpp"

namespace dangan::kb {

namespace {

using nlohmann::json;
constexpr std::int64_t kHourMs = 3600 * 1000;

constexpr const char* kSessionColumns =
    "id, token_hash, channel, branch_code, person_id, openid, state, agent_user_id, agent_name, fails, "
    "offered_json, last_question, last_seq, created_at_ms, last_message_at_ms, waiting_since_ms, closed_at_ms";

ChatSession SessionFromRow(const db::Row& r) {
    ChatSession s;
    s.id = r.Text(0);
    s.token_hash = r.Text(1);
    s.channel = r.Text(2);
    s.branch_code = r.Text(3);
    s.person_id = r.OptText(4);
    s.openid = r.OptText(5);
    s.dialog.state = ParseChatState(r.Text(6)).value_or(ChatState::kBot);
    s.agent_user_id = r.OptText(7);
    s.agent_name = r.OptText(8);
    s.dialog.misses = static_cast<int>(r.Int(9));
    const json offered = json::parse(r.Text(10), nullptr, false);
    if (offered.is_array()) {
        for (const auto& id : offered) {
            if (id.is_string()) s.dialog.offered.push_back(id.get<std::string>());
        }
    }
    s.dialog.last_question = r.Text(11);
    s.last_seq = r.Int(12);
    s.created_at_ms = r.Int(13);
    s.last_message_at_ms = r.Int(14);
    s.waiting_since_ms = r.OptInt(15);
    s.closed_at_ms = r.OptInt(16);
    return s;
}

db::Value Opt(const std::optional<std::string>& v) { return v ? db::Value(*v) : db::Value(nullptr); }
db::Value Opt(const std::optional<std::int64_t>& v) { return v ? db::Value(*v) : db::Value(nullptr); }

ChatMessage MessageFromRow(const db::Row& r) {
    ChatMessage m;
    m.seq = r.Int(0);
    m.from = r.Text(1);
    m.kind = r.Text(2);
    m.text = r.Text(3);
    m.entry_id = r.OptText(4);
    if (auto o = r.OptText(5)) {
        const json arr = json::parse(*o, nullptr, false);
        if (arr.is_array()) {
            std::vector<DialogOption> options;
            for (const auto& x : arr) {
                if (x.is_object()) options.push_back({x.value("id", ""), x.value("question", "")});
            }
            m.options = std::move(options);
        }
    }
    m.agent = r.OptText(6);
    m.at_ms = r.Int(7);
    return m;
}

Result<std::optional<ChatSession>> LoadRow(db::Connection& conn, const std::string& id) {
    auto rs = conn.Query(std::string("SELECT ") + kSessionColumns + " FROM chat_sessions WHERE id = ?", {id});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<ChatSession>();
    return std::optional<ChatSession>(SessionFromRow(rs->rows[0]));
}

Error NotFound() { return MakeError(ErrorCode::kNotFound, "没有找到这个会话", "id", "session_not_found"); }
Error Closed() { return MakeError(ErrorCode::kConflict, "会话已结束", "id", "session_closed"); }
Error NotYours() { return MakeError(ErrorCode::kForbidden, "这个会话由其他客服接待", "id", "not_your_session"); }

// Appends a message to `s` (in memory: seq, time) and to the list of new ones.
ChatMessage& Add(ChatSession& s, std::vector<ChatMessage>& added, std::string from, std::string kind, std::string text,
                 std::int64_t now) {
    ChatMessage m;
    m.seq = ++s.last_seq;
    m.from = std::move(from);
    m.kind = std::move(kind);
    m.text = std::move(text);
    m.at_ms = now;
    added.push_back(std::move(m));
    return added.back();
}

Status InsertMessages(db::Connection& conn, const std::string& session_id, const std::vector<ChatMessage>& added) {
    for (const auto& m : added) {
        db::Value options = nullptr;
        if (m.options) {
            json arr = json::array();
            for (const auto& o : *m.options) arr.push_back({{"id", o.id}, {"question", o.question}});
            options = arr.dump();
        }
        DANGAN_TRY(conn.Query(
            "INSERT INTO chat_messages (session_id, seq, sender, kind, text, entry_id, options_json, agent, at_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {session_id, m.seq, m.from, m.kind, m.text, Opt(m.entry_id), options, Opt(m.agent), m.at_ms}));
    }
    return Ok();
}

Status BumpQueue(db::Connection& conn) {
    DANGAN_TRY(conn.Query("UPDATE support_queue_state SET version = version + 1 WHERE id = 1"));
    return Ok();
}

// Writes the session's changed fields, only when nobody else wrote since `expected_seq` was read.
Result<bool> SaveSession(db::Connection& conn, const ChatSession& s, std::int64_t expected_seq, std::int64_t now) {
    json offered = s.dialog.offered;
    auto rs = conn.Query(
        "UPDATE chat_sessions SET state = ?, agent_user_id = ?, agent_name = ?, fails = ?, offered_json = ?, "
        "last_question = ?, last_seq = ?, updated_at_ms = ?, last_message_at_ms = ?, waiting_since_ms = ?, "
        "closed_at_ms = ? WHERE id = ? AND last_seq = ?",
        {std::string(ChatStateName(s.dialog.state)), Opt(s.agent_user_id), Opt(s.agent_name),
         static_cast<std::int64_t>(s.dialog.misses), offered.dump(), s.dialog.last_question, s.last_seq, now,
         s.last_message_at_ms, Opt(s.waiting_since_ms), Opt(s.closed_at_ms), s.id, expected_seq});
    if (!rs) return rs.error();
    return rs->affected == 1;
}

// Marks `s` closed with the closing message.
void CloseInMemory(ChatSession& s, std::vector<ChatMessage>& added, std::int64_t now) {
    s.dialog.state = ChatState::kClosed;
    s.closed_at_ms = now;
    Add(s, added, "system", "closed", std::string(kClosedText), now);
    s.last_message_at_ms = now;
}

bool IsOpenQueued(ChatState st) { return st == ChatState::kWaiting || st == ChatState::kWithAgent; }

std::mutex g_services_mutex;
std::map<http::App*, std::weak_ptr<ChatService>> g_services;

}  // namespace

std::string IsoMillis(std::int64_t ms) { return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(ms))); }

ChatService::ChatService(http::App& app) : app_(app) {
    settings_.idle_minutes = app.config.chat.idle_minutes;
    settings_.max_waiters = app.config.chat.max_waiters;
    settings_.sessions_per_address_per_hour = app.config.chat.sessions_per_address_per_hour;
}

std::shared_ptr<ChatService> ChatOf(http::App& app) {
    std::lock_guard lock(g_services_mutex);
    auto& weak = g_services[&app];
    auto service = weak.lock();
    if (!service) {
        service = std::make_shared<ChatService>(app);
        weak = service;
    }
    return service;
}

bool ChatService::TokenMatches(const ChatSession& s, std::string_view token) {
    if (token.size() != 64) return false;
    return core::ConstantTimeEqual(core::Sm3Hex(token), s.token_hash);
}

void ChatService::Notify() {
    {
        std::lock_guard lock(mutex_);
        ++generation_;
    }
    cv_.notify_all();
}

bool ChatService::Wait(std::uint64_t seen, std::chrono::steady_clock::time_point until) {
    std::unique_lock lock(mutex_);
    const auto step = std::min(until, std::chrono::steady_clock::now() + std::chrono::seconds(1));
    cv_.wait_until(lock, step, [&] { return generation_ != seen || app_.draining.load(); });
    return generation_ != seen;
}

Result<std::pair<ChatSession, std::string>> ChatService::Create(const std::string& channel,
                                                                const std::string& branch_code,
                                                                const std::optional<std::string>& person_id,
                                                                const std::optional<std::string>& openid,
                                                                const std::string& address) {
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    const std::string address_hash = address.empty() ? std::string() : core::Sm3Hex("chat-address:" + address);
    if (!address_hash.empty()) {
        auto rs = app_.db->Query("SELECT COUNT(*) FROM chat_sessions WHERE address_hash = ? AND created_at_ms > ?",
                                 {address_hash, now - kHourMs});
        if (!rs) return rs.error();
        if (rs->rows[0].Int(0) >= settings_.sessions_per_address_per_hour) {
            return MakeError(ErrorCode::kTooManyRequests, "开启会话过于频繁，请稍后再试", "", "rate_limited");
        }
    }
    const std::string token = core::HexEncode(core::SecureRandom(32));
    ChatSession s;
    s.id = core::NewId(*app_.clock);
    s.token_hash = core::Sm3Hex(token);
    s.channel = channel;
    s.branch_code = branch_code;
    s.person_id = person_id;
    s.openid = openid;
    s.created_at_ms = now;
    s.last_message_at_ms = now;
    std::vector<ChatMessage> added;
    Add(s, added, "bot", "greeting", std::string(kGreetingText), now);
    auto st = app_.db->Transaction([&](db::Connection& conn) -> Status {
        DANGAN_TRY(conn.Query(
            "INSERT INTO chat_sessions (id, token_hash, channel, branch_code, person_id, openid, address_hash, state, "
            "fails, offered_json, last_question, last_seq, created_at_ms, updated_at_ms, last_message_at_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'bot', 0, '[]', '', ?, ?, ?, ?)",
            {s.id, s.token_hash, s.channel, s.branch_code, Opt(s.person_id), Opt(s.openid), address_hash, s.last_seq,
             now, now, now}));
        return InsertMessages(conn, s.id, added);
    });
    if (!st) return st.error();
    return std::pair{std::move(s), token};
}

Result<PostResult> ChatService::Mutate(const std::string& id, const Mutation& fn) {
    for (int attempt = 0;; ++attempt) {
        PostResult result;
        bool lost_race = false;
        bool changed = false;
        auto st = app_.db->Transaction([&](db::Connection& conn) -> Status {
            auto row = LoadRow(conn, id);
            if (!row) return row.error();
            if (!*row) return NotFound();
            ChatSession s = std::move(**row);
            const std::int64_t expected = s.last_seq;
            const ChatState before = s.dialog.state;
            auto r = fn(conn, s);
            if (!r) return r.error();
            result = std::move(*r);
            if (result.messages.empty() && result.session.dialog.state == before) return Ok();  // nothing to write
            const std::int64_t now = core::UnixMillis(app_.clock->Now());
            auto saved = SaveSession(conn, result.session, expected, now);
            if (!saved) return saved.error();
            if (!*saved) {
                lost_race = true;
                return MakeError(ErrorCode::kConflict, "会话正被更新", "", "chat_busy");
            }
            DANGAN_TRY(InsertMessages(conn, id, result.messages));
            if (IsOpenQueued(before) || IsOpenQueued(result.session.dialog.state)) DANGAN_TRY(BumpQueue(conn));
            changed = true;
            return Ok();
        });
        if (st) {
            if (changed) Notify();
            return result;
        }
        const bool retry = lost_race || st.error().reason == "unique_violation";
        if (!retry || attempt >= 4) return st.error();
    }
}

Result<ChatSession> ChatService::Load(const std::string& id) {
    auto rs = app_.db->Query(std::string("SELECT ") + kSessionColumns + " FROM chat_sessions WHERE id = ?", {id});
    if (!rs) return rs.error();
    if (rs->empty()) return NotFound();
    ChatSession s = SessionFromRow(rs->rows[0]);
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    if (s.dialog.state != ChatState::kClosed && now - s.last_message_at_ms > settings_.idle_minutes * 60 * 1000) {
        auto closed = Mutate(id, [&](db::Connection&, ChatSession& cur) -> Result<PostResult> {
            PostResult r;
            if (cur.dialog.state != ChatState::kClosed &&
                now - cur.last_message_at_ms > settings_.idle_minutes * 60 * 1000) {
                CloseInMemory(cur, r.messages, now);
            }
            r.session = cur;
            return r;
        });
        if (!closed) return closed.error();
        return closed->session;
    }
    return s;
}

Result<ChatSession> ChatService::ForOpenid(const std::string& openid) {
    // Two messages of a new user at once: both may try to create; the unique index lets one win
    // and the other then finds its session.
    for (int attempt = 0;; ++attempt) {
        auto rs = app_.db->Query(
            "SELECT id FROM chat_sessions WHERE openid = ? AND state <> 'closed' "
            "ORDER BY created_at_ms DESC LIMIT 1",
            {openid});
        if (!rs) return rs.error();
        if (!rs->empty()) {
            auto s = Load(rs->rows[0].Text(0));
            if (!s) return s.error();
            if (s->dialog.state != ChatState::kClosed) return s;
        }
        auto created = Create("wechat", "", std::nullopt, openid, "");
        if (created) return std::move(created->first);
        if (attempt > 0) return created.error();
    }
}

Result<std::vector<ChatMessage>> ChatService::Messages(const std::string& id, std::int64_t after) {
    auto rs = app_.db->Query(
        "SELECT seq, sender, kind, text, entry_id, options_json, agent, at_ms FROM chat_messages "
        "WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT 500",
        {id, after});
    if (!rs) return rs.error();
    std::vector<ChatMessage> out;
    out.reserve(rs->rows.size());
    for (const auto& r : rs->rows) out.push_back(MessageFromRow(r));
    return out;
}

namespace {

// One of the node's long-poll places (they hold handler threads): taken when free, given back
// on leaving. Without one the poll answers at once.
class WaiterSlot {
public:
    WaiterSlot(std::atomic<std::int64_t>& waiters, std::int64_t max, bool wanted) : waiters_(waiters) {
        if (!wanted) return;
        if (waiters_.fetch_add(1) >= max) {
            --waiters_;
        } else {
            held_ = true;
        }
    }
    ~WaiterSlot() {
        if (held_) --waiters_;
    }
    WaiterSlot(const WaiterSlot&) = delete;
    WaiterSlot& operator=(const WaiterSlot&) = delete;
    bool held() const { return held_; }

private:
    std::atomic<std::int64_t>& waiters_;
    bool held_ = false;
};

}  // namespace

Result<std::vector<ChatMessage>> ChatService::WaitMessages(const std::string& id, std::int64_t after,
                                                           std::chrono::seconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    const WaiterSlot slot(waiters_, settings_.max_waiters, wait.count() > 0);
    const bool counted = slot.held();
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard lock(mutex_);
            seen = generation_;
        }
        auto msgs = Messages(id, after);
        if (!msgs) return msgs.error();
        if (!msgs->empty() || !counted || app_.draining.load() || std::chrono::steady_clock::now() >= until) {
            return msgs;
        }
        Wait(seen, until);
    }
}

Result<PostResult> ChatService::Post(const std::string& id, const DialogInput& input) {
    auto index = IndexOf(app_);
    std::shared_ptr<const Snapshot> snap = index->Current();
    auto session = Load(id);  // closes an idle session first
    if (!session) return session.error();
    const std::string channel = session->channel;
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    std::string normalised;
    const MatchFn match = [&](std::string_view q) {
        MatchResult m = snap->Match(q, channel);
        normalised = m.normalised;
        return m;
    };
    const EntryLookup lookup = [&](const std::string& entry_id) -> std::optional<EntryView> {
        const PublishedEntry* e = snap->Find(entry_id);
        if (e == nullptr || !ServesChannel(*e, channel)) return std::nullopt;
        return EntryView{e->id, e->question, AnswerFor(*e, channel)};
    };
    return Mutate(id, [&](db::Connection& conn, ChatSession& s) -> Result<PostResult> {
        PostResult r;
        DialogOutcome out = Step(s.dialog, input, match, lookup);
        if (out.error == "session_closed") return Closed();
        if (!out.error.empty()) {
            return MakeError(ErrorCode::kInvalidArgument, "所选问题不可用，请重新选择", "choice", out.error);
        }
        // The citizen's own message.
        std::string said = input.text;
        if (input.kind == DialogInput::Kind::kChoice) {
            said = "都不是";
            if (input.choice) {
                auto e = lookup(*input.choice);
                said = e ? e->question : *input.choice;
            }
        } else if (input.kind == DialogInput::Kind::kHuman) {
            said = "转人工客服";
        }
        Add(s, r.messages, "user", "text", said, now);
        for (const auto& reply : out.replies) {
            auto& m = Add(s, r.messages, "bot", reply.kind, reply.text, now);
            m.entry_id = reply.entry_id;
            if (reply.kind == "clarify") m.options = reply.options;
        }
        const ChatState before = s.dialog.state;
        s.dialog = out.next;
        if (out.handoff && before != ChatState::kWaiting) s.waiting_since_ms = now;
        s.last_message_at_ms = now;
        for (const auto& note : out.unanswered) {
            UnansweredQuestion q;
            q.text = note.text;
            q.normalised = note.text == input.text ? normalised : std::string();
            q.channel = channel;
            q.reason = note.reason;
            q.session_id = s.id;
            q.at_ms = now;
            DANGAN_TRY(LogUnanswered(conn, *app_.clock, q));
        }
        r.session = s;
        r.outcome = std::move(out);
        return r;
    });
}

Result<PostResult> ChatService::Take(const std::string& id, const std::string& agent_id,
                                     const std::string& agent_name) {
    auto loaded = Load(id);
    if (!loaded) return loaded.error();
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    return Mutate(id, [&](db::Connection&, ChatSession& s) -> Result<PostResult> {
        PostResult r;
        if (s.dialog.state == ChatState::kClosed) return Closed();
        if (s.dialog.state == ChatState::kWithAgent) {
            if (s.agent_user_id == agent_id) {
                r.session = s;
                return r;
            }
            Error e =
                MakeError(ErrorCode::kConflict, "已由客服" + s.agent_name.value_or("") + "接待", "id", "already_taken");
            return e;
        }
        // Only a citizen who asked for a person (or whom the robot handed over) is taken.
        if (s.dialog.state != ChatState::kWaiting) {
            return MakeError(ErrorCode::kConflict, "该会话未转人工，无需接入", "id", "not_waiting");
        }
        s.dialog.state = ChatState::kWithAgent;
        s.dialog.offered.clear();
        s.agent_user_id = agent_id;
        s.agent_name = agent_name;
        const std::string who = agent_name.starts_with("客服") ? agent_name : "客服" + agent_name;
        auto& m = Add(s, r.messages, "system", "agent_joined", who + "已接入，为您服务。", now);
        m.agent = agent_name;
        s.last_message_at_ms = now;
        r.session = s;
        return r;
    });
}

Result<PostResult> ChatService::AgentReply(const std::string& id, const std::string& agent_id,
                                           const std::string& text) {
    auto loaded = Load(id);
    if (!loaded) return loaded.error();
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    auto result = Mutate(id, [&](db::Connection&, ChatSession& s) -> Result<PostResult> {
        PostResult r;
        if (s.dialog.state == ChatState::kClosed) return Closed();
        if (s.dialog.state != ChatState::kWithAgent || s.agent_user_id != agent_id) return NotYours();
        auto& m = Add(s, r.messages, "agent", "text", text, now);
        m.agent = s.agent_name;
        s.last_message_at_ms = now;
        r.session = s;
        return r;
    });
    if (result && on_agent_message && !result->messages.empty()) {
        try {
            on_agent_message(result->session, result->messages.back());
        } catch (const std::exception& e) {
            spdlog::warn("chat: forwarding an agent's message failed: {}", e.what());
        }
    }
    return result;
}

Result<PostResult> ChatService::Close(const std::string& id, const std::optional<std::string>& agent_id) {
    auto loaded = Load(id);
    if (!loaded) return loaded.error();
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    return Mutate(id, [&](db::Connection&, ChatSession& s) -> Result<PostResult> {
        PostResult r;
        if (s.dialog.state != ChatState::kClosed) {
            if (agent_id && (s.dialog.state != ChatState::kWithAgent || s.agent_user_id != *agent_id))
                return NotYours();
            CloseInMemory(s, r.messages, now);
        }
        r.session = s;
        return r;
    });
}

Result<std::vector<QueueItem>> ChatService::Queue() {
    auto rs = app_.db->Query(std::string("SELECT ") + kSessionColumns +
                             " FROM chat_sessions WHERE state IN ('waiting', 'with_agent') "
                             "ORDER BY waiting_since_ms, created_at_ms LIMIT 500");
    if (!rs) return rs.error();
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    std::vector<QueueItem> out;
    for (const auto& row : rs->rows) {
        QueueItem item;
        item.session = SessionFromRow(row);
        if (now - item.session.last_message_at_ms > settings_.idle_minutes * 60 * 1000) continue;  // closing soon
        auto last = app_.db->Query(
            "SELECT text FROM chat_messages WHERE session_id = ? AND sender = 'user' ORDER BY seq DESC LIMIT 1",
            {item.session.id});
        if (!last) return last.error();
        if (!last->empty()) item.last_text = last->rows[0].Text(0);
        out.push_back(std::move(item));
    }
    return out;
}

Result<std::int64_t> ChatService::QueueVersion() {
    auto rs = app_.db->Query("SELECT version FROM support_queue_state WHERE id = 1");
    if (!rs) return rs.error();
    return rs->empty() ? std::int64_t{0} : rs->rows[0].Int(0);
}

Result<std::int64_t> ChatService::WaitQueue(std::int64_t version, std::chrono::seconds wait) {
    const auto until = std::chrono::steady_clock::now() + wait;
    const WaiterSlot slot(waiters_, settings_.max_waiters, wait.count() > 0);
    const bool counted = slot.held();
    for (;;) {
        std::uint64_t seen;
        {
            std::lock_guard lock(mutex_);
            seen = generation_;
        }
        auto v = QueueVersion();
        if (!v) return v.error();
        if (*v != version || !counted || app_.draining.load() || std::chrono::steady_clock::now() >= until) return v;
        Wait(seen, until);
    }
}

Result<int> ChatService::CloseIdle() {
    const std::int64_t now = core::UnixMillis(app_.clock->Now());
    auto rs =
        app_.db->Query("SELECT id FROM chat_sessions WHERE state <> 'closed' AND last_message_at_ms < ? LIMIT 200",
                       {now - settings_.idle_minutes * 60 * 1000});
    if (!rs) return rs.error();
    int closed = 0;
    for (const auto& row : rs->rows) {
        auto s = Load(row.Text(0));  // closes it
        if (s && s->dialog.state == ChatState::kClosed) ++closed;
    }
    // Old WeChat deliveries are kept a day: retries come within seconds.
    DANGAN_TRY(app_.db->Query("DELETE FROM wechat_deliveries WHERE created_at_ms < ?", {now - 24 * kHourMs}));
    return closed;
}

}  // namespace dangan::kb
