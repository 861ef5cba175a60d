#pragma once

// Conversion between db::Value and libpq's wire values: parameters go as text (the server
// infers their type from the statement, as it would for a literal) except Bytes, which go
// in binary as bytea so that every byte survives; result values arrive as text and are
// decoded by the column's type OID.

#include <string>
#include <string_view>
#include <vector>

#include "db/database.hpp"

namespace dangan::db {

// The parameter arrays PQexecParams takes. Pointers refer into `params` (which must outlive
// this) and into `storage_`.
class PgParams {
public:
    explicit PgParams(const Params& params);
    PgParams(const PgParams&) = delete;
    PgParams& operator=(const PgParams&) = delete;

    int count() const { return static_cast<int>(values_.size()); }
    const unsigned int* types() const { return types_.data(); }
    const char* const* values() const { return values_.data(); }
    const int* lengths() const { return lengths_.data(); }
    const int* formats() const { return formats_.data(); }

private:
    std::vector<std::string> storage_;  // text of numbers; sized once, never reallocated
    std::vector<unsigned int> types_;
    std::vector<const char*> values_;
    std::vector<int> lengths_;
    std::vector<int> formats_;
};

// How a result column of a given type OID is decoded.
enum class PgColumnKind { kInt, kReal, kNumeric, kBool, kBytes, kText };
PgColumnKind ColumnKindOf(unsigned int type_oid);

// Decodes one non-NULL value in text format. Integral numerics become int64 (a SUM over
// BIGINT is NUMERIC in PostgreSQL but INTEGER in SQLite); bytea is expected in hex format.
Value DecodePgValue(PgColumnKind kind, std::string_view text);

}  // namespace dangan::db
