// GET/POST /wechat/callback (docs/api-kb.md "WeChat Official Account"): URL verification, and
// messages answered from the knowledge base through the chat dialog — one chat session per
// WeChat user (channel "wechat"), so "1"/"2" after a clarification choose. Answers that miss
// the reply budget go out later through the customer-service message API.

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <charconv>
#include <condition_variable>
#include <nlohmann/json.hpp>

#include "channels/register.hpp"
#include "channels/tts.hpp"
#include "channels/wechat_crypto.hpp"
#include "channels/wechat_gateway.hpp"
#include "channels/wechat_message.hpp"
#include "core/crypto.hpp"
#include "core/text.hpp"
#include "http/app.hpp"
#include "kb/chat.hpp"
#include "kb/index.hpp"

namespace dangan::channels {

namespace {

constexpr std::string_view kSuccess = "success";
constexpr std::size_t kMaxReplyBytes = 2000;  // WeChat's limit on a text message is 2048 bytes

constexpr std::string_view kWelcome =
    "欢迎关注！我是档案智能客服，您可以直接发送文字或语音提问，例如：\n"
    "· 没带身份证可以办理吗？\n· 我能把档案原件拿走吗？\n· 我的档案是否存在这里？\n"
    "需要人工服务时，请回复“人工”。";
constexpr std::string_view kSayAgain = "抱歉，没有听清您的语音，请再说一遍，或直接输入文字。";
constexpr std::string_view kTextOnly = "目前只能回答文字或语音提问，请直接输入您的问题。";
constexpr std::string_view kAskSomething = "请输入您想咨询的问题。";
constexpr std::string_view kNoAnswer = "抱歉，这个问题暂时没有答案，您可以回复“人工”转人工客服。";

// What to answer a message with: a passive reply XML, or nothing ("success"). `text` is the
// same answer as a customer-service message, for when the passive reply is too late.
struct Answer {
    std::string xml;   // empty: "success"
    std::string text;  // empty: nothing to send later
};

// What the handler thread and the worker share about one message.
struct Pending {
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    bool gave_up = false;  // the handler answered "success": the worker sends by the API
    bool failed = false;   // answering failed: 503, so that WeChat retries
    Answer answer;
};

class Wechat {
public:
    explicit Wechat(http::App& app)
        : app_(app),
          cfg_(app.config.wechat),
          chat_(kb::ChatOf(app)),
          cs_(MakeCustomerService(cfg_, *app.clock)),
          pool_(4) {
        if (!cfg_.encoding_aes_key.empty()) {
            auto key = WechatAesKey(cfg_.encoding_aes_key);
            if (key) aes_key_ = *key;
        }
    }
    ~Wechat() { pool_.join(); }

    http::Response Verify(http::Request& req);
    http::Response Receive(http::Request& req);
    // An agent's message from the staff console to a WeChat user.
    void SendFromAgent(const kb::ChatSession& s, const kb::ChatMessage& m);

private:
    Status CheckSignature(const http::Request& req);
    Answer Process(const WechatMessage& m);
    Answer Dialog(const WechatMessage& m, const kb::DialogInput& input);
    Answer Text(const WechatMessage& m, std::string_view text) const;
    http::Response Reply(const http::Request& req, bool safe, const std::string& reply);
    void Store(const std::string& key, const std::string& reply);
    void SendLater(const std::string& openid, const std::string& text);

