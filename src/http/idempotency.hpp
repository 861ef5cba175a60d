#pragma once

// The Idempotency-Key header of creating requests (DESIGN.md, API conventions): a client that
// retries a POST with the same key gets the first result instead of a second resource. The key
// is remembered per sender and kind of resource in the table idempotency_keys, written in the
// same transaction as the resource, so a concurrent duplicate fails on the primary key and finds
// the winner's resource afterwards. The same key with a different body is refused (422).

#include <optional>
#include <string>

#include "core/result.hpp"
#include "db/database.hpp"
#include "http/message.hpp"

namespace dangan::http {

struct IdempotencyKey {
    std::string subject_id;    // who sent it: person or user id
    std::string scope;         // what it creates, e.g. "appointment"
    std::string key;           // the header's value
    std::string request_hash;  // SM3 of method, path and body, hex
};

// The request's key for `scope`, or nothing when it sent none (or has no principal). A key that
// is not 1–64 printable ASCII characters is a 400 naming the header.
Result<std::optional<IdempotencyKey>> IdempotencyKeyOf(const Request& request, std::string scope);

// The resource an earlier request with this key created; 422 idempotency_key_reused when that
// request had another body.
Result<std::optional<std::string>> FindIdempotent(db::Database& db, const IdempotencyKey& key);

// Remembers the key with the resource it created, in the creating transaction. A concurrent
// request with the same key makes one of the two transactions fail with unique_violation.
Status RememberIdempotent(db::Connection& conn, const IdempotencyKey& key, const std::string& resource_id,
                          std::int64_t now_ms);

}  // namespace dangan::http
