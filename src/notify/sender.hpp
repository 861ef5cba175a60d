#pragma once

// The background sender of the SMS outbox (App::sms_sender). Several server nodes may run one
// each on the same database: a message is claimed with a conditional UPDATE (queued → sending
// with a lease) and only the node whose UPDATE changed the row sends it. A node that dies
// mid-send leaves a claim whose lease runs out; the next RunOnce on any node puts it back in
// the queue (counting an attempt, since the message may or may not have gone out: delivery is
// at least once). After a failure the message waits kBackoffBase × 2^(failures − 1), at most
// kBackoffCap, and after max_attempts failures it is marked 'failed' with the last error.
//
// Thread-safe: RunOnce may be called from any thread, also while the background thread runs.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"
#include "notify/gateway.hpp"

namespace dangan::notify {

inline constexpr std::chrono::milliseconds kBackoffBase{5000};
inline constexpr std::chrono::milliseconds kBackoffCap{3600 * 1000};

// How long to wait after the `failures`-th failed attempt (failures ≥ 1): 5 s, 10 s, 20 s, … 1 h.
std::chrono::milliseconds BackoffDelay(std::int64_t failures);

struct SenderOptions {
    std::chrono::milliseconds poll_interval{1000};  // background thread: time between rounds
    std::int64_t max_attempts = 8;                  // failures before 'failed'
    std::chrono::milliseconds lease{60000};         // a claim older than this may be reclaimed
    int batch_size = 100;                           // messages looked at per query
};

class Sender {
public:
    // Borrows `db`, `keys` and `clock`, which must outlive the Sender. Does not start the thread.
    Sender(db::Database& db, const core::Keyring& keys, const core::Clock& clock, std::unique_ptr<Gateway> gateway,
           SenderOptions options);
    ~Sender();  // Stop()
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // Starts the background thread (once; later calls do nothing): a round at once, then every
    // poll_interval and whenever Wake() is called.
    void Start();
    // Ends the background thread: it finishes the message it is sending (bounded by the gateway's
    // timeout), sends no more, and is joined. Idempotent.
    void Stop();
    // Asks the background thread for a round now (e.g. right after a transaction that enqueued a
    // message committed). Cheap; does nothing when the thread is not running.
    void Wake();

    // One round on the calling thread, at the clock's current time: returns claims whose lease
    // ran out to the queue, then claims and sends every due message, one at a time. Returns how
    // many messages it tried to send (sent or failed). A database error ends the round early and
    // is returned; the messages stay in the outbox.
    Result<int> RunOnce();

private:
    struct Claimed;
    // RunOnce; the background thread's rounds (`from_thread`) also stop early on Stop().
    Result<int> Round(bool from_thread);
    Status Reclaim(std::int64_t now_ms);
    Status Deliver(const Claimed& message);
    void Loop();

    db::Database& db_;
    const core::Keyring& keys_;
    const core::Clock& clock_;
    std::unique_ptr<Gateway> gateway_;
    SenderOptions options_;

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;  // guarded by mutex_
    bool woken_ = false;     // guarded by mutex_
    std::thread thread_;     // started and joined under start_stop_
    std::mutex start_stop_;
};

}  // namespace dangan::notify
