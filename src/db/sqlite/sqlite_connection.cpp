#include "db/sqlite/sqlite_connection.hpp"

#include <sqlite3.h>

#include <string>
#include <type_traits>
#include <variant>

#include "db/internal.hpp"

namespace dangan::db {
namespace {

// A bounded cache: a server runs a fixed set of statements, so clearing it when full is
// enough to stop ad-hoc SQL from growing it without limit.
constexpr std::size_t kMaxCachedStatements = 256;

Error MapError(int code, std::string_view detail) {
    switch (code & 0xff) {
        case SQLITE_CONSTRAINT:
            if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
                return internal::UniqueViolation(detail);
            }
            return internal::ConstraintViolation(detail);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return internal::Busy(detail);
        case SQLITE_CANTOPEN:
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_IOERR:
        case SQLITE_FULL:
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_NOMEM:
            return internal::Unavailable(detail);
        default:
            return internal::SqlError(detail);
    }
}

// Why a file could not be opened as a database, in Chinese, with SQLite's own words after.
std::string DescribeOpenFailure(int code, std::string_view detail) {
    std::string cause;
    switch (code & 0xff) {
        case SQLITE_CANTOPEN:
            cause = "无法创建或打开文件，请检查目录是否存在、是否有读写权限";
            break;
        case SQLITE_NOTADB:
            cause = "该文件不是 SQLite 数据库";
            break;
        case SQLITE_CORRUPT:
            cause = "数据库文件已损坏";
            break;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            cause = "数据库被其他进程锁定";
            break;
        default:
            cause = "打开失败";
            break;
    }
    return cause + "（" + std::string(detail) + "）";
}

}  // namespace

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const std::string& path, bool read_only,
                                                                 std::chrono::milliseconds busy_timeout) {
    if (path.empty()) {
        return MakeError(ErrorCode::kUnavailable, "数据库文件路径为空");
    }
    sqlite3* handle = nullptr;
    const int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                      SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    const int rc = sqlite3_open_v2(path.c_str(), &handle, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string cause = DescribeOpenFailure(rc, handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
        sqlite3_close_v2(handle);
        return MakeError(ErrorCode::kUnavailable, std::move(cause));
    }
    std::unique_ptr<SqliteConnection> conn(new SqliteConnection(handle));
    sqlite3_busy_timeout(handle, static_cast<int>(busy_timeout.count()));

    // SQLite opens lazily: the first statement is what finds a missing directory or a file
    // that is not a database.
    // 32 MiB of page cache per connection (the default is 2 MiB): the upper levels of the
    // indexes of ten million persons stay in memory, and a look-up reads only leaf pages.
    const char* setup = read_only ? "PRAGMA cache_size = -32768; SELECT COUNT(*) FROM sqlite_master"
                                  : "PRAGMA cache_size = -32768; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                                    "PRAGMA foreign_keys = ON";
    std::string journal_mode;
    char* message = nullptr;
    const int setup_rc = sqlite3_exec(
        handle, setup,
        [](void* out, int columns, char** values, char**) {
            if (columns > 0 && values[0] != nullptr && static_cast<std::string*>(out)->empty()) {
                *static_cast<std::string*>(out) = values[0];
            }
            return 0;
        },
        &journal_mode, &message);
    if (setup_rc != SQLITE_OK) {
        std::string cause = DescribeOpenFailure(sqlite3_extended_errcode(handle), message != nullptr ? message : "");
        sqlite3_free(message);
        return MakeError(ErrorCode::kUnavailable, std::move(cause));
    }
    if (!read_only && journal_mode != "wal") {
        return MakeError(ErrorCode::kUnavailable, "无法启用 WAL 日志模式（journal_mode=" + journal_mode + "）");
    }
    return conn;
}

SqliteConnection::~SqliteConnection() {
    for (auto& [sql, stmt] : statements_) {
        sqlite3_finalize(stmt);
    }
    sqlite3_close_v2(db_);
}

Error SqliteConnection::LastError(int rc) const {
    const int code = sqlite3_extended_errcode(db_);
    return MapError(code != SQLITE_OK ? code : rc, sqlite3_errmsg(db_));
}

Result<sqlite3_stmt*> SqliteConnection::Prepare(std::string_view sql) {
    if (auto it = statements_.find(sql); it != statements_.end()) {
        return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
    if (rc != SQLITE_OK) {
        return LastError(rc);
    }
    if (stmt == nullptr) {
        return internal::Misuse("空语句");
    }
    // What follows may only be blanks, semicolons and comments.
    std::string_view rest(tail, static_cast<std::size_t>(sql.data() + sql.size() - tail));
    while (!rest.empty()) {
        sqlite3_stmt* extra = nullptr;
        const char* next = nullptr;
        const int extra_rc = sqlite3_prepare_v2(db_, rest.data(), static_cast<int>(rest.size()), &extra, &next);
        sqlite3_finalize(extra);
        if (extra_rc != SQLITE_OK || extra != nullptr || next == rest.data()) {
            sqlite3_finalize(stmt);
            return internal::Misuse("一次只能执行一条语句");
        }
        rest.remove_prefix(static_cast<std::size_t>(next - rest.data()));
    }
    if (statements_.size() >= kMaxCachedStatements) {
        for (auto& [cached_sql, cached] : statements_) {
            sqlite3_finalize(cached);
        }
        statements_.clear();
    }
    statements_.emplace(std::string(sql), stmt);
    return stmt;
}

Result<ResultSet> SqliteConnection::Run(sqlite3_stmt* stmt, const Params& params) {
    DANGAN_TRY(internal::CheckParams(params));
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (expected != static_cast<int>(params.size())) {
        return internal::Misuse("语句需要 " + std::to_string(expected) + " 个参数，实际传入 " +
                                std::to_string(params.size()) + " 个");
    }
    for (int i = 0; i < expected; ++i) {
        const int rc = std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::nullptr_t>) {
                    return sqlite3_bind_null(stmt, i + 1);
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    return sqlite3_bind_int64(stmt, i + 1, v);
                } else if constexpr (std::is_same_v<T, double>) {
                    return sqlite3_bind_double(stmt, i + 1, v);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    return sqlite3_bind_text64(stmt, i + 1, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
                } else {
                    // A null pointer would bind NULL, so an empty blob needs its own call.
                    return v.data.empty()
                               ? sqlite3_bind_zeroblob(stmt, i + 1, 0)
                               : sqlite3_bind_blob64(stmt, i + 1, v.data.data(), v.data.size(), SQLITE_STATIC);
                }
            },
            params[static_cast<std::size_t>(i)]);
        if (rc != SQLITE_OK) {
            Error error = LastError(rc);
            sqlite3_clear_bindings(stmt);
            return error;
        }
    }

    ResultSet rs;
    const int columns = sqlite3_column_count(stmt);
    rs.columns.reserve(static_cast<std::size_t>(columns));
    for (int c = 0; c < columns; ++c) {
        rs.columns.emplace_back(sqlite3_column_name(stmt, c));
    }
    const sqlite3_int64 changes_before = sqlite3_total_changes64(db_);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            switch (sqlite3_column_type(stmt, c)) {
                case SQLITE_INTEGER:
                    values.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c)));
                    break;
                case SQLITE_FLOAT:
                    values.emplace_back(sqlite3_column_double(stmt, c));
                    break;
                case SQLITE_TEXT: {
                    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
                    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
                    values.emplace_back(text != nullptr ? std::string(text, size) : std::string());
                    break;
                }
                case SQLITE_BLOB: {
                    const auto* blob = static_cast<const char*>(sqlite3_column_blob(stmt, c));
                    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
                    values.emplace_back(Bytes{blob != nullptr ? std::string(blob, size) : std::string()});
                    break;
                }
                default:
                    values.emplace_back(nullptr);
                    break;
            }
        }
        rs.rows.emplace_back(std::move(values));
    }
    if (rc != SQLITE_DONE) {
        Error error = LastError(rc);
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        return error;
    }
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, so a SELECT or DDL
    // would report a stale one: only a statement that changed something reports it.
    if (sqlite3_total_changes64(db_) != changes_before) {
        rs.affected = sqlite3_changes64(db_);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rs;
}

Status SqliteConnection::Exec(std::string_view script) {
    const std::string text(script);
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
    if (rc == SQLITE_OK) {
        return Ok();
    }
    Error error = MapError(sqlite3_extended_errcode(db_), message != nullptr ? message : sqlite3_errstr(rc));
    sqlite3_free(message);
    return error;
}

bool SqliteConnection::InAutocommit() const { return sqlite3_get_autocommit(db_) != 0; }

bool SqliteConnection::IsReadOnly(sqlite3_stmt* stmt) { return sqlite3_stmt_readonly(stmt) != 0; }

}  // namespace dangan::db
