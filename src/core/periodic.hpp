#pragma once

// A background thread that runs one piece of work now and then every `interval` (or sooner
// when woken) until stopped: the scheduled jobs of a node (the appointments' no-show sweep).
// Work that must not run twice across nodes claims its rows in the database; this class only
// decides when a node looks.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace dangan::core {

class Periodic {
public:
    Periodic(std::chrono::milliseconds interval, std::function<void()> work)
        : interval_(interval), work_(std::move(work)) {}
    ~Periodic() { Stop(); }
    Periodic(const Periodic&) = delete;
    Periodic& operator=(const Periodic&) = delete;

    // Starts the thread (once): a run at once, then every interval.
    void Start();
    // Asks for a run now.
    void Wake();
    // Lets a run in progress finish, then joins. Idempotent.
    void Stop();

private:
    void Loop();

    std::chrono::milliseconds interval_;
    std::function<void()> work_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stopping_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace dangan::core
