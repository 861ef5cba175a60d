#include "core/periodic.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace dangan::core {
namespace {

using namespace std::chrono_literals;

TEST(Periodic, RunsAtOnceAndWhenWoken) {
    std::atomic<int> runs{0};
    std::mutex m;
    std::condition_variable cv;
    Periodic job(1h, [&] {
        ++runs;
        cv.notify_all();
    });
    job.Start();
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return runs.load() >= 1; }));
    job.Wake();
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return runs.load() >= 2; }));
    lock.unlock();
    job.Stop();
    const int after_stop = runs.load();
    job.Wake();
    std::this_thread::sleep_for(20ms);
    EXPECT_EQ(runs.load(), after_stop);
}

TEST(Periodic, AJobThatThrowsRunsAgainNextRound) {
    std::atomic<int> runs{0};
    std::mutex m;
    std::condition_variable cv;
    Periodic job(1h, [&] {
        ++runs;
        cv.notify_all();
        throw std::runtime_error("the database went away");
    });
    job.Start();
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return runs.load() >= 1; }));
    job.Wake();
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return runs.load() >= 2; }));
    lock.unlock();
    job.Stop();
}

TEST(Periodic, StopWithoutStartIsHarmless) {
    Periodic job(1s, [] {});
    job.Stop();
    job.Stop();
}

}  // namespace
}  // namespace dangan::core
