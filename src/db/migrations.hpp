#pragma once

// Numbered schema migrations, embedded at build time from src/db/migrations/<backend>/
// NNN_name.sql by cmake/embed_migrations.cmake, and the runner both backends share. The
// applied versions are recorded in schema_migrations(version, name, applied_at). Not for use
// outside src/db/: modules call Database::Migrate().

#include <span>
#include <string_view>

#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::db::internal {

struct Migration {
    int version;            // NNN of the file name, unique per backend
    std::string_view name;  // the rest of the file name, without ".sql"
    std::string_view sql;   // the whole file: one or more statements
};

// The migrations of `backend`, sorted by version. Defined in the generated source.
std::span<const Migration> EmbeddedMigrations(Backend backend);

// Applies every migration newer than the current version, each in its own transaction that
// first takes the migration lock (pg_advisory_xact_lock on PostgreSQL; BEGIN IMMEDIATE
// already excludes other writers on SQLite) and then re-checks the version, so two
// processes starting at once apply each migration exactly once. Returns the new version.
// `db` must be one of this module's backends (its transactions lend a TransactionConnection).
Result<int> RunMigrations(Database& db, std::span<const Migration> migrations);

// The highest applied version, 0 when schema_migrations does not exist yet.
Result<int> ReadSchemaVersion(Database& db);

// What both backends' Database::Migrate() and SchemaVersion() do: refuse a call from inside
// one of `db`'s own transactions, then run the embedded migrations of `db`'s backend or read
// the version.
Result<int> MigrateEmbedded(Database& db);
Result<int> SchemaVersionOutsideTransaction(Database& db);

}  // namespace dangan::db::internal
