// The citizens' chat routes (docs/api-kb.md "Chat"): open a session, post, long-poll, close.
// Parsing and rendering only; the rules are in dialog.hpp and the storage in chat.cpp.

#include <spdlog/spdlog.h>

#include <cctype>
#include <charconv>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/periodic.hpp"
#include "core/text.hpp"
#include "http/app.hpp"
#include "kb/chat.hpp"
#include "kb/chat_views.hpp"

namespace dangan::kb {

namespace {

using nlohmann::json;

// The session named in the path, when the request carries its token.
Result<ChatSession> Authorised(ChatService& chat, const http::Request& req) {
    auto s = chat.Load(req.Param("id"));
    if (!s) return s.error();
    auto token = req.Header("x-chat-token");
    if (!token || !ChatService::TokenMatches(*s, *token)) {
        return MakeError(ErrorCode::kForbidden, "会话凭据无效", "X-Chat-Token", "chat_token_invalid");
    }
    return s;
}

http::Response CreateSession(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto body = req.body.empty() ? Result<json>(json::object()) : req.Json();
    if (!body) return Fail(body.error());
    if (!body->is_object())
        return Fail(MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "", "invalid_body"));
    std::string channel = req.Channel();
    if (body->contains("channel") && !(*body)["channel"].is_null()) {
        const json& c = (*body)["channel"];
        channel = c.is_string() ? c.get<std::string>() : std::string("?");
        if (channel != "web" && channel != "mobile" && channel != "kiosk") {
            return Fail(
                MakeError(ErrorCode::kInvalidArgument, "渠道应为 web、mobile 或 kiosk", "channel", "invalid_channel"));
        }
    } else if (channel != "mobile" && channel != "kiosk") {
        channel = "web";
    }
    auto branch = http::TextMember(*body, "branch_code", 64);
    if (!branch) return Fail(branch.error());
    for (char c : *branch) {
        if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
            return Fail(
                MakeError(ErrorCode::kInvalidArgument, "网点编码格式不正确", "branch_code", "invalid_branch_code"));
        }
    }
    std::optional<std::string> person;
    if (req.principal && req.principal->kind == http::Principal::Kind::kCitizen) person = req.principal->subject_id;
    auto created = chat->Create(channel, *branch, person, std::nullopt, req.remote_address);
    if (!created) return Fail(created.error());
    auto msgs = chat->Messages(created->first.id, 0);
    if (!msgs) return Fail(msgs.error());
    json view = SessionJson(created->first, *msgs);
    view["token"] = created->second;
    return Ok(view, 201);
}

http::Response GetSession(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = Authorised(*chat, req);
    if (!s) return Fail(s.error());
    auto msgs = chat->Messages(s->id, 0);
    if (!msgs) return Fail(msgs.error());
    return Ok(SessionJson(*s, *msgs));
}

http::Response PostMessage(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = Authorised(*chat, req);
    if (!s) return Fail(s.error());
    auto input = ParseCitizenInput(req);
    if (!input) return Fail(input.error());
    if (s->dialog.state == ChatState::kClosed) {
        return Fail(MakeError(ErrorCode::kConflict, "会话已结束", "id", "session_closed"));
    }
    auto posted = chat->Post(s->id, *input);
    if (!posted) return Fail(posted.error());
    return Ok(PostJson(*posted));
}

http::Response PollMessages(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = Authorised(*chat, req);
    if (!s) return Fail(s.error());
    return PollResponse(*chat, s->id, req);
}

http::Response CloseSession(http::App& app, http::Request& req) {
    auto chat = ChatOf(app);
    auto s = Authorised(*chat, req);
    if (!s) return Fail(s.error());
    auto closed = chat->Close(s->id, std::nullopt);
    if (!closed) return Fail(closed.error());
    auto msgs = chat->Messages(s->id, 0);
    if (!msgs) return Fail(msgs.error());
    return Ok(SessionJson(closed->session, *msgs));
}

}  // namespace

