#pragma once

// The AuditLog the server uses: Record() hands its entry to one writer thread and blocks
// until the batch holding it commits. The writer takes up to `batch_max` entries, waiting at
// most `batch_wait` for company after the first, and appends them in ONE transaction that
// first takes db::LockForTransaction(conn, "audit_log") and then reads the chain's last
// (seq, hash) — so several server nodes (or processes) on one database extend one chain and
// never fork it. Do not call Record() from inside a Database::Transaction callback on the
// same database: on SQLite the writer would wait for the connection that callback holds.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "audit/audit_log.hpp"
#include "core/clock.hpp"
#include "db/database.hpp"

namespace dangan::audit {

struct GroupCommitOptions {
    std::int64_t batch_max = 256;
    std::chrono::milliseconds batch_wait{2};
};

struct GroupCommitStats {
    std::int64_t commits = 0;  // transactions committed
    std::int64_t rows = 0;     // rows committed
    std::int64_t failed_batches = 0;
    std::int64_t largest_batch = 0;
};

class GroupCommitLog final : public AuditLog {
public:
    // `db` and `clock` must outlive this object. Starts the writer thread.
    GroupCommitLog(db::Database& db, const core::Clock& clock, GroupCommitOptions options);
    // Stops (flushing what is queued).
    ~GroupCommitLog() override;
    GroupCommitLog(const GroupCommitLog&) = delete;
    GroupCommitLog& operator=(const GroupCommitLog&) = delete;

    // Thread-safe. The entry's time is taken now; its seq when its batch is written. Fails
    // with kInvalidArgument for a malformed entry (see Sanitize), with the database's error
    // when the batch could not be committed, and with kUnavailable after Stop().
    Status Record(Entry entry) override;

    // Writes everything already queued, then ends the writer. Idempotent; later Record()
    // calls fail.
    void Stop();

    GroupCommitStats Stats() const;

private:
    struct Pending {
        Entry entry;
        std::string id;
        std::int64_t at_ms = 0;
        std::promise<Status> done;
    };

    void Run();
    Status WriteBatch(std::deque<Pending>& batch);

    db::Database& db_;
    const core::Clock& clock_;
    GroupCommitOptions options_;

    mutable std::mutex mu_;
    std::condition_variable wake_;  // the writer: work arrived, or stop
    std::deque<Pending> queue_;     // guarded by mu_
    bool stopping_ = false;         // guarded by mu_
    GroupCommitStats stats_;        // guarded by mu_
    std::once_flag joined_;
    std::thread writer_;
};

}  // namespace dangan::audit
