#include "notify/outbox.hpp"

#include <chrono>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/validators.hpp"
#include "notify/outbox_internal.hpp"

namespace dangan::notify {

namespace {

constexpr std::string_view kInsertMessage =
    "INSERT INTO outbox (id, channel, recipient_sealed, recipient_masked, text, template_id, state, attempts, "
    "next_attempt_at_ms, lease_until_ms, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, 0, ?)";

// An SMS is at most a few segments; anything longer is a caller's bug, refused rather than billed.
constexpr std::size_t kMaxTextBytes = 2000;

}  // namespace

std::int64_t ToMillis(core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Result<std::string> Enqueue(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                            const Message& message) {
    if (message.channel != kSmsChannel) {
        return MakeError(ErrorCode::kInternal, "不支持的消息渠道：" + message.channel, "channel",
                         "unsupported_channel");
    }
    auto mobile = core::ValidateMobile(message.recipient);
    if (!mobile) return mobile.error();
    if (message.text.empty() || message.text.size() > kMaxTextBytes) {
        return MakeError(ErrorCode::kInternal, "短信内容为空或过长", "text", "invalid_message_text");
    }
    auto sealed = core::Seal(keys.seal_key, *mobile, kRecipientAssociatedData);
    if (!sealed) return sealed.error();
    const std::string id = core::NewId(clock);
    const std::int64_t now_ms = ToMillis(clock.Now());
    auto inserted =
        conn.Query(kInsertMessage, {id, message.channel, db::Bytes{std::move(*sealed)}, core::MaskMobile(*mobile),
                                    message.text, message.template_id, now_ms, now_ms});
    if (!inserted) return inserted.error();
    return id;
}

}  // namespace dangan::notify
