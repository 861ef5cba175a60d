#include "db/sqlite/sqlite_bulk.hpp"

#include <sqlite3.h>

#include <type_traits>

#include "db/internal.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace dangan::db {
namespace {

std::string InsertSql(const BulkTable& table) {
    std::string sql = "INSERT INTO " + table.name + " (";
    std::string marks;
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
        sql += (i > 0 ? ", " : "") + table.columns[i];
        marks += i > 0 ? ", ?" : "?";
    }
    return sql + ") VALUES (" + marks + ")";
}

constexpr std::string_view kDeferredKey = "bulk.deferred_indexes";

// Index SQL travels through the meta table as statements separated by this line.
constexpr std::string_view kSeparator = ";\n";

// Builds the indexes an interrupted load left dropped (their SQL in the meta table).
Status RestoreDeferredIndexes(SqliteConnection& conn) {
    auto found = conn.Query("SELECT value FROM meta WHERE key = ?", {std::string(kDeferredKey)});
    if (!found) return found.error();
    if (found->empty()) return Ok();
    DANGAN_TRY(conn.Exec("BEGIN IMMEDIATE"));
    Status built = conn.Exec(found->rows.front().Text(0));
    if (built) {
        auto removed = conn.Query("DELETE FROM meta WHERE key = ?", {std::string(kDeferredKey)});
        if (!removed) built = removed.error();
    }
    if (!built) {
        (void)conn.Exec("ROLLBACK");
        return built;
    }
    return conn.Exec("COMMIT");
}

// Drops the non-unique indexes of `tables`, keeping their SQL in the meta table.
Result<std::string> DropIndexes(SqliteConnection& conn, const std::vector<BulkTable>& tables) {
    std::string script;
    std::vector<std::string> names;
    for (const BulkTable& table : tables) {
        auto found = conn.Query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL "
            "AND upper(sql) NOT LIKE 'CREATE UNIQUE%' ORDER BY name",
            {table.name});
        if (!found) return found.error();
        for (const Row& row : found->rows) {
            names.push_back(row.Text(0));
            script += row.Text(1) + std::string(kSeparator);
        }
    }
    if (names.empty()) return script;
    DANGAN_TRY(conn.Exec("BEGIN IMMEDIATE"));
    Status dropped = Ok();
    auto kept = conn.Query("INSERT INTO meta (key, value) VALUES (?, ?)", {std::string(kDeferredKey), script});
    if (!kept) dropped = kept.error();
    for (const std::string& name : names) {
        if (dropped) dropped = conn.Exec("DROP INDEX \"" + name + "\"");
    }
    if (!dropped) {
        (void)conn.Exec("ROLLBACK");
        return dropped.error();
    }
    DANGAN_TRY(conn.Exec("COMMIT"));
    return script;
}

class SqliteBulkWriter final : public BulkWriter {
public:
    SqliteBulkWriter(std::unique_ptr<SqliteConnection> conn, std::vector<BulkTable> tables)
        : conn_(std::move(conn)), tables_(std::move(tables)) {}

    ~SqliteBulkWriter() override {
        if (conn_ && !conn_->InAutocommit()) (void)conn_->Exec("ROLLBACK");
    }

    Status Prepare() {
        for (const BulkTable& table : tables_) {
            auto stmt = conn_->Prepare(InsertSql(table));
            if (!stmt) return stmt.error();
            inserts_.push_back(*stmt);
        }
        return conn_->Exec("BEGIN IMMEDIATE");
    }

    Status Add(std::size_t table, std::span<const BulkValue> row) override {
        if (failed_) return internal::TransactionAborted();
        if (table >= inserts_.size() || row.size() != tables_[table].columns.size()) {
            return internal::Misuse("批量写入的表或列数不对");
        }
        return Step(inserts_[table], row);
    }

