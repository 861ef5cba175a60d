#include "audit/verify.hpp"

#include <fmt/format.h>

namespace dangan::audit {
namespace {

const std::string kPageSql = "SELECT " + std::string(kRowColumns) +
                             " FROM audit_log WHERE seq > CAST(? AS BIGINT) ORDER BY seq LIMIT CAST(? AS BIGINT)";
constexpr std::string_view kCount = "SELECT COUNT(*) FROM audit_log";

VerifyResult Broken(const StoredRow& row, std::string reason, std::string message) {
    VerifyResult r;
    r.ok = false;
    r.first_broken_seq = row.seq;
    r.reason = std::move(reason);
    r.message = std::move(message);
    r.broken_at_ms = row.at_ms;
    r.broken_action = row.entry.action;
    return r;
}

}  // namespace

VerifyResult CheckLink(const ChainPosition& previous, const StoredRow& row) {
    const std::int64_t expected = previous.seq + 1;
    if (row.seq != expected) {
        std::string missing = row.seq == expected + 1 ? fmt::format("第 {} 条记录缺失", expected)
                                                      : fmt::format("第 {}–{} 条记录缺失", expected, row.seq - 1);
        return Broken(row, "seq_gap", fmt::format("{}（其后是第 {} 条），记录被删除或序号被改动", missing, row.seq));
    }
    if (row.prev_hash != previous.hash) {
        return Broken(row, "prev_hash_mismatch",
                      fmt::format("第 {} 条记录与前一条的链接不符，记录被删除、调换或改动", row.seq));
    }
    if (row.hash != ChainHash(row)) {
        return Broken(row, "hash_mismatch", fmt::format("第 {} 条记录的内容与其哈希不符，记录被改动", row.seq));
    }
    return VerifyResult{};
}

Result<VerifyResult> Verify(db::Database& db, std::int64_t page_size) {
    if (page_size < 1) page_size = 1;
    ChainPosition position;
    std::int64_t checked = 0;
    for (;;) {
        auto page = db.Query(kPageSql, {position.seq, page_size});
        if (!page) return page.error();
        for (const db::Row& raw : page->rows) {
            StoredRow row = RowFrom(raw);
            VerifyResult link = CheckLink(position, row);
            if (!link.ok) {
                auto count = db.Query(kCount);
                if (!count) return count.error();
                link.rows = count->rows.at(0).Int(0);
                return link;
            }
            position.seq = row.seq;
            position.hash = std::move(row.hash);
            ++checked;
        }
        if (static_cast<std::int64_t>(page->rows.size()) < page_size) break;
    }
    VerifyResult result;
    result.rows = checked;
    result.head_hash = position.hash;
    return result;
}

}  // namespace dangan::audit