Result<DialogInput> ParseCitizenInput(const http::Request& req) {
    auto body = req.Json();
    if (!body) return body.error();
    if (!body->is_object()) return MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "", "invalid_body");
    if (body->contains("choice")) {
        const json& c = (*body)["choice"];
        if (c.is_null()) return DialogInput::Choice(std::nullopt);
        if (!c.is_string() || c.get<std::string>().empty() || c.get<std::string>().size() > 64) {
            return MakeError(ErrorCode::kInvalidArgument, "所选问题不可用，请重新选择", "choice", "invalid_choice");
        }
        return DialogInput::Choice(c.get<std::string>());
    }
    if (body->contains("action") && !(*body)["action"].is_null()) {
        const json& a = (*body)["action"];
        if (a.is_string() && a.get<std::string>() == "human") return DialogInput::Human();
        return MakeError(ErrorCode::kInvalidArgument, "action 只能为 human", "action", "invalid_action");
    }
    auto text = ValidMessageText(*body);
    if (!text) return text.error();
    return DialogInput::Text(*text);
}

Result<std::string> ValidMessageText(const json& body) {
    auto text = http::TextMember(body, "text", 64 * 1024);
    if (!text) {
        if (text.error().code == ErrorCode::kInvalidArgument && body.contains("text") && body["text"].is_string()) {
            return MakeError(ErrorCode::kInvalidArgument, "消息不能超过 300 个字", "text", "text_too_long");
        }
        return text.error();
    }
    const std::string trimmed(core::TrimSpaces(*text));
    std::string compact;
    for (char c : trimmed) {
        if (c != '\n' && c != '\r') compact += c;
    }
    if (core::TrimSpaces(compact).empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请输入消息内容", "text", "text_required");
    }
    if (core::CountCharacters(trimmed) > 300) {
        return MakeError(ErrorCode::kInvalidArgument, "消息不能超过 300 个字", "text", "text_too_long");
    }
    return trimmed;
}

Result<PollParams> ParsePoll(const http::Request& req) {
    PollParams p;
    for (auto [name, target, max] : {std::tuple{"after", &p.after, std::int64_t{1} << 50},
                                     std::tuple{"wait", &p.wait_seconds, std::int64_t{1} << 20}}) {
        auto v = req.QueryParam(name);
        if (!v || v->empty()) continue;
        std::int64_t n = 0;
        auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
        if (ec != std::errc() || ptr != v->data() + v->size() || n < 0 || n > max) {
            return MakeError(ErrorCode::kInvalidArgument, std::string("参数 ") + name + " 应为非负整数", name,
                             std::string("invalid_") + name);
        }
        *target = n;
    }
    p.wait = std::chrono::seconds(std::min<std::int64_t>(p.wait_seconds, 25));
    return p;
}

void RegisterChat(http::App& app) {
    using http::Method;
    auto chat = ChatOf(app);
    // The routes hold the service for the App's lifetime.
    app.router.Add(Method::kPost, "/api/v1/chat/sessions", http::Access::Public(),
                   [&app, chat](http::Request& r) { return CreateSession(app, r); });
    http::AddRoute(app, Method::kGet, "/api/v1/chat/sessions/:id", http::Access::Public(), GetSession);
    http::AddRoute(app, Method::kPost, "/api/v1/chat/sessions/:id/messages", http::Access::Public(), PostMessage);
    http::AddRoute(app, Method::kGet, "/api/v1/chat/sessions/:id/messages", http::Access::Public(), PollMessages);
    http::AddRoute(app, Method::kPost, "/api/v1/chat/sessions/:id/close", http::Access::Public(), CloseSession);
    RegisterSupport(app);

    if (app.background_jobs) {
        auto job = std::make_unique<core::Periodic>(std::chrono::seconds(60), [chat] {
            auto n = chat->CloseIdle();
            if (!n) spdlog::warn("chat: closing idle sessions failed: {}", n.error().message);
        });
        job->Start();
        app.jobs.push_back(std::move(job));
    }
}

}  // namespace dangan::kb
