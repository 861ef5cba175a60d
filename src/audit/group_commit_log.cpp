#include "audit/group_commit_log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <vector>

#include "audit/chain.hpp"
#include "core/ids.hpp"

namespace dangan::audit {
namespace {

constexpr std::string_view kChainLock = "audit_log";

std::int64_t UnixMillis(core::TimePoint t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

GroupCommitLog::GroupCommitLog(db::Database& db, const core::Clock& clock, GroupCommitOptions options)
    : db_(db), clock_(clock), options_(options) {
    if (options_.batch_max < 1) options_.batch_max = 1;
    writer_ = std::thread([this] { Run(); });
}

GroupCommitLog::~GroupCommitLog() { Stop(); }

Status GroupCommitLog::Record(Entry entry) {
    auto clean = Sanitize(std::move(entry));
    if (!clean) return clean.error();
    Pending pending;
    pending.entry = std::move(*clean);
    pending.id = core::NewId(clock_);
    pending.at_ms = UnixMillis(clock_.Now());
    std::future<Status> done = pending.done.get_future();
    std::size_t queued = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) {
            return MakeError(ErrorCode::kUnavailable, "审计日志已停止写入，请稍后再试", "", "audit_unavailable");
        }
        queue_.push_back(std::move(pending));
        queued = queue_.size();
    }
    // The writer sleeps either for work (the first entry) or for a full batch.
    if (queued == 1 || queued >= static_cast<std::size_t>(options_.batch_max)) wake_.notify_one();
    return done.get();
}

void GroupCommitLog::Stop() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
    }
    wake_.notify_all();
    std::call_once(joined_, [this] {
        if (writer_.joinable()) writer_.join();
    });
}

GroupCommitStats GroupCommitLog::Stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stats_;
}

void GroupCommitLog::Run() {
    const auto batch_max = static_cast<std::size_t>(options_.batch_max);
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
        wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping, and everything is written
        if (queue_.size() < batch_max && !stopping_ && options_.batch_wait.count() > 0) {
            wake_.wait_for(lock, options_.batch_wait, [&] { return stopping_ || queue_.size() >= batch_max; });
        }
        std::deque<Pending> batch;
        while (!queue_.empty() && batch.size() < batch_max) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        lock.unlock();
        const auto size = static_cast<std::int64_t>(batch.size());
        Status written = WriteBatch(batch);
        if (!written) spdlog::error("audit: a batch of {} entries was not written: {}", size, written.error().message);
        lock.lock();
        if (written) {
            ++stats_.commits;
            stats_.rows += size;
            stats_.largest_batch = std::max(stats_.largest_batch, size);
        } else {
            ++stats_.failed_batches;
        }
        // After the counters, so that a caller who returns from Record() sees its batch counted.
        for (Pending& p : batch) p.done.set_value(written);
    }
}

Status GroupCommitLog::WriteBatch(std::deque<Pending>& batch) {
    std::vector<StoredRow> rows;
    rows.reserve(batch.size());
    try {
        return db_.Transaction([&](db::Connection& conn) -> Status {
            rows.clear();
            DANGAN_TRY(db::LockForTransaction(conn, kChainLock));
            auto head = ReadHead(conn);
            if (!head) return head.error();
            std::int64_t seq = head->seq;
            std::string prev = std::move(head->hash);
            for (const Pending& p : batch) {
                StoredRow row;
                row.seq = ++seq;
                row.id = p.id;
                row.at_ms = p.at_ms;
                row.entry = p.entry;
                row.prev_hash = std::move(prev);
                row.hash = ChainHash(row);
                prev = row.hash;
                rows.push_back(std::move(row));
            }
            return InsertRows(conn, rows);
        });
    } catch (const std::exception& e) {
        return MakeError(ErrorCode::kInternal, std::string("审计日志写入失败：") + e.what(), "", "audit_write_failed");
    }
}

}  // namespace dangan::audit