    http::App& app_;
    core::Config::Wechat cfg_;
    std::shared_ptr<kb::ChatService> chat_;
    std::unique_ptr<CustomerServiceGateway> cs_;
    std::string aes_key_;
    asio::thread_pool pool_;
};

http::Response Fail(const Error& e) { return http::Response::FromError(e); }

Error Forbidden(const char* why, const char* reason) {
    return MakeError(ErrorCode::kForbidden, why, "signature", reason);
}

Error NotConfigured() { return MakeError(ErrorCode::kNotFound, "未启用微信公众号接入", "", "not_found"); }

std::string Param(const http::Request& req, std::string_view name) { return req.QueryParam(name).value_or(""); }

Status Wechat::CheckSignature(const http::Request& req) {
    const std::string timestamp = Param(req, "timestamp");
    const std::string nonce = Param(req, "nonce");
    const std::string expected = WechatSignature({cfg_.token, timestamp, nonce});
    if (!core::ConstantTimeEqual(expected, Param(req, "signature"))) {
        return Forbidden("微信签名校验失败", "wechat_signature_invalid");
    }
    std::int64_t ts = 0;
    auto [ptr, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), ts);
    const std::int64_t now = core::UnixMillis(app_.clock->Now()) / 1000;
    if (ec != std::errc() || ptr != timestamp.data() + timestamp.size() || ts < now - 300 || ts > now + 300) {
        return Forbidden("微信消息时间戳超出允许范围", "wechat_timestamp_invalid");
    }
    return Ok();
}

http::Response Wechat::Verify(http::Request& req) {
    if (cfg_.token.empty()) return Fail(NotConfigured());
    const std::string expected = WechatSignature({cfg_.token, Param(req, "timestamp"), Param(req, "nonce")});
    if (!core::ConstantTimeEqual(expected, Param(req, "signature"))) {
        return Fail(Forbidden("微信签名校验失败", "wechat_signature_invalid"));
    }
    return http::Response::Text(Param(req, "echostr"), "text/plain; charset=utf-8");
}

http::Response Wechat::Reply(const http::Request& req, bool safe, const std::string& reply) {
    if (reply.empty() || reply == kSuccess)
        return http::Response::Text(std::string(kSuccess), "text/plain; charset=utf-8");
    if (!safe) return http::Response::Text(reply, "application/xml; charset=utf-8");
    const std::string encrypt = WechatEncrypt(aes_key_, core::SecureRandom(16), reply, cfg_.app_id);
    const std::string timestamp = std::to_string(core::UnixMillis(app_.clock->Now()) / 1000);
    const std::string nonce = core::RandomDigits(9);
    (void)req;
    const std::string signature = WechatSignature({cfg_.token, timestamp, nonce, encrypt});
    return http::Response::Text(EncryptedReplyXml(encrypt, signature, timestamp, nonce),
                                "application/xml; charset=utf-8");
}

void Wechat::Store(const std::string& key, const std::string& reply) {
    auto rs = app_.db->Query("UPDATE wechat_deliveries SET reply = ? WHERE dedup_key = ?", {reply, key});
    if (!rs) spdlog::warn("wechat: storing a reply failed: {}", rs.error().message);
}

void Wechat::SendLater(const std::string& openid, const std::string& text) {
    if (text.empty()) return;
    if (!cs_) {
        spdlog::warn(
            "wechat: an answer missed the reply budget but no customer-service API is configured "
            "(wechat.app_id/app_secret or wechat.outbox_file)");
        return;
    }
    // Runs on the worker pool: nothing may escape (it would end the process).
    try {
        auto st = cs_->SendText(openid, FitBytes(text, kMaxReplyBytes));
        if (!st) spdlog::warn("wechat: customer-service message failed: {}", st.error().message);
    } catch (const std::exception& e) {
        spdlog::warn("wechat: customer-service message failed: {}", e.what());
    }
}

void Wechat::SendFromAgent(const kb::ChatSession& s, const kb::ChatMessage& m) {
    if (s.channel != "wechat" || !s.openid) return;
    const std::string openid = *s.openid;
    const std::string text = m.text;
    asio::post(pool_, [this, openid, text] { SendLater(openid, text); });
}

Answer Wechat::Text(const WechatMessage& m, std::string_view text) const {
    const std::string t = FitBytes(std::string(text), kMaxReplyBytes);
    return {TextReplyXml(m.from_user, m.to_user, core::UnixMillis(app_.clock->Now()) / 1000, t), t};
}

Answer Wechat::Dialog(const WechatMessage& m, const kb::DialogInput& input) {
    auto session = chat_->ForOpenid(m.from_user);
    if (!session) throw std::runtime_error(session.error().message);
    auto posted = chat_->Post(session->id, input);
    if (!posted && posted.error().reason == "session_closed") {  // closed meanwhile: a new one
        session = chat_->ForOpenid(m.from_user);
        if (!session) throw std::runtime_error(session.error().message);
        posted = chat_->Post(session->id, input);
    }
    if (!posted) {
        if (posted.error().reason == "invalid_choice") return Text(m, kNoAnswer);
        throw std::runtime_error(posted.error().message);
    }
    const kb::DialogOutcome& out = posted->outcome;
    const std::int64_t now = core::UnixMillis(app_.clock->Now()) / 1000;
    if (out.to_agent) {
        // Handed over: WeChat's own customer service takes waiting users; an agent who took the
        // session in the staff console answers through the customer-service API.
        if (posted->session.dialog.state == kb::ChatState::kWaiting) {
            return {TransferReplyXml(m.from_user, m.to_user, now), ""};
        }
        return {};
    }
    std::string text;
    for (const auto& r : out.replies) {
        if (r.kind == "handoff") return {TransferReplyXml(m.from_user, m.to_user, now), std::string(kb::kHandoffText)};
        if (!text.empty()) text += "\n";
        if (r.kind == "clarify") {
            text += "您是想问：";
            for (std::size_t i = 0; i < r.options.size(); ++i) {
                text += "\n" + std::to_string(i + 1) + ". " + r.options[i].question;
            }
            text += "\n请回复序号选择；都不是请回复“都不是”。";
        } else {
            text += r.text;
        }
    }
    if (text.empty()) return {};
    return Text(m, text);
}

Answer Wechat::Process(const WechatMessage& m) {
    if (m.msg_type == "text") {
        std::string t(core::TrimSpaces(m.content));
        if (t.empty()) return Text(m, kAskSomething);
        if (core::CountCharacters(t) > 300) t = FitBytes(t, 900);
        return Dialog(m, kb::DialogInput::Text(t));
    }
    if (m.msg_type == "voice") {
        std::string t(core::TrimSpaces(m.recognition));
        // WeChat's recognition ends sentences with "。"; the dialog ignores punctuation anyway.
        if (t.empty()) return Text(m, kSayAgain);
        if (core::CountCharacters(t) > 300) t = FitBytes(t, 900);
        return Dialog(m, kb::DialogInput::Text(t));
    }
    if (m.msg_type == "event") {
        if (m.event == "subscribe") return Text(m, kWelcome);
        if (m.event == "CLICK") {
            if (m.event_key == "HUMAN") return Dialog(m, kb::DialogInput::Human());
            if (m.event_key.starts_with("KB_")) return Dialog(m, kb::DialogInput::Choice(m.event_key.substr(3)));
        }
        return {};
    }
    return Text(m, kTextOnly);
}

http::Response Wechat::Receive(http::Request& req) {
    if (cfg_.token.empty()) return Fail(NotConfigured());
    auto sig = CheckSignature(req);
    if (!sig) return Fail(sig.error());
    const bool safe = Param(req, "encrypt_type") == "aes";
    // In plain mode WeChat's signature covers only token, timestamp and nonce, not the message: anyone
    // who saw one callback URL could post as any user for five minutes. With a key configured (safe or
    // compatible mode) only encrypted messages are taken.
    if (!safe && !aes_key_.empty()) {
        return Fail(Forbidden("已配置消息加解密密钥，只接受安全模式（加密）的消息", "wechat_plaintext_refused"));
    }
    std::string xml = req.body;
    if (safe) {
        if (aes_key_.empty()) {
            return Fail(MakeError(ErrorCode::kInvalidArgument, "未配置 wechat.encoding_aes_key，无法处理安全模式消息",
                                  "encrypt_type", "wechat_safe_mode_unavailable"));
        }
        auto encrypt = ExtractEncrypt(req.body);
        if (!encrypt) return Fail(encrypt.error());
        const std::string expected =
            WechatSignature({cfg_.token, Param(req, "timestamp"), Param(req, "nonce"), *encrypt});
        if (!core::ConstantTimeEqual(expected, Param(req, "msg_signature"))) {
            return Fail(Forbidden("微信消息签名校验失败", "wechat_signature_invalid"));
        }
        auto plain = WechatDecrypt(aes_key_, *encrypt);
        if (!plain) return Fail(plain.error());
        if (!core::ConstantTimeEqual(plain->app_id, cfg_.app_id)) {
            return Fail(MakeError(ErrorCode::kForbidden, "微信消息的 AppID 不符", "AppID", "wechat_appid_mismatch"));
        }
        xml = std::move(plain->xml);
    }
    auto parsed = ParseWechatMessage(xml);
    if (!parsed) return Fail(parsed.error());
    const WechatMessage m = std::move(*parsed);

    // De-duplication: the first delivery claims the key; a retry gets its reply.
    const std::string key = DedupKey(m);
    const std::int64_t now_ms = core::UnixMillis(app_.clock->Now());
    auto claimed = app_.db->Query(
        "INSERT INTO wechat_deliveries (dedup_key, reply, created_at_ms) VALUES (?, NULL, ?) "
        "ON CONFLICT (dedup_key) DO NOTHING",
        {key, now_ms});
    if (!claimed) return Fail(claimed.error());
    if (claimed->affected == 0) {
        auto prior = app_.db->Query("SELECT reply FROM wechat_deliveries WHERE dedup_key = ?", {key});
        if (!prior) return Fail(prior.error());
        const std::string reply = prior->empty() ? std::string() : prior->rows[0].OptText(0).value_or("");
        return Reply(req, safe, reply);
    }

    auto pending = std::make_shared<Pending>();
    pending->gave_up = cfg_.reply_budget_ms == 0;  // no budget: always by the customer-service API
    asio::post(pool_, [this, m, key, pending] {
        Answer answer;
        bool failed = false;
        try {
            answer = Process(m);
        } catch (const std::exception& e) {
            spdlog::warn("wechat: answering a message failed: {}", e.what());
            failed = true;
        }
        bool gave_up = false;
        {
            // The reply is stored before the handler sends it, so that a retry finds it.
            std::lock_guard lock(pending->mutex);
            gave_up = pending->gave_up;
            if (failed) {
                // Let WeChat's retry try again.
                auto rs = app_.db->Query("DELETE FROM wechat_deliveries WHERE dedup_key = ?", {key});
                (void)rs;
            } else if (!gave_up) {
                Store(key, answer.xml.empty() ? std::string(kSuccess) : answer.xml);
            }
            pending->done = true;
            pending->failed = failed;
            pending->answer = answer;
        }
        pending->cv.notify_all();
        if (gave_up && !failed) {
            Store(key, std::string(kSuccess));
            SendLater(m.from_user, answer.text);
        }
    });
    std::unique_lock lock(pending->mutex);
    pending->cv.wait_for(lock, std::chrono::milliseconds(cfg_.reply_budget_ms), [&] { return pending->done; });
    if (!pending->done || pending->gave_up) {
        pending->gave_up = true;
        return Reply(req, safe, std::string(kSuccess));
    }
    if (pending->failed) return Fail(MakeError(ErrorCode::kUnavailable, "暂时无法处理，请稍后重试", "", "unavailable"));
    return Reply(req, safe, pending->answer.xml);
}

}  // namespace

void Register(http::App& app) {
    RegisterTts(app);
    auto wechat = std::make_shared<Wechat>(app);
    app.router.Add(http::Method::kGet, "/wechat/callback", http::Access::Public(),
                   [wechat](http::Request& r) { return wechat->Verify(r); });
    app.router.Add(http::Method::kPost, "/wechat/callback", http::Access::Public(),
                   [wechat](http::Request& r) { return wechat->Receive(r); });
    if (!app.config.wechat.token.empty()) {
        std::weak_ptr<Wechat> weak = wechat;
        kb::ChatOf(app)->on_agent_message = [weak](const kb::ChatSession& s, const kb::ChatMessage& msg) {
            if (auto w = weak.lock()) w->SendFromAgent(s, msg);
        };
    }
}

}  // namespace dangan::channels
