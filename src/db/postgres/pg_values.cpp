#include "db/postgres/pg_values.hpp"

#include <charconv>
#include <type_traits>
#include <variant>

namespace dangan::db {
namespace {

// Type OIDs from PostgreSQL's pg_type.dat; stable across versions.
constexpr unsigned int kBoolOid = 16;
constexpr unsigned int kByteaOid = 17;
constexpr unsigned int kInt8Oid = 20;
constexpr unsigned int kInt2Oid = 21;
constexpr unsigned int kInt4Oid = 23;
constexpr unsigned int kFloat4Oid = 700;
constexpr unsigned int kFloat8Oid = 701;
constexpr unsigned int kNumericOid = 1700;

template <typename T>
bool ParseWhole(std::string_view text, T& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// "\x00ff…" (bytea_output = hex, set on every connection) → the raw bytes.
Value DecodeBytea(std::string_view text) {
    if (!text.starts_with("\\x") || text.size() % 2 != 0) {
        return Bytes{std::string(text)};
    }
    std::string out;
    out.reserve(text.size() / 2 - 1);
    for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
        const int hi = HexDigit(text[i]);
        const int lo = HexDigit(text[i + 1]);
        if (hi < 0 || lo < 0) {
            return Bytes{std::string(text)};
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return Bytes{std::move(out)};
}

}  // namespace

PgParams::PgParams(const Params& params) {
    const std::size_t n = params.size();
    storage_.resize(n);
    types_.assign(n, 0);  // 0: let the server infer the type from the statement
    values_.assign(n, nullptr);
    lengths_.assign(n, 0);
    formats_.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    values_[i] = nullptr;
                } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
                    // Shortest text that reads back as the same number.
                    char buffer[32];
                    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
                    storage_[i].assign(buffer, ec == std::errc() ? end : buffer);
                    values_[i] = storage_[i].c_str();
                } else if constexpr (std::is_same_v<T, std::string>) {
                    values_[i] = v.c_str();
                } else {
                    types_[i] = kByteaOid;
                    formats_[i] = 1;
                    values_[i] = v.data.data();
                    lengths_[i] = static_cast<int>(v.data.size());
                }
            },
            params[i]);
    }
}

PgColumnKind ColumnKindOf(unsigned int type_oid) {
    switch (type_oid) {
        case kInt2Oid:
        case kInt4Oid:
        case kInt8Oid:
            return PgColumnKind::kInt;
        case kFloat4Oid:
        case kFloat8Oid:
            return PgColumnKind::kReal;
        case kNumericOid:
            return PgColumnKind::kNumeric;
        case kBoolOid:
            return PgColumnKind::kBool;
        case kByteaOid:
            return PgColumnKind::kBytes;
        default:
            return PgColumnKind::kText;
    }
}

Value DecodePgValue(PgColumnKind kind, std::string_view text) {
    switch (kind) {
        case PgColumnKind::kInt: {
            std::int64_t n = 0;
            if (ParseWhole(text, n)) {
                return n;
            }
            break;
        }
        case PgColumnKind::kNumeric: {
            std::int64_t n = 0;
            if (ParseWhole(text, n)) {
                return n;
            }
            double d = 0;
            if (ParseWhole(text, d)) {
                return d;
            }
            break;
        }
        case PgColumnKind::kReal: {
            double d = 0;
            if (ParseWhole(text, d)) {
                return d;
            }
            break;
        }
        case PgColumnKind::kBool:
            return std::int64_t{text == "t" ? 1 : 0};
        case PgColumnKind::kBytes:
            return DecodeBytea(text);
        case PgColumnKind::kText:
            break;
    }
    return std::string(text);
}

}  // namespace dangan::db
