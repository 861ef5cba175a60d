#include "core/periodic.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace dangan::core {

void Periodic::Start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stopping_) return;
    thread_ = std::thread([this] { Loop(); });
}

void Periodic::Wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_one();
}

void Periodic::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Periodic::Loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        woken_ = false;
        lock.unlock();
        // A job that throws must not take the node down (std::terminate): logged, retried next round.
        try {
            work_();
        } catch (const std::exception& e) {
            spdlog::error("scheduled job failed, retried in the next round: {}", e.what());
        } catch (...) {
            spdlog::error("scheduled job failed, retried in the next round");
        }
        lock.lock();
        cv_.wait_for(lock, interval_, [this] { return stopping_ || woken_; });
    }
}

}  // namespace dangan::core
