#pragma once

// WeChat Official Account messages (公众号消息) as XML: parsing what WeChat posts and building the
// passive replies, with pugixml. Pure functions, tested in wechat_test.cpp.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::channels {

struct WechatMessage {
    std::string to_user;    // the Official Account (gh_…)
    std::string from_user;  // the user's openid
    std::int64_t create_time = 0;
    std::string msg_type;     // text, voice, event, image…
    std::string content;      // text
    std::string msg_id;       // messages (not events)
    std::string recognition;  // voice: WeChat's speech recognition
    std::string event;        // event: subscribe, unsubscribe, CLICK, VIEW…
    std::string event_key;
};

// Parses a message; fails (400, reason "invalid_wechat_message") when it is not such XML.
Result<WechatMessage> ParseWechatMessage(std::string_view xml);

// The <Encrypt> of a safe-mode body; fails (400, "invalid_wechat_message") when absent.
Result<std::string> ExtractEncrypt(std::string_view xml);

// The de-duplication key: "msg:<MsgId>", or "event:<FromUserName>:<CreateTime>" for events.
std::string DedupKey(const WechatMessage& m);

// Passive replies (to = the user, from = the account).
std::string TextReplyXml(const std::string& to, const std::string& from, std::int64_t create_time,
                         const std::string& content);
std::string TransferReplyXml(const std::string& to, const std::string& from, std::int64_t create_time);
std::string EncryptedReplyXml(const std::string& encrypt, const std::string& signature, const std::string& timestamp,
                              const std::string& nonce);

// `text` cut at a character boundary to at most `max_bytes` bytes, "…" appended when cut.
std::string FitBytes(const std::string& text, std::size_t max_bytes);

}  // namespace dangan::channels
