#pragma once

// The PostgreSQL backend over libpq. Up to `options.pool_size` connections are opened on
// demand (the first at Open(), so an unreachable server fails there) and lent one caller at
// a time; a caller finding none free waits on a condition variable for at most
// `options.busy_timeout`. `?` placeholders are rewritten to $1, $2… (see placeholders.hpp);
// parameters go as text with the type left to the server, Bytes as binary bytea. Result
// columns are converted by type: int2/int4/int8 and integral numeric → int64,
// float4/float8/other numeric → double, bool → 0/1, bytea → Bytes, everything else text.
// A connection found broken is closed and dropped from the pool (with the idle ones, which
// a server restart has broken too); the next caller opens a fresh one. libpq-fe.h stays
// inside the .cpp file.

#include <memory>
#include <string>

#include "db/database.hpp"

struct pg_conn;
struct pg_result;

namespace dangan::db {

// `url` is any libpq connection URI ("postgresql://user:pw@host:port/db?sslmode=…"); its
// connect_timeout defaults to the busy timeout (at least 2 s) and application_name to
// "dangan". A schema other than public is chosen with "options=-c%20search_path%3D<schema>".
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& options);

// The backend's own connection handling, for the other libpq users of src/db/ (the bulk
// writer): open a connection as the pool does, run a statement or a script on it, and map a
// failed result (or a null one: the connection is gone) to the db error values.
namespace pg {
Result<pg_conn*> Connect(const std::string& url, const Options& options);
Result<ResultSet> Execute(pg_conn* conn, std::string_view sql, const Params& params);
Status ExecuteScript(pg_conn* conn, std::string_view script);
Error ErrorOf(pg_conn* conn, const pg_result* res);
}  // namespace pg

}  // namespace dangan::db
