#pragma once

// The one database API every module sees. The backend (SQLite or PostgreSQL) is chosen by
// the URL given to Open(); SQL is written once in the subset both understand (ON CONFLICT,
// RETURNING, CTEs) with `?` placeholders, which the PostgreSQL backend rewrites to $1, $2…
// Facts that must hold across server nodes are enforced here, by constraints and
// transactions, never by an in-process lock.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace dangan::db {

// Raw bytes (ciphertext, hashes). Stored as BLOB in SQLite and BYTEA in PostgreSQL.
struct Bytes {
    std::string data;
    bool operator==(const Bytes&) const = default;
};

// A value bound to a placeholder or read from a column.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Bytes>;
using Params = std::vector<Value>;

// One row of a result. Accessors are by column index; reading the wrong type or a NULL
// through a non-optional accessor is a programming error (asserted). Real() also reads an
// integer, since an integral NUMERIC or a SUM comes back as an integer.
class Row {
public:
    explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

    std::size_t size() const { return values_.size(); }
    bool IsNull(std::size_t i) const;
    std::int64_t Int(std::size_t i) const;
    double Real(std::size_t i) const;
    const std::string& Text(std::size_t i) const;
    const Bytes& Blob(std::size_t i) const;
    std::optional<std::int64_t> OptInt(std::size_t i) const;
    std::optional<std::string> OptText(std::size_t i) const;
    const Value& operator[](std::size_t i) const { return values_.at(i); }

private:
    std::vector<Value> values_;
};

struct ResultSet {
    std::vector<std::string> columns;
    std::vector<Row> rows;
    std::int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE

    bool empty() const { return rows.empty(); }
};

enum class Backend { kSqlite, kPostgres };
std::string_view BackendName(Backend b);  // "sqlite" | "postgresql"

// A connection lent for the duration of a transaction. Not thread-safe; do not keep it
// past the callback that received it.
class Connection {
public:
    virtual ~Connection() = default;
    // Runs one statement with `?` placeholders bound to `params` in order.
    virtual Result<ResultSet> Query(std::string_view sql, const Params& params = {}) = 0;
    virtual Backend backend() const = 0;
};

struct PoolStats {
    int size = 0;    // connections open
    int in_use = 0;  // connections lent out right now
    std::int64_t waits = 0;  // times a caller had to wait for a free connection
};

struct Options {
    int pool_size = 4;  // readers (SQLite) or connections (PostgreSQL)
    std::chrono::milliseconds busy_timeout{5000};
};

// Thread-safe. Query() runs on a pooled connection outside any explicit transaction
// (a reader for SQLite when the statement is a SELECT, the writer otherwise). One call runs
// exactly one statement. When every connection is busy a caller waits up to
// Options::busy_timeout, then gets kUnavailable.
//
// Errors: a unique or primary-key violation is kConflict with reason "unique_violation",
// any other constraint (foreign key, check, not null) kConflict with "constraint_violation",
// a lost or busy database kUnavailable, anything else (syntax, missing table) kInternal.
class Database {
public:
    virtual ~Database() = default;

    virtual Backend backend() const = 0;
    virtual Result<ResultSet> Query(std::string_view sql, const Params& params = {}) = 0;

    // Runs `fn` inside one transaction on a connection that may write. Commits when `fn`
    // returns ok, rolls back otherwise (and on exceptions, which propagate). A failed
    // commit is returned as an error; nothing is half-written. On both backends a statement
    // that fails inside `fn` aborts the transaction: later statements fail too and it is
    // rolled back even if `fn` returns ok (the first error is returned). Inside `fn` use
    // only the Connection given; calling this Database again from `fn` is refused
    // (kInternal) rather than deadlocking.
    virtual Status Transaction(const std::function<Status(Connection&)>& fn) = 0;
    // Transaction() for facts a person is told about at once (a booking and its SMS): the
    // commit is on disk before this returns. SQLite runs it with synchronous=FULL (the other
    // transactions keep WAL's NORMAL, which may lose the last commits on power loss but never
    // corrupts); PostgreSQL commits durably anyway.
    virtual Status DurableTransaction(const std::function<Status(Connection&)>& fn) { return Transaction(fn); }

    // Cheap round trip used by /readyz.
    virtual Status Ping() = 0;
    virtual PoolStats Stats() const = 0;

    // Applies every migration of this backend newer than the schema version, each in its
    // own transaction, and returns the resulting version.
    virtual Result<int> Migrate() = 0;
    virtual Result<int> SchemaVersion() = 0;
};

// `url` with any password removed (the user:password@ part and a password= parameter), fit
// for logs and error messages.
std::string RedactUrl(std::string_view url);

// Serialises transactions that take the same named lock until they end: on PostgreSQL a
// transaction-scoped advisory lock (pg_advisory_xact_lock), on SQLite nothing, since its
// one writer already runs transactions one at a time. Use for facts that span rows, such
// as the audit hash chain.
Status LockForTransaction(Connection& conn, std::string_view name);

// Opens `url`: "sqlite:PATH" (the file is created when missing) or
// "postgresql://user@host:port/dbname?…" (any libpq connection URI). A database that
// cannot be opened gives kUnavailable with a Chinese message naming the URL (without any
// password) and the cause.
Result<std::unique_ptr<Database>> Open(const std::string& url, const Options& options = {});

}  // namespace dangan::db
