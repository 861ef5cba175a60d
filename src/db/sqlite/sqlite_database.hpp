#pragma once

// The SQLite backend. The file at `path` is created when missing and opened in WAL mode
// with synchronous=NORMAL, foreign keys on and the busy timeout of `options`. One writer
// connection, lent to one caller at a time, runs every write and every Transaction() (BEGIN
// IMMEDIATE, so other processes wait on the busy timeout rather than fail at COMMIT);
// `options.pool_size` read-only connections run read-only statements issued outside a
// transaction, so reads never queue behind a write. A caller finding no connection free
// waits on a condition variable for at most the busy timeout, then gets kUnavailable.
// sqlite3.h stays inside the .cpp files.

#include <memory>
#include <string>

#include "db/database.hpp"

namespace dangan::db {

// `url` is used only in error messages (password-free by construction for SQLite).
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& url, const std::string& path, const Options& options);

}  // namespace dangan::db
