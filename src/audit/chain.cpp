#include "audit/chain.hpp"

#include <algorithm>
#include <array>

#include "core/crypto.hpp"

namespace dangan::audit {
namespace {

constexpr std::string_view kReadHead = "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1";
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
// Rows per INSERT statement: powers of two up to 64, so a connection caches at most seven
// statements however the batches fall.
constexpr std::size_t kMaxRowsPerInsert = 64;

void AppendU32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendU64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void AppendField(std::string& out, std::string_view field) {
    AppendU32(out, static_cast<std::uint32_t>(field.size()));
    out.append(field);
}

// Length of the well-formed UTF-8 character at the start of `s` (Unicode table 3-7), 0 when
// it is ill-formed or NUL.
std::size_t CharLength(std::string_view s) {
    const auto c = static_cast<unsigned char>(s[0]);
    if (c == 0) return 0;
    if (c < 0x80) return 1;
    std::size_t len = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (s.size() < len) return 0;
    const auto c1 = static_cast<unsigned char>(s[1]);
    if (c1 < lo || c1 > hi) return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if ((static_cast<unsigned char>(s[k]) & 0xC0) != 0x80) return 0;
    }
    return len;
}

std::string CleanText(std::string_view in, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(in.size(), max_bytes));
    std::size_t i = 0;
    while (i < in.size()) {
        const std::size_t len = CharLength(in.substr(i));
        const std::string_view piece = len > 0 ? in.substr(i, len) : kReplacement;
        if (out.size() + piece.size() > max_bytes) break;
        out.append(piece);
        i += len > 0 ? len : 1;
    }
    return out;
}

// The INSERT of 2^k rows.
const std::string& InsertSql(std::size_t k) {
    static const std::array<std::string, 7> kSql = [] {
        std::array<std::string, 7> sql;
        std::string one = "(";
        for (std::size_t c = 0; c < kRowColumnCount; ++c) one += c == 0 ? "?" : ", ?";
        one += ")";
        for (std::size_t k = 0; k < sql.size(); ++k) {
            std::string s = "INSERT INTO audit_log (" + std::string(kRowColumns) + ") VALUES ";
            for (std::size_t r = 0; r < (std::size_t{1} << k); ++r) s += (r == 0 ? "" : ", ") + one;
            sql[k] = std::move(s);
        }
        return sql;
    }();
    return kSql.at(k);
}

void AppendParams(db::Params& params, const StoredRow& row) {
    const Entry& e = row.entry;
    params.insert(params.end(),
                  {row.seq, row.id, row.at_ms, e.actor_kind, e.actor_id, e.action, e.subject_person_id, e.target,
                   e.purpose, e.channel, e.address, e.request_id, e.detail_json, row.prev_hash, row.hash});
}

}  // namespace

std::string CanonicalBytes(const StoredRow& row) {
    const Entry& e = row.entry;
    std::string out;
    out.reserve(1 + 16 + 11 * 4 + row.id.size() + e.actor_kind.size() + e.actor_id.size() + e.action.size() +
                e.subject_person_id.size() + e.target.size() + e.purpose.size() + e.channel.size() + e.address.size() +
                e.request_id.size() + e.detail_json.size());
    out.push_back(static_cast<char>(kCanonicalVersion));
    AppendU64(out, static_cast<std::uint64_t>(row.seq));
    AppendU64(out, static_cast<std::uint64_t>(row.at_ms));
    for (std::string_view field :
         {std::string_view(row.id), std::string_view(e.actor_kind), std::string_view(e.actor_id),
          std::string_view(e.action), std::string_view(e.subject_person_id), std::string_view(e.target),
          std::string_view(e.purpose), std::string_view(e.channel), std::string_view(e.address),
          std::string_view(e.request_id), std::string_view(e.detail_json)}) {
        AppendField(out, field);
    }
    return out;
}

std::string ChainHash(const StoredRow& row) {
    auto prev = core::HexDecode(row.prev_hash);
    std::string input = prev.ok() && prev->size() == core::kSm3DigestSize ? *prev : row.prev_hash;
    input += CanonicalBytes(row);
    return core::Sm3Hex(input);
}

Result<Entry> Sanitize(Entry entry) {
    if (entry.action.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "审计记录缺少操作名称", "action", "invalid_audit_entry");
    }
    if (entry.detail_json.size() > kMaxDetailBytes) {
        return MakeError(ErrorCode::kInvalidArgument, "审计记录的附加信息过长", "detail_json", "invalid_audit_entry");
    }
    for (std::string* field : {&entry.actor_kind, &entry.actor_id, &entry.action, &entry.subject_person_id,
                               &entry.target, &entry.purpose, &entry.channel, &entry.address, &entry.request_id}) {
        *field = CleanText(*field, kMaxFieldBytes);
    }
    entry.detail_json = CleanText(entry.detail_json, kMaxDetailBytes);
    return entry;
}

Result<ChainHead> ReadHead(db::Connection& conn) {
    auto rs = conn.Query(kReadHead);
    if (!rs) return rs.error();
    if (rs->rows.empty()) return ChainHead{};
    return ChainHead{rs->rows[0].Int(0), rs->rows[0].Text(1)};
}

Status InsertRows(db::Connection& conn, const std::vector<StoredRow>& rows) {
    std::size_t next = 0;
    while (next < rows.size()) {
        const std::size_t left = std::min(rows.size() - next, kMaxRowsPerInsert);
        std::size_t k = 0;
        while ((std::size_t{2} << k) <= left) ++k;
        const std::size_t count = std::size_t{1} << k;
        db::Params params;
        params.reserve(count * kRowColumnCount);
        for (std::size_t r = next; r < next + count; ++r) AppendParams(params, rows[r]);
        DANGAN_TRY(conn.Query(InsertSql(k), params));
        next += count;
    }
    return Ok();
}

StoredRow RowFrom(const db::Row& row) {
    StoredRow out;
    out.seq = row.Int(0);
    out.id = row.Text(1);
    out.at_ms = row.Int(2);
    out.entry.actor_kind = row.Text(3);
    out.entry.actor_id = row.Text(4);
    out.entry.action = row.Text(5);
    out.entry.subject_person_id = row.Text(6);
    out.entry.target = row.Text(7);
    out.entry.purpose = row.Text(8);
    out.entry.channel = row.Text(9);
    out.entry.address = row.Text(10);
    out.entry.request_id = row.Text(11);
    out.entry.detail_json = row.Text(12);
    out.prev_hash = row.Text(13);
    out.hash = row.Text(14);
    return out;
}

}  // namespace dangan::audit
