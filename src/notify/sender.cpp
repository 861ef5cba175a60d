#include "notify/sender.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <vector>

#include "core/crypto.hpp"
#include "notify/outbox_internal.hpp"

namespace dangan::notify {

namespace {

// Claims whose lease ran out go back to the queue, counting an attempt: the node that held
// the claim stopped mid-send, so the message may have gone out or not, and a message that
// keeps bringing senders down must end as 'failed' too.
constexpr std::string_view kReclaimExpired =
    "UPDATE outbox SET state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'queued' END, "
    "attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ?, lease_until_ms = 0 "
    "WHERE channel = ? AND state = 'sending' AND lease_until_ms < ?";

constexpr std::string_view kSelectDue =
    "SELECT id FROM outbox WHERE channel = ? AND state = 'queued' AND next_attempt_at_ms <= ? "
    "ORDER BY next_attempt_at_ms, id LIMIT ?";

// The claim: only the node whose UPDATE changes the row sends the message.
constexpr std::string_view kClaim =
    "UPDATE outbox SET state = 'sending', lease_until_ms = ? "
    "WHERE id = ? AND state = 'queued' AND next_attempt_at_ms <= ? "
    "RETURNING recipient_sealed, recipient_masked, text, attempts";

// Whatever happened to the claim meanwhile, the message did go out: record it (once).
constexpr std::string_view kMarkSent =
    "UPDATE outbox SET state = 'sent', sent_at_ms = ?, lease_until_ms = 0 WHERE id = ? AND state <> 'sent'";

// Only while the claim is still ours; the lease end is the claim's token.
constexpr std::string_view kMarkFailed =
    "UPDATE outbox SET state = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'queued' END, "
    "attempts = attempts + 1, last_error = ?, next_attempt_at_ms = ?, lease_until_ms = 0 "
    "WHERE id = ? AND state = 'sending' AND lease_until_ms = ?";

constexpr std::string_view kLeaseExpiredError = "发送中断（租约到期，发送节点可能已停止），已重新排队";

}  // namespace

struct Sender::Claimed {
    std::string id;
    std::string recipient_sealed;
    std::string recipient_masked;
    std::string text;
    std::int64_t attempts = 0;
    std::int64_t lease_until_ms = 0;
};

std::chrono::milliseconds BackoffDelay(std::int64_t failures) {
    std::chrono::milliseconds delay = kBackoffBase;
    for (std::int64_t i = 1; i < failures && delay < kBackoffCap; ++i) delay *= 2;
    return std::min(delay, kBackoffCap);
}

Sender::Sender(db::Database& db, const core::Keyring& keys, const core::Clock& clock, std::unique_ptr<Gateway> gateway,
               SenderOptions options)
    : db_(db), keys_(keys), clock_(clock), gateway_(std::move(gateway)), options_(options) {}

Sender::~Sender() { Stop(); }

void Sender::Start() {
    std::lock_guard guard(start_stop_);
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || thread_.joinable()) return;
    }
    thread_ = std::thread(&Sender::Loop, this);
}

void Sender::Stop() {
    std::lock_guard guard(start_stop_);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Sender::Wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void Sender::Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        woken_ = false;
        lock.unlock();
        auto handled = Round(true);
        if (!handled) spdlog::warn("sms sender: {}", handled.error().message);
        lock.lock();
        wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_ || woken_; });
    }
}

Result<int> Sender::RunOnce() { return Round(false); }

Result<int> Sender::Round(bool from_thread) {
    const std::int64_t now_ms = ToMillis(clock_.Now());
    DANGAN_TRY(Reclaim(now_ms));
    int handled = 0;
    for (;;) {
        auto due = db_.Query(kSelectDue, {std::string(kSmsChannel), now_ms, std::int64_t{options_.batch_size}});
        if (!due) return due.error();
        for (const auto& row : due->rows) {
            if (from_thread) {
                std::lock_guard lock(mutex_);
                if (stopping_) return handled;
            }
            Claimed message;
            message.id = row.Text(0);
            message.lease_until_ms = now_ms + options_.lease.count();
            auto claimed = db_.Query(kClaim, {message.lease_until_ms, message.id, now_ms});
            if (!claimed) return claimed.error();
            if (claimed->rows.size() != 1) continue;  // another sender took it
            const db::Row& r = claimed->rows.front();
            message.recipient_sealed = r.Blob(0).data;
            message.recipient_masked = r.Text(1);
            message.text = r.Text(2);
            message.attempts = r.Int(3);
            DANGAN_TRY(Deliver(message));
            ++handled;
        }
        // A full batch may hide more due messages; the ones just handled are no longer due.
        if (due->rows.size() < static_cast<std::size_t>(options_.batch_size)) return handled;
    }
}

Status Sender::Reclaim(std::int64_t now_ms) {
    auto reclaimed = db_.Query(kReclaimExpired, {options_.max_attempts, std::string(kLeaseExpiredError), now_ms,
                                                 std::string(kSmsChannel), now_ms});
    if (!reclaimed) return reclaimed.error();
    if (reclaimed->affected > 0) {
        spdlog::warn("sms sender: {} message(s) whose sending was interrupted are queued again", reclaimed->affected);
    }
    return Ok();
}

Status Sender::Deliver(const Claimed& message) {
    Status sent = Ok();
    auto recipient = core::Open(keys_.seal_key, message.recipient_sealed, kRecipientAssociatedData);
    if (!recipient) {
        sent = MakeError(ErrorCode::kInternal, "无法解密收件人号码（密钥是否已更换？）");
    } else {
        try {
            sent = gateway_->Send(*recipient, message.text);
        } catch (const std::exception& e) {
            sent = MakeError(ErrorCode::kInternal, std::string("短信网关异常：") + e.what());
        }
    }
    const std::int64_t now_ms = ToMillis(clock_.Now());
    if (sent) {
        auto marked = db_.Query(kMarkSent, {now_ms, message.id});
        if (!marked) return marked.error();
        return Ok();
    }
    const std::int64_t failures = message.attempts + 1;
    const std::int64_t next_ms = now_ms + BackoffDelay(failures).count();
    auto marked = db_.Query(kMarkFailed,
                            {options_.max_attempts, sent.error().message, next_ms, message.id, message.lease_until_ms});
    if (!marked) return marked.error();
    if (failures >= options_.max_attempts) {
        spdlog::error("sms {} to {} failed for good after {} attempts: {}", message.id, message.recipient_masked,
                      failures, sent.error().message);
    } else {
        spdlog::warn("sms {} to {} failed (attempt {} of {}), next try in {} s: {}", message.id,
                     message.recipient_masked, failures, options_.max_attempts, BackoffDelay(failures).count() / 1000,
                     sent.error().message);
    }
    return Ok();
}

}  // namespace dangan::notify
