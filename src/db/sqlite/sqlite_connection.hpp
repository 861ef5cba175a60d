#pragma once

// One SQLite connection with a cache of prepared statements. Not thread-safe: the owner
// (SqliteDatabase) lends it to one thread at a time. Errors are mapped to the db error
// values (internal.hpp): constraint → kConflict, busy/locked/I/O → kUnavailable, the rest
// kInternal.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"
#include "db/database.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace dangan::db {

class SqliteConnection {
public:
    // Opens `path` read-write (created when missing, then switched to WAL with
    // synchronous=NORMAL and foreign keys on) or read-only, with extended result codes and the
    // busy timeout set, and checks that the file is a readable database. On failure the
    // error's message is the cause in Chinese, for the caller to wrap in OpenFailed.
    static Result<std::unique_ptr<SqliteConnection>> Open(const std::string& path, bool read_only,
                                                          std::chrono::milliseconds busy_timeout);
    ~SqliteConnection();
    SqliteConnection(const SqliteConnection&) = delete;
    SqliteConnection& operator=(const SqliteConnection&) = delete;

    // Returns the cached prepared statement for `sql` (exactly one statement), preparing it on
    // first use. The statement stays owned by this connection.
    Result<sqlite3_stmt*> Prepare(std::string_view sql);

    // Binds `params`, steps `stmt` to the end and resets it.
    Result<ResultSet> Run(sqlite3_stmt* stmt, const Params& params);

    Result<ResultSet> Query(std::string_view sql, const Params& params) {
        auto stmt = Prepare(sql);
        if (!stmt.ok()) {
            return stmt.error();
        }
        return Run(*stmt, params);
    }

    // Runs a script of one or more statements without parameters (migrations, BEGIN, PRAGMA).
    Status Exec(std::string_view script);

    // True when no transaction is open on this connection.
    bool InAutocommit() const;

    // True when `stmt` cannot change the database.
    static bool IsReadOnly(sqlite3_stmt* stmt);

    // The error of the last failed call on this connection (`rc` when it set none).
    Error LastError(int rc) const;

private:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}

    // Lets the statement cache be searched with a string_view without building a string.
    struct StringHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

}  // namespace dangan::db