    Status Execute(std::string_view sql, std::span<const BulkValue> params) override {
        if (failed_) return internal::TransactionAborted();
        auto stmt = conn_->Prepare(sql);
        if (!stmt) return Fail(stmt.error());
        if (sqlite3_bind_parameter_count(*stmt) != static_cast<int>(params.size())) {
            return Fail(internal::Misuse("语句的参数个数不对"));
        }
        return Step(*stmt, params);
    }

    Status Commit() override {
        if (failed_) return internal::TransactionAborted();
        if (auto s = conn_->Exec("COMMIT"); !s) return Fail(s.error());
        if (auto s = conn_->Exec("BEGIN IMMEDIATE"); !s) return Fail(s.error());
        return Ok();
    }

    Status Finish() override {
        if (failed_) return internal::TransactionAborted();
        if (auto s = conn_->Exec("COMMIT"); !s) return Fail(s.error());
        if (deferred_) DANGAN_TRY(RestoreDeferredIndexes(*conn_));
        conn_.reset();
        return Ok();
    }

    void set_deferred(bool deferred) { deferred_ = deferred; }

private:
    Status Fail(Error error) {
        failed_ = true;
        if (!conn_->InAutocommit()) (void)conn_->Exec("ROLLBACK");
        return error;
    }

    Status Step(sqlite3_stmt* stmt, std::span<const BulkValue> row) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            const int at = static_cast<int>(i) + 1;
            const int rc = std::visit(
                [&](const auto& v) {
                    using T = std::decay_t<decltype(v)>;
                    if constexpr (std::is_same_v<T, std::nullptr_t>) {
                        return sqlite3_bind_null(stmt, at);
                    } else if constexpr (std::is_same_v<T, std::int64_t>) {
                        return sqlite3_bind_int64(stmt, at, v);
                    } else if constexpr (std::is_same_v<T, std::string_view>) {
                        return sqlite3_bind_text64(stmt, at, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
                    } else {
                        return v.data.empty()
                                   ? sqlite3_bind_zeroblob(stmt, at, 0)
                                   : sqlite3_bind_blob64(stmt, at, v.data.data(), v.data.size(), SQLITE_STATIC);
                    }
                },
                row[i]);
            if (rc != SQLITE_OK) {
                Error error = conn_->LastError(rc);
                sqlite3_reset(stmt);
                return Fail(std::move(error));
            }
        }
        const int rc = sqlite3_step(stmt);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            Error error = conn_->LastError(rc);
            sqlite3_reset(stmt);
            return Fail(std::move(error));
        }
        sqlite3_reset(stmt);
        return Ok();
    }

    std::unique_ptr<SqliteConnection> conn_;
    std::vector<BulkTable> tables_;
    std::vector<sqlite3_stmt*> inserts_;  // owned by conn_'s statement cache
    bool failed_ = false;
    bool deferred_ = false;  // indexes dropped at open, built again by Finish()
};

}  // namespace

Result<std::unique_ptr<BulkWriter>> OpenSqliteBulkWriter(const std::string& url, const std::string& path,
                                                         std::vector<BulkTable> tables, const BulkOptions& options) {
    auto conn = SqliteConnection::Open(path, /*read_only=*/false, std::chrono::milliseconds(30000));
    if (!conn) return internal::OpenFailed(url, conn.error().message);
    // A lost load is simply run again, so durability gives way to speed on this connection.
    std::string pragmas = "PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -" +
                          std::to_string(options.cache_mib * 1024) + ";";
    if (!options.check_foreign_keys) pragmas += " PRAGMA foreign_keys = OFF;";
    DANGAN_TRY((*conn)->Exec(pragmas));
    DANGAN_TRY(RestoreDeferredIndexes(**conn));
    bool deferred = false;
    if (options.defer_indexes) {
        auto dropped = DropIndexes(**conn, tables);
        if (!dropped) return dropped.error();
        deferred = !dropped->empty();
    }
    auto writer = std::make_unique<SqliteBulkWriter>(std::move(*conn), std::move(tables));
    writer->set_deferred(deferred);
    DANGAN_TRY(writer->Prepare());
    return std::unique_ptr<BulkWriter>(std::move(writer));
}

}  // namespace dangan::db
