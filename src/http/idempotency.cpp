#include "http/idempotency.hpp"

#include <algorithm>

#include "core/crypto.hpp"

namespace dangan::http {

namespace {
constexpr std::size_t kMaxKeyBytes = 64;
}

Result<std::optional<IdempotencyKey>> IdempotencyKeyOf(const Request& request, std::string scope) {
    auto header = request.Header("idempotency-key");
    if (!header || !request.principal) return std::optional<IdempotencyKey>{};
    const std::string_view key = *header;
    const bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
    if (key.empty() || key.size() > kMaxKeyBytes || !printable) {
        return MakeError(ErrorCode::kInvalidArgument, "Idempotency-Key 应为 1 至 64 个可见 ASCII 字符",
                         "Idempotency-Key", "invalid_idempotency_key");
    }
    std::string what = std::string(MethodName(request.method)) + ' ' + request.path + '\n' + request.body;
    return std::optional<IdempotencyKey>(IdempotencyKey{request.principal->subject_id, std::move(scope),
                                                        std::string(key), core::HexEncode(core::Sm3(what))});
}

Result<std::optional<std::string>> FindIdempotent(db::Database& db, const IdempotencyKey& key) {
    auto found = db.Query(
        "SELECT request_hash, resource_id FROM idempotency_keys WHERE subject_id = ? AND scope = ? AND idem_key = ?",
        {key.subject_id, key.scope, key.key});
    if (!found) return found.error();
    if (found->empty()) return std::optional<std::string>{};
    const db::Row& row = found->rows.front();
    if (row.Text(0) != key.request_hash) {
        return MakeError(ErrorCode::kUnprocessable, "这个 Idempotency-Key 已用于另一个不同内容的请求，请换一个",
                         "Idempotency-Key", "idempotency_key_reused");
    }
    return std::optional<std::string>(row.Text(1));
}

Status RememberIdempotent(db::Connection& conn, const IdempotencyKey& key, const std::string& resource_id,
                          std::int64_t now_ms) {
    auto saved = conn.Query(
        "INSERT INTO idempotency_keys (subject_id, scope, idem_key, request_hash, resource_id, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        {key.subject_id, key.scope, key.key, key.request_hash, resource_id, now_ms});
    if (!saved) return saved.error();
    return Ok();
}

}  // namespace dangan::http
