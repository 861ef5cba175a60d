#pragma once

// Outgoing messages (SMS now; WeChat and the in-app inbox later) are rows in an outbox
// table. Enqueue() writes the row inside the caller's transaction, so a message exists iff
// the business change that caused it committed; a background Sender delivers due rows
// through the configured gateway with retries and backoff, tracking queued → sent | failed.
// A gateway fault never loses a message: the row stays until it is sent or has used up
// notify.max_attempts.

#include <string>

#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::notify {

struct Message {
    std::string channel = "sms";
    std::string recipient;    // full mobile number; stored sealed, shown masked
    std::string text;         // the Chinese text as sent
    std::string template_id;  // e.g. "otp", "appointment.ready" — for statistics
};

// Queues `message` in the caller's transaction. Returns the outbox row id.
Result<std::string> Enqueue(db::Connection& conn, const core::Keyring& keys, const core::Clock& clock,
                            const Message& message);

}  // namespace dangan::notify
