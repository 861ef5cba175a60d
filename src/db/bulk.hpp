#pragma once

// Loading many rows fast, for `dangan gen` and other bulk loads. A BulkWriter has its own
// connection to the database named by a URL and keeps one transaction open: Add() puts rows
// into it, Commit() ends it and begins the next, Finish() commits the last and closes.
//
// - SQLite: a dedicated writer connection with synchronous=OFF, a large page cache and
//   temp_store=MEMORY (connection settings, gone when it closes, so nothing needs restoring;
//   the file stays in WAL mode) and, when asked, foreign_keys=OFF for data consistent by
//   construction. Each row is inserted at once by a cached prepared statement, so rows must
//   come in an order the constraints accept (parents before children).
// - PostgreSQL: rows are buffered per table in COPY text format and sent by COPY … FROM STDIN
//   at Commit(), table by table in the order the tables were declared (parents first).
//   Foreign keys are always checked.
//
// Rows are plain inserts: a row that breaks a constraint (a duplicate key) fails the batch,
// which is rolled back (Add() or Commit() returns the error; later calls fail too). Values
// are views: they need to live only for the duration of the Add() call. Not thread-safe.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace dangan::db {

// Raw bytes to store as BLOB / BYTEA.
struct BytesView {
    std::string_view data;
};

using BulkValue = std::variant<std::nullptr_t, std::int64_t, std::string_view, BytesView>;

struct BulkTable {
    std::string name;
    std::vector<std::string> columns;
};

struct BulkOptions {
    bool check_foreign_keys = true;  // SQLite only; PostgreSQL always checks
    std::int64_t cache_mib = 1024;   // SQLite page cache of the loading connection
    // SQLite only: drop the non-unique indexes of the tables at open and build them again at
    // Finish() (one sort instead of a random B-tree insert per row — worth it when the load
    // is at least as large as what the tables hold). Their SQL is kept in the meta table
    // under "bulk.deferred_indexes" meanwhile, so that after an interrupted load the next
    // OpenBulkWriter on the file builds them first.
    bool defer_indexes = false;
};

class BulkWriter {
public:
    virtual ~BulkWriter() = default;

    // Adds one row to tables[table]: one value per declared column, in order.
    virtual Status Add(std::size_t table, std::span<const BulkValue> row) = 0;
    // Runs one statement with `?` placeholders inside the open transaction (e.g. recording
    // progress in the same transaction as the rows). On PostgreSQL the buffered rows are
    // sent first, so the statement sees them.
    virtual Status Execute(std::string_view sql, std::span<const BulkValue> params) = 0;
    // Commits the rows added so far and begins a new transaction.
    virtual Status Commit() = 0;
    // Commits and closes the connection. Without Finish(), destruction rolls back.
    virtual Status Finish() = 0;
};

// Opens a writer on `url` (as db::Open takes it) for rows of `tables`. The schema must exist
// (migrated); a missing table or column is an error here.
Result<std::unique_ptr<BulkWriter>> OpenBulkWriter(const std::string& url, std::vector<BulkTable> tables,
                                                   const BulkOptions& options = {});

}  // namespace dangan::db
