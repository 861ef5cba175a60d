#pragma once

// Verification of the audit log's hash chain: walks the rows in seq order, a page at a time,
// and reports the first row whose link is broken. What it catches: an edited field (the
// row's hash no longer matches), a changed or truncated hash (the same, or the next row's
// prev_hash no longer matches), a deleted row (a gap in seq, or a prev_hash mismatch) and
// reordered or swapped rows (seq is part of the hashed bytes). What no chain catches on its
// own: removal of the newest rows — compare head_hash with a copy kept elsewhere for that.

#include <cstdint>
#include <string>

#include "audit/chain.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::audit {

struct VerifyResult {
    bool ok = true;
    std::int64_t rows = 0;              // rows in the log
    std::int64_t first_broken_seq = 0;  // 0 when ok
    std::string reason;                 // "" | "seq_gap" | "prev_hash_mismatch" | "hash_mismatch"
    std::string message;                // for people, in Chinese; "" when ok
    std::int64_t broken_at_ms = 0;      // at_ms and action of the first broken row
    std::string broken_action;
    std::string head_hash;  // hash of the newest row (the genesis hash when empty)
};

// Where the walk stands: the last row checked.
struct ChainPosition {
    std::int64_t seq = 0;
    std::string hash{kGenesisHashHex};
};

// Checks `row` as the successor of `previous`. Returns the break (ok=false, with reason,
// message, seq, at and action filled) or ok.
VerifyResult CheckLink(const ChainPosition& previous, const StoredRow& row);

// Walks the whole chain, `page_size` rows per query. Errors only when the database fails.
Result<VerifyResult> Verify(db::Database& db, std::int64_t page_size = 1000);

}  // namespace dangan::audit
