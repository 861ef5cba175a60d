#pragma once

// The hash chain of the audit log: one stored row, its canonical bytes (format version 1,
// documented in README.md), the chain hash, and the SQL that appends rows and reads them
// back in chain order. Plain functions over values; the writer (group_commit_log) and the
// verifier (verify) both use them, so the two can never disagree on the encoding.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/audit_log.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::audit {

inline constexpr std::uint8_t kCanonicalVersion = 1;
// prev_hash of the first row: 32 zero bytes, in hex.
inline constexpr std::string_view kGenesisHashHex = "0000000000000000000000000000000000000000000000000000000000000000";
// Longest text field kept (bytes, cut at a character boundary); detail_json excepted.
inline constexpr std::size_t kMaxFieldBytes = 1024;
inline constexpr std::size_t kMaxDetailBytes = 8192;

// A row of audit_log as stored.
struct StoredRow {
    std::int64_t seq = 0;
    std::string id;
    std::int64_t at_ms = 0;
    Entry entry;
    std::string prev_hash;  // hex
    std::string hash;       // hex
};

// Version 1: 0x01 ‖ u64be(seq) ‖ u64be(at_ms) ‖ for each of id, actor_kind, actor_id, action,
// subject_person_id, target, purpose, channel, address, request_id, detail_json:
// u32be(byte length) ‖ UTF-8 bytes.
std::string CanonicalBytes(const StoredRow& row);

// SM3(prev_hash raw bytes ‖ CanonicalBytes(row)) as lower-case hex. A prev_hash that is not
// 64 hex digits is hashed as the raw text, so a damaged prev_hash never matches.
std::string ChainHash(const StoredRow& row);

// Makes `entry` storable: every field valid UTF-8 without NUL (ill-formed bytes and NUL
// become U+FFFD), text fields cut to kMaxFieldBytes. Fails (kInvalidArgument) when action is
// empty or detail_json is longer than kMaxDetailBytes — both are caller bugs.
Result<Entry> Sanitize(Entry entry);

// The last (seq, hash) of the chain, read on `conn`: {0, genesis} when the log is empty.
struct ChainHead {
    std::int64_t seq = 0;
    std::string hash{kGenesisHashHex};
};
Result<ChainHead> ReadHead(db::Connection& conn);

// Inserts `rows` (already chained) on `conn` with as few statements as their count allows.
Status InsertRows(db::Connection& conn, const std::vector<StoredRow>& rows);

// The column list every reader of whole rows selects, in the order RowFrom reads it.
inline constexpr std::string_view kRowColumns =
    "seq, id, at_ms, actor_kind, actor_id, action, subject_person_id, target, purpose, channel, address, "
    "request_id, detail_json, prev_hash, hash";
inline constexpr std::size_t kRowColumnCount = 15;
// A row of a result set whose first kRowColumnCount columns are kRowColumns.
StoredRow RowFrom(const db::Row& row);

}  // namespace dangan::audit
