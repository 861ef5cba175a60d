#include "db/migrations.hpp"

#include <chrono>
#include <string>

#include "core/clock.hpp"
#include "db/internal.hpp"

namespace dangan::db::internal {
namespace {

constexpr std::string_view kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

constexpr std::string_view kMaxVersion = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

constexpr std::string_view kRecordVersion =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)";

constexpr std::string_view kSqliteTableExists =
    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";

// to_regclass follows search_path, like the unqualified names in the migrations.
constexpr std::string_view kPostgresTableExists =
    "SELECT COUNT(*) FROM (SELECT to_regclass('schema_migrations') AS t) AS r WHERE r.t IS NOT NULL";

// One lock id for every Dang'an process on the cluster ("dangan" in ASCII).
constexpr std::string_view kPostgresLock = "SELECT pg_advisory_xact_lock(110386110718318)";

Status LockForMigration(Connection& conn) {
    if (conn.backend() == Backend::kPostgres) {
        DANGAN_TRY(conn.Query(kPostgresLock));
    }
    return Ok();
}

Result<int> MaxVersion(Connection& conn) {
    auto rs = conn.Query(kMaxVersion);
    if (!rs.ok()) {
        return rs.error();
    }
    return static_cast<int>(rs->rows.at(0).Int(0));
}

}  // namespace

Result<int> ReadSchemaVersion(Database& db) {
    auto exists = db.Query(db.backend() == Backend::kSqlite ? kSqliteTableExists : kPostgresTableExists);
    if (!exists.ok()) {
        return exists.error();
    }
    if (exists->rows.at(0).Int(0) == 0) {
        return 0;
    }
    auto rs = db.Query(kMaxVersion);
    if (!rs.ok()) {
        return rs.error();
    }
    return static_cast<int>(rs->rows.at(0).Int(0));
}

Result<int> RunMigrations(Database& db, std::span<const Migration> migrations) {
    // Under the lock, so that two processes creating the table at once do not collide.
    DANGAN_TRY(db.Transaction([](Connection& conn) -> Status {
        DANGAN_TRY(LockForMigration(conn));
        DANGAN_TRY(conn.Query(kCreateSchemaMigrations));
        return Ok();
    }));
    auto current = ReadSchemaVersion(db);
    if (!current.ok()) {
        return current.error();
    }
    for (const Migration& migration : migrations) {
        if (migration.version <= *current) {
            continue;
        }
        Status applied = db.Transaction([&](Connection& conn) -> Status {
            DANGAN_TRY(LockForMigration(conn));
            auto version = MaxVersion(conn);
            if (!version.ok()) {
                return version.error();
            }
            if (*version >= migration.version) {
                return Ok();  // another process applied it while we waited for the lock
            }
            auto* tx = dynamic_cast<TransactionConnection*>(&conn);
            if (tx == nullptr) {
                return Misuse("迁移需要本模块的数据库连接");
            }
            DANGAN_TRY(tx->RunScript(migration.sql));
            const std::string applied_at = core::FormatIso8601(std::chrono::system_clock::now());
            DANGAN_TRY(
                conn.Query(kRecordVersion, {std::int64_t{migration.version}, std::string(migration.name), applied_at}));
            return Ok();
        });
        if (!applied.ok()) {
            Error error = applied.error();
            error.message = "数据库迁移 " + std::to_string(migration.version) + "_" + std::string(migration.name) +
                            " 失败：" + error.message;
            return error;
        }
    }
    return ReadSchemaVersion(db);
}


Result<int> MigrateEmbedded(Database& db) {
    if (TransactionScope::Active(&db)) return ReentrantCall();
    return RunMigrations(db, EmbeddedMigrations(db.backend()));
}

Result<int> SchemaVersionOutsideTransaction(Database& db) {
    if (TransactionScope::Active(&db)) return ReentrantCall();
    return ReadSchemaVersion(db);
}

}  // namespace dangan::db::internal
