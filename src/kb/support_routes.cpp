// The 在线客服 routes (docs/api-kb.md): the agents' queue with its long poll, taking a
// session, replying and closing. Taking, replying and closing are audited.

#include <nlohmann/json.hpp>

#include "archives/persons.hpp"
#include "audit/register.hpp"
#include "http/app.hpp"
#include "identity/guard.hpp"
#include "kb/chat.hpp"
#include "kb/chat_views.hpp"

namespace dangan::kb {

namespace {

using nlohmann::json;

http::Access AgentAccess() { return http::Access::Roles({"callback_agent", "window_clerk", "branch_admin"}); }

const std::string& AgentId(const http::Request& req) { return req.principal->subject_id; }

std::string AgentName(const http::Request& req) {
    return req.principal->display_name.empty() ? std::string("客服") : req.principal->display_name;
}

json PersonJson(http::App& app, const std::optional<std::string>& person_id) {
    if (!person_id) return nullptr;
    auto p = archives::FindPersonById(*app.db, app.keyring, *person_id);
    if (!p || !*p) return nullptr;
    return {{"name", identity::MaskName((*p)->name)}};
}

json SupportSessionJson(http::App& app, const ChatSession& s, const std::vector<ChatMessage>& msgs) {
    json view = SessionJson(s, msgs);
    view["person"] = PersonJson(app, s.person_id);
    view["branch_code"] = s.branch_code;
    view["mine"] = nullptr;
    return view;
}

Status Audit(http::App& app, const http::Request& req, const char* action, const ChatSession& s) {
    audit::Entry e = audit::EntryFor(req, action);
    e.target = "chat:" + s.id;
    e.subject_person_id = s.person_id.value_or("");
    e.detail_json = json{{"channel", s.channel}}.dump();
    return audit::Record(app, std::move(e));
}

http::Response GetQueue(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    std::optional<std::int64_t> version;
    std::int64_t wait = 0;
    for (auto [name, target] : {std::pair{"version", 0}, {"wait", 1}}) {
        auto v = req.QueryParam(name);
        if (!v || v->empty()) continue;
        try {
            std::size_t used = 0;
            const long long n = std::stoll(*v, &used);
            if (used != v->size() || n < 0) throw std::invalid_argument(name);
            if (target == 0)
                version = n;
            else
                wait = n;
        } catch (const std::exception&) {
            return Fail(MakeError(ErrorCode::kInvalidArgument, std::string("参数 ") + name + " 应为非负整数", name,
                                  std::string("invalid_") + name));
        }
    }
    Result<std::int64_t> current = std::int64_t{0};
    if (version) {
        current = chat->WaitQueue(*version, std::chrono::seconds(std::min<std::int64_t>(wait, 25)));
    } else {
        current = chat->QueueVersion();
    }
    if (!current) return Fail(current.error());
    auto queue = chat->Queue();
    if (!queue) return Fail(queue.error());
    const std::int64_t now = core::UnixMillis(app.clock->Now());
    json waiting = json::array(), mine = json::array(), others = json::array();
    for (const auto& item : *queue) {
        const ChatSession& s = item.session;
        const std::int64_t since = s.waiting_since_ms.value_or(s.created_at_ms);
        json row = {{"id", s.id},
                    {"channel", s.channel},
                    {"state", std::string(ChatStateName(s.dialog.state))},
                    {"since", IsoMillis(since)},
                    {"waited_seconds", std::max<std::int64_t>(0, (now - since) / 1000)},
                    {"last_text", item.last_text},
                    {"last_message_at", IsoMillis(s.last_message_at_ms)},
                    {"person", PersonJson(app, s.person_id)}};
        if (s.dialog.state == ChatState::kWaiting) {
            waiting.push_back(std::move(row));
        } else if (s.agent_user_id == AgentId(req)) {
            row["agent"] = s.agent_name.value_or("");
            mine.push_back(std::move(row));
        } else {
            row["agent"] = s.agent_name.value_or("");
            others.push_back(std::move(row));
        }
    }
    return Ok({{"version", *current}, {"waiting", waiting}, {"mine", mine}, {"others", others}});
}

http::Response Take(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto taken = chat->Take(req.Param("id"), AgentId(req), AgentName(req));
    if (!taken) {
        http::Response r = Fail(taken.error());
        if (taken.error().reason == "already_taken") {
            auto s = chat->Load(req.Param("id"));
            json body = json::parse(r.body, nullptr, false);
            if (s && body.is_object()) {
                body["error"]["agent"] = s->agent_name.value_or("");
                r.body = body.dump();
            }
        }
        return r;
    }
    auto st = Audit(app, req, "support.take", taken->session);
    if (!st) return Fail(st.error());
    auto msgs = chat->Messages(taken->session.id, 0);
    if (!msgs) return Fail(msgs.error());
    return Ok(SupportSessionJson(app, taken->session, *msgs));
}

http::Response GetSession(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = chat->Load(req.Param("id"));
    if (!s) return Fail(s.error());
    auto msgs = chat->Messages(s->id, 0);
    if (!msgs) return Fail(msgs.error());
    json view = SupportSessionJson(app, *s, *msgs);
    view["mine"] = s->agent_user_id == AgentId(req);
    return Ok(view);
}

http::Response Poll(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = chat->Load(req.Param("id"));
    if (!s) return Fail(s.error());
    return PollResponse(*chat, s->id, req);
}

http::Response Reply(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto body = req.Json();
    if (!body) return Fail(body.error());
    auto text = ValidMessageText(*body);
    if (!text) return Fail(text.error());
    auto posted = chat->AgentReply(req.Param("id"), AgentId(req), *text);
    if (!posted) return Fail(posted.error());
    auto st = Audit(app, req, "support.reply", posted->session);
    if (!st) return Fail(st.error());
    return Ok(PostJson(*posted));
}

http::Response Close(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto closed = chat->Close(req.Param("id"), AgentId(req));
    if (!closed) return Fail(closed.error());
    auto st = Audit(app, req, "support.close", closed->session);
    if (!st) return Fail(st.error());
    auto msgs = chat->Messages(closed->session.id, 0);
    if (!msgs) return Fail(msgs.error());
    return Ok(SupportSessionJson(app, closed->session, *msgs));
}

}  // namespace

void RegisterSupport(http::App& app) {
    using http::Method;
    http::AddRoute(app, Method::kGet, "/api/v1/support/queue", AgentAccess(), GetQueue);
    http::AddRoute(app, Method::kPost, "/api/v1/support/sessions/:id/take", AgentAccess(), Take);
    http::AddRoute(app, Method::kGet, "/api/v1/support/sessions/:id", AgentAccess(), GetSession);
    http::AddRoute(app, Method::kGet, "/api/v1/support/sessions/:id/messages", AgentAccess(), Poll);
    http::AddRoute(app, Method::kPost, "/api/v1/support/sessions/:id/messages", AgentAccess(), Reply);
    http::AddRoute(app, Method::kPost, "/api/v1/support/sessions/:id/close", AgentAccess(), Close);
}

}  // namespace dangan::kb
