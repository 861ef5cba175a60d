#include "db/sqlite/sqlite_database.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include "db/internal.hpp"
#include "db/migrations.hpp"
#include "db/sqlite/sqlite_connection.hpp"

namespace dangan::db {
namespace {

// The writer, lent to a Transaction() callback while the transaction lasts.
class SqliteTransactionConnection final : public internal::TransactionConnection {
public:
    explicit SqliteTransactionConnection(SqliteConnection& writer) : writer_(writer) {}
    Backend backend() const override { return Backend::kSqlite; }

protected:
    Result<ResultSet> DoQuery(std::string_view sql, const Params& params) override {
        return writer_.Query(sql, params);
    }
    Status DoScript(std::string_view script) override { return writer_.Exec(script); }

private:
    SqliteConnection& writer_;
};

// Connections lent to one caller at a time. A caller finding none free waits on a condition
// variable for at most the busy timeout. The writer is a pool of one.
class SqlitePool {
public:
    // Gives the connection back to the pool when it goes out of scope.
    class Lease {
    public:
        Lease(SqlitePool* pool, SqliteConnection* conn) : pool_(pool), conn_(conn) {}
        Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::exchange(other.conn_, nullptr)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_ != nullptr) {
                pool_->Release(conn_);
            }
        }
        SqliteConnection& operator*() const { return *conn_; }
        SqliteConnection* operator->() const { return conn_; }

    private:
        SqlitePool* pool_;
        SqliteConnection* conn_;
    };

    SqlitePool(std::vector<std::unique_ptr<SqliteConnection>> conns, std::chrono::milliseconds timeout,
               std::atomic<int>& in_use, std::atomic<std::int64_t>& waits)
        : conns_(std::move(conns)), timeout_(timeout), in_use_(in_use), waits_(waits) {
        for (const auto& conn : conns_) {
            idle_.push_back(conn.get());
        }
    }

    std::size_t size() const { return conns_.size(); }

    Result<Lease> Acquire() {
        std::unique_lock<std::mutex> lock(mu_);
        if (idle_.empty()) {
            ++waits_;
            if (!cv_.wait_for(lock, timeout_, [this] { return !idle_.empty(); })) {
                return internal::Busy("等待数据库连接超时");
            }
        }
        SqliteConnection* conn = idle_.back();
        idle_.pop_back();
        ++in_use_;
        return Lease(this, conn);
    }

private:
    void Release(SqliteConnection* conn) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            idle_.push_back(conn);
            --in_use_;
        }
        cv_.notify_one();
    }

    const std::vector<std::unique_ptr<SqliteConnection>> conns_;  // owns every connection
    const std::chrono::milliseconds timeout_;
    std::atomic<int>& in_use_;
    std::atomic<std::int64_t>& waits_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<SqliteConnection*> idle_;  // guarded by mu_
};

class SqliteDatabase final : public Database {
public:
    SqliteDatabase(const Options& options, std::vector<std::unique_ptr<SqliteConnection>> writer,
                   std::vector<std::unique_ptr<SqliteConnection>> readers)
        : writer_(std::move(writer), options.busy_timeout, in_use_, waits_),
          readers_(std::move(readers), options.busy_timeout, in_use_, waits_) {}

    Backend backend() const override { return Backend::kSqlite; }

    Result<ResultSet> Query(std::string_view sql, const Params& params) override {
        if (internal::TransactionScope::Active(this)) {
            return internal::ReentrantCall();
        }
        if (readers_.size() > 0 && internal::LooksLikeRead(sql)) {
            auto reader = readers_.Acquire();
            if (!reader.ok()) {
                return reader.error();
            }
            auto stmt = (*reader)->Prepare(sql);
            if (!stmt.ok()) {
                return stmt.error();
            }
            if (SqliteConnection::IsReadOnly(*stmt)) {
                return (*reader)->Run(*stmt, params);
            }
        }
        auto writer = writer_.Acquire();
        if (!writer.ok()) {
            return writer.error();
        }
        auto rs = (*writer)->Query(sql, params);
        if (!(*writer)->InAutocommit()) {
            // A BEGIN sent through Query() would make later writes of other callers join it.
            (void)(*writer)->Exec("ROLLBACK");
            return internal::Misuse("事务请用 Transaction() 执行，不能用 Query() 开启");
        }
        return rs;
    }

    Status Transaction(const std::function<Status(Connection&)>& fn) override { return Run(fn, false); }
    Status DurableTransaction(const std::function<Status(Connection&)>& fn) override { return Run(fn, true); }

    Status Run(const std::function<Status(Connection&)>& fn, bool durable) {
        if (internal::TransactionScope::Active(this)) {
            return internal::ReentrantCall();
        }
        auto lease = writer_.Acquire();
        if (!lease.ok()) {
            return lease.error();
        }
        SqliteConnection& writer = **lease;
        if (durable) DANGAN_TRY(writer.Exec("PRAGMA synchronous = FULL"));
        struct Restore {
            SqliteConnection& writer;
            bool durable;
            ~Restore() {
                if (durable) (void)writer.Exec("PRAGMA synchronous = NORMAL");
            }
        } restore{writer, durable};
        // IMMEDIATE takes the write lock now, so a concurrent writer in another process makes
        // us wait on the busy timeout here instead of failing at the first write.
        DANGAN_TRY(writer.Exec("BEGIN IMMEDIATE"));
        SqliteTransactionConnection conn(writer);
        return internal::FinishTransaction(
            this, conn, fn, [&writer] { return writer.Exec("COMMIT"); },
            [&writer] {
                if (!writer.InAutocommit()) {
                    (void)writer.Exec("ROLLBACK");
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
        PoolStats stats;
        stats.size = static_cast<int>(writer_.size() + readers_.size());
        stats.in_use = in_use_.load();
        stats.waits = waits_.load();
        return stats;
    }

    Result<int> Migrate() override { return internal::MigrateEmbedded(*this); }
    Result<int> SchemaVersion() override { return internal::SchemaVersionOutsideTransaction(*this); }

private:
    // Declared before the pools, which hold references to them.
    std::atomic<int> in_use_{0};
    std::atomic<std::int64_t> waits_{0};
    SqlitePool writer_;   // the one connection that writes
    SqlitePool readers_;  // read-only connections for reads outside transactions
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& url, const std::string& path, const Options& options) {
    auto writer = SqliteConnection::Open(path, /*read_only=*/false, options.busy_timeout);
    if (!writer.ok()) {
        return internal::OpenFailed(url, writer.error().message);
    }
    std::vector<std::unique_ptr<SqliteConnection>> readers;
    for (int i = 0; i < options.pool_size; ++i) {
        auto reader = SqliteConnection::Open(path, /*read_only=*/true, options.busy_timeout);
        if (!reader.ok()) {
            return internal::OpenFailed(url, reader.error().message);
        }
        readers.push_back(std::move(*reader));
    }
    std::vector<std::unique_ptr<SqliteConnection>> writers;
    writers.push_back(std::move(*writer));
    return std::unique_ptr<Database>(std::make_unique<SqliteDatabase>(options, std::move(writers), std::move(readers)));
}

}  // namespace dangan::db
