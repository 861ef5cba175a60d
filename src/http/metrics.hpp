#pragma once

// Request counters and latency histograms per route, kept in lock-free atomics so that
// recording costs a few increments. Slots are created once, before serving starts.
// Rendered in the Prometheus text format by RenderPrometheus().

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dangan::http {

class Metrics {
public:
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

    // Declares the route labels; slot i records route i. Call before Record().
    void SetRoutes(const std::vector<std::string>& labels);

    // Slots for requests that matched no route.
    std::size_t StaticSlot() const { return labels_.size(); }
    std::size_t UnmatchedSlot() const { return labels_.size() + 1; }

    void Record(std::size_t slot, int status, std::chrono::steady_clock::duration elapsed);

    // Prometheus text exposition of every series, followed by `extra` (already formatted).
    std::string RenderPrometheus(const std::string& extra) const;

private:
    struct Series {
        std::array<std::atomic<std::uint64_t>, 5> by_class{};  // 1xx..5xx
        std::array<std::atomic<std::uint64_t>, kBuckets.size()> buckets{};
        std::atomic<std::uint64_t> count{0};
        std::atomic<std::uint64_t> sum_micros{0};
    };
    std::vector<std::string> labels_;
    std::unique_ptr<Series[]> series_;
};

}  // namespace dangan::http
