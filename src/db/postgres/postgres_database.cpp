#include "db/postgres/postgres_database.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

#include "db/internal.hpp"
#include "db/migrations.hpp"
#include "db/postgres/pg_values.hpp"
#include "db/postgres/placeholders.hpp"

namespace dangan::db {
namespace {

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string TrimEnd(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

// The password of a URL's user:password@ part ("" when there is none), to scrub it from
// libpq messages that echo a malformed URL.
std::string PasswordOf(std::string_view url) {
    const std::size_t begin = url.find("://");
    if (begin == std::string_view::npos) {
        return {};
    }
    const std::string_view authority = url.substr(begin + 3, url.find_first_of("/?#", begin + 3) - begin - 3);
    const std::size_t at = authority.rfind('@');
    const std::size_t colon = authority.find(':');
    if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
        return {};
    }
    return std::string(authority.substr(colon + 1, at - colon - 1));
}

std::string Scrub(std::string text, const std::string& secret) {
    if (secret.empty()) {
        return text;
    }
    for (std::size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
        text.replace(at, secret.size(), "***");
    }
    return text;
}

Error MapResultError(PGconn* conn, const PGresult* res) {
    if (res == nullptr || PQstatus(conn) == CONNECTION_BAD) {
        return internal::Unavailable(TrimEnd(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
    }
    const char* primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    const std::string detail = TrimEnd(primary != nullptr ? primary : PQresultErrorMessage(res));
    const char* sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (sqlstate == nullptr) {
        return internal::Unavailable(detail);  // raised by libpq itself: a connection problem
    }
    const std::string_view state(sqlstate);
    if (state == "23505") {
        return internal::UniqueViolation(detail);
    }
    if (state.starts_with("23")) {
        return internal::ConstraintViolation(detail);
    }
    if (state == "40001" || state == "40P01") {
        return internal::SerializationFailure(detail);
    }
    if (state == "55P03" || state == "57014") {
        return internal::Busy(detail);  // lock not available, statement timeout
    }
    if (state.starts_with("08") || state.starts_with("53") || state.starts_with("57P")) {
        return internal::Unavailable(detail);  // connection, resources, shutdown
    }
    return internal::SqlError(detail);
}

Result<ResultSet> ToResultSet(PGconn* conn, const PGresult* res) {
    const ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_EMPTY_QUERY) {
        return internal::Misuse("空语句");
    }
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        return MapResultError(conn, res);
    }
    ResultSet rs;
    const int columns = PQnfields(res);
    std::vector<PgColumnKind> kinds;
    for (int c = 0; c < columns; ++c) {
        rs.columns.emplace_back(PQfname(res, c));
        kinds.push_back(ColumnKindOf(PQftype(res, c)));
    }
    const int rows = PQntuples(res);
    rs.rows.reserve(static_cast<std::size_t>(rows));
    for (int r = 0; r < rows; ++r) {
        std::vector<Value> values;
        values.reserve(static_cast<std::size_t>(columns));
        for (int c = 0; c < columns; ++c) {
            if (PQgetisnull(res, r, c) != 0) {
                values.emplace_back(nullptr);
            } else {
                const std::string_view text(PQgetvalue(res, r, c), static_cast<std::size_t>(PQgetlength(res, r, c)));
                values.push_back(DecodePgValue(kinds[static_cast<std::size_t>(c)], text));
            }
        }
        rs.rows.emplace_back(std::move(values));
    }
    // PQcmdTuples also counts the rows a SELECT returned; only changes are reported.
    if (!std::string_view(PQcmdStatus(const_cast<PGresult*>(res))).starts_with("SELECT")) {
        rs.affected = std::strtoll(PQcmdTuples(const_cast<PGresult*>(res)), nullptr, 10);
    }
    return rs;
}

Result<ResultSet> Execute(PGconn* conn, std::string_view sql, const Params& params) {
    DANGAN_TRY(internal::CheckParams(params));
    const RewrittenSql rewritten = RewritePlaceholders(sql);
    if (rewritten.placeholders != static_cast<int>(params.size())) {
        return internal::Misuse("语句需要 " + std::to_string(rewritten.placeholders) + " 个参数，实际传入 " +
                                std::to_string(params.size()) + " 个");
    }
    const PgParams wire(params);
    PgResult res(PQexecParams(conn, rewritten.sql.c_str(), wire.count(), wire.types(), wire.values(), wire.lengths(),
                              wire.formats(), /*resultFormat=*/0),
                 &PQclear);
    if (res == nullptr) {
        return MapResultError(conn, nullptr);
    }
    return ToResultSet(conn, res.get());
}

// Runs a script without parameters; PQexec accepts several statements in one string.
Status ExecuteScript(PGconn* conn, std::string_view script) {
    PgResult res(PQexec(conn, std::string(script).c_str()), &PQclear);
    const ExecStatusType status = res != nullptr ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
        return Ok();
    }
    return MapResultError(conn, res.get());
}

// True when an idle connection can no longer be used. An idle connection has nothing to
// read unless the server has closed it (a restart, pg_terminate_backend, idle timeout) and
// sent its farewell, so readable input means it is going away.
bool IsStale(PGconn* conn) {
    if (PQstatus(conn) != CONNECTION_OK) {
        return true;
    }
    pollfd fd{PQsocket(conn), POLLIN, 0};
    return poll(&fd, 1, 0) != 0;
}

Result<PGconn*> Connect(const std::string& url, const Options& options) {
    // Defaults first: parameters given in the URL (expanded from dbname) override them.
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(options.busy_timeout).count();
    const std::string timeout = std::to_string(seconds < 2 ? 2 : seconds);
    const char* const keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
    const char* const values[] = {timeout.c_str(), "dangan", url.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    if (conn == nullptr) {
        return internal::OpenFailed(url, "内存不足");
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        std::string cause = "无法连接数据库服务器（" + Scrub(TrimEnd(PQerrorMessage(conn)), PasswordOf(url)) + "）";
        PQfinish(conn);
        return internal::OpenFailed(url, cause);
    }
    // Notices ("relation already exists, skipping") are for developers, not stderr.
    PQsetNoticeProcessor(
        conn, [](void*, const char* message) { spdlog::debug("postgresql: {}", TrimEnd(message)); }, nullptr);
    Status setup = PQsetClientEncoding(conn, "UTF8") == 0 ? ExecuteScript(conn, "SET bytea_output = 'hex'")
                                                          : internal::Unavailable("无法设置 UTF8 编码");
    if (!setup.ok()) {
        PQfinish(conn);
        return internal::OpenFailed(url, setup.error().message);
    }
    return conn;
}

class PostgresTransactionConnection final : public internal::TransactionConnection {
public:
    explicit PostgresTransactionConnection(PGconn* conn) : conn_(conn) {}
    Backend backend() const override { return Backend::kPostgres; }

protected:
    Result<ResultSet> DoQuery(std::string_view sql, const Params& params) override {
        return Execute(conn_, sql, params);
    }
    Status DoScript(std::string_view script) override { return ExecuteScript(conn_, script); }

private:
    PGconn* conn_;
};

class PostgresDatabase final : public Database {
public:
    PostgresDatabase(std::string url, Options options, PGconn* first)
        : url_(std::move(url)), options_(options), idle_{first}, open_(1) {}

    // Every lent connection has been returned: leases do not outlive the calls that take them.
    ~PostgresDatabase() override {
        for (PGconn* conn : idle_) {
            PQfinish(conn);
        }
    }

    Backend backend() const override { return Backend::kPostgres; }

    Result<ResultSet> Query(std::string_view sql, const Params& params) override {
        if (internal::TransactionScope::Active(this)) {
            return internal::ReentrantCall();
        }
        auto lease = Acquire();
        if (!lease.ok()) {
            return lease.error();
        }
        auto rs = Execute(lease->get(), sql, params);
        if (rs.ok() && PQtransactionStatus(lease->get()) != PQTRANS_IDLE) {
            return internal::Misuse("事务请用 Transaction() 执行，不能用 Query() 开启");  // the lease rolls back
        }
        return rs;
    }

    Status Transaction(const std::function<Status(Connection&)>& fn) override {
        if (internal::TransactionScope::Active(this)) {
            return internal::ReentrantCall();
        }
        auto lease = Acquire();
        if (!lease.ok()) {
            return lease.error();
        }
        PGconn* conn = lease->get();
        DANGAN_TRY(ExecuteScript(conn, "BEGIN"));
        PostgresTransactionConnection tx(conn);
        return internal::FinishTransaction(
            this, tx, fn,
            [conn]() -> Status {
                PgResult res(PQexec(conn, "COMMIT"), &PQclear);
                if (res == nullptr || PQresultStatus(res.get()) != PGRES_COMMAND_OK) {
                    return MapResultError(conn, res.get());
                }
                // COMMIT of a transaction that had failed answers ROLLBACK instead of an error.
                if (std::string_view(PQcmdStatus(res.get())) == "ROLLBACK") {
                    return internal::TransactionAborted();
                }
                return Ok();
            },
            [conn] {
                if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
                    PgResult res(PQexec(conn, "ROLLBACK"), &PQclear);
                }
            });
    }

    Status Ping() override {
        auto rs = Query("SELECT 1", {});
        if (!rs.ok()) {
            return rs.error();
        }
        return Ok();
    }

    PoolStats Stats() const override {
        std::lock_guard<std::mutex> lock(mu_);
        return PoolStats{open_, in_use_, waits_};
    }

    Result<int> Migrate() override { return internal::MigrateEmbedded(*this); }
    Result<int> SchemaVersion() override { return internal::SchemaVersionOutsideTransaction(*this); }

private:
    // A pooled connection lent to one caller; returned (or dropped when broken) at scope end.
    class Lease {
    public:
        Lease(PostgresDatabase* db, PGconn* conn) : db_(db), conn_(conn) {}
        Lease(Lease&& other) noexcept : db_(other.db_), conn_(std::exchange(other.conn_, nullptr)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_ != nullptr) {
                db_->Release(conn_);
            }
        }
        PGconn* get() const { return conn_; }

    private:
        PostgresDatabase* db_;
        PGconn* conn_;
    };

    Result<Lease> Acquire() {
        const auto deadline = std::chrono::steady_clock::now() + options_.busy_timeout;
        std::vector<PGconn*> stale;
        std::unique_lock<std::mutex> lock(mu_);
        bool waited = false;
        while (true) {
            while (!idle_.empty()) {
                PGconn* conn = idle_.back();
                idle_.pop_back();
                if (IsStale(conn)) {
                    stale.push_back(conn);
                    --open_;
                    continue;
                }
                ++in_use_;
                lock.unlock();
                FinishAll(stale);
                return Lease(this, conn);
            }
            if (open_ < options_.pool_size) {
                ++open_;
                ++in_use_;
                lock.unlock();
                FinishAll(stale);
                auto conn = Connect(url_, options_);
                if (!conn.ok()) {
                    lock.lock();
                    --open_;
                    --in_use_;
                    lock.unlock();
                    cv_.notify_one();
                    return conn.error();
                }
                return Lease(this, *conn);
            }
            if (!waited) {
                waited = true;
                ++waits_;
            }
            if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
                open_ >= options_.pool_size) {
                lock.unlock();
                FinishAll(stale);
                return internal::Busy("等待数据库连接超时");
            }
        }
    }

    // Puts `conn` back in the pool, or closes it when it is broken or stuck in a transaction.
    void Release(PGconn* conn) {
        bool usable = PQstatus(conn) == CONNECTION_OK;
        if (usable && PQtransactionStatus(conn) != PQTRANS_IDLE) {
            PgResult res(PQexec(conn, "ROLLBACK"), &PQclear);
            usable = PQtransactionStatus(conn) == PQTRANS_IDLE;
        }
        {
            std::lock_guard<std::mutex> lock(mu_);
            --in_use_;
            if (usable) {
                idle_.push_back(conn);
            } else {
                --open_;
            }
        }
        if (!usable) {
            PQfinish(conn);
        }
        cv_.notify_one();
    }

    static void FinishAll(std::vector<PGconn*>& conns) {
        for (PGconn* conn : conns) {
            PQfinish(conn);
        }
        conns.clear();
    }

    const std::string url_;  // with the password, for connecting; never shown
    const Options options_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<PGconn*> idle_;  // guarded by mu_
    int open_ = 0;               // idle plus lent; guarded by mu_
    int in_use_ = 0;             // guarded by mu_
    std::int64_t waits_ = 0;     // guarded by mu_
};

}  // namespace

namespace pg {

Result<PGconn*> Connect(const std::string& url, const Options& options) { return db::Connect(url, options); }
Result<ResultSet> Execute(PGconn* conn, std::string_view sql, const Params& params) {
    return db::Execute(conn, sql, params);
}
Status ExecuteScript(PGconn* conn, std::string_view script) { return db::ExecuteScript(conn, script); }
Error ErrorOf(PGconn* conn, const PGresult* res) { return MapResultError(conn, res); }

}  // namespace pg

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const Options& options) {
    auto first = Connect(url, options);
    if (!first.ok()) {
        return first.error();
    }
    return std::unique_ptr<Database>(std::make_unique<PostgresDatabase>(url, options, *first));
}

}  // namespace dangan::db
