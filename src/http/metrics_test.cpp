#include "http/metrics.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace dangan::http {
namespace {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& line) { return text.find(line) != std::string::npos; }

TEST(Metrics, RecordBeforeSetRoutesIsIgnored) {
    Metrics metrics;
    metrics.Record(0, 200, 1ms);
    std::string text = metrics.RenderPrometheus("");
    EXPECT_TRUE(Contains(text, "# TYPE dangan_http_requests_total counter\n")) << text;
    EXPECT_TRUE(Contains(text, "# TYPE dangan_http_request_duration_seconds histogram\n")) << text;
    EXPECT_FALSE(Contains(text, "route=")) << text;
}

TEST(Metrics, CountsByRouteAndStatusClass) {
    Metrics metrics;
    metrics.SetRoutes({"GET /api/v1/info", "POST /api/v1/things"});
    metrics.Record(0, 200, 1ms);
    metrics.Record(0, 204, 1ms);
    metrics.Record(0, 304, 1ms);
    metrics.Record(1, 422, 1ms);
    metrics.Record(1, 500, 1ms);
    metrics.Record(1, 503, 1ms);
    std::string text = metrics.RenderPrometheus("");
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"GET /api/v1/info\",status=\"2xx\"} 2\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"GET /api/v1/info\",status=\"3xx\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"POST /api/v1/things\",status=\"4xx\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"POST /api/v1/things\",status=\"5xx\"} 2\n")) << text;
    // Classes with no requests are not written.
    EXPECT_FALSE(Contains(text, "route=\"GET /api/v1/info\",status=\"4xx\"")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_request_duration_seconds_count{route=\"GET /api/v1/info\"} 3\n")) << text;
}

TEST(Metrics, StaticAndUnmatchedSlots) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    EXPECT_EQ(metrics.StaticSlot(), 1u);
    EXPECT_EQ(metrics.UnmatchedSlot(), 2u);
    metrics.Record(metrics.StaticSlot(), 200, 1ms);
    metrics.Record(metrics.UnmatchedSlot(), 404, 1ms);
    metrics.Record(metrics.UnmatchedSlot(), 405, 1ms);
    std::string text = metrics.RenderPrometheus("");
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"static\",status=\"2xx\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"unmatched\",status=\"4xx\"} 2\n")) << text;
    EXPECT_FALSE(Contains(text, "route=\"GET /a\"")) << text;  // nothing recorded for it
}

TEST(Metrics, SlotBeyondTheTableIsIgnored) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    metrics.Record(3, 200, 1ms);
    metrics.Record(1000, 200, 1ms);
    EXPECT_FALSE(Contains(metrics.RenderPrometheus(""), "status=")) << metrics.RenderPrometheus("");
}

TEST(Metrics, HistogramIsCumulativeWithInfSumAndCount) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    metrics.Record(0, 200, 300us);  // first bucket, 0.0005
    metrics.Record(0, 200, 1ms);    // exactly on the 0.001 bound: counted in it
    metrics.Record(0, 200, 3ms);    // 0.005
    metrics.Record(0, 200, 3s);     // beyond the last bucket: only +Inf
    std::string text = metrics.RenderPrometheus("");
    const std::string prefix = "dangan_http_request_duration_seconds_bucket{route=\"GET /a\",le=";
    EXPECT_TRUE(Contains(text, prefix + "\"0.0005\"} 1\n")) << text;
    EXPECT_TRUE(Contains(text, prefix + "\"0.001\"} 2\n")) << text;
    EXPECT_TRUE(Contains(text, prefix + "\"0.0025\"} 2\n")) << text;
    EXPECT_TRUE(Contains(text, prefix + "\"0.005\"} 3\n")) << text;
    EXPECT_TRUE(Contains(text, prefix + "\"2.5\"} 3\n")) << text;
    EXPECT_TRUE(Contains(text, prefix + "\"+Inf\"} 4\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_request_duration_seconds_sum{route=\"GET /a\"} 3.004300\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_request_duration_seconds_count{route=\"GET /a\"} 4\n")) << text;
}

TEST(Metrics, BucketsAreIncreasing) {
    for (std::size_t i = 1; i < Metrics::kBuckets.size(); ++i) {
        EXPECT_LT(Metrics::kBuckets[i - 1], Metrics::kBuckets[i]);
    }
}

TEST(Metrics, EveryBucketLineIsWrittenInOrder) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    metrics.Record(0, 200, 10ms);
    std::string text = metrics.RenderPrometheus("");
    std::size_t position = 0;
    int buckets = 0;
    while ((position = text.find("_bucket{route=\"GET /a\"", position)) != std::string::npos) {
        ++buckets;
        ++position;
    }
    EXPECT_EQ(buckets, static_cast<int>(Metrics::kBuckets.size()) + 1);  // and +Inf
    EXPECT_LT(text.find("le=\"0.0005\""), text.find("le=\"2.5\""));
    EXPECT_LT(text.find("le=\"2.5\""), text.find("le=\"+Inf\""));
}

TEST(Metrics, LabelsAreEscaped) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a\"b\\c\nd"});
    metrics.Record(0, 200, 1ms);
    std::string text = metrics.RenderPrometheus("");
    EXPECT_TRUE(Contains(text, "route=\"GET /a\\\"b\\\\c\\nd\",status=\"2xx\"} 1\n")) << text;
}

TEST(Metrics, ExtraTextIsAppendedAtTheEnd) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    metrics.Record(0, 200, 1ms);
    const std::string extra = "# TYPE dangan_db_pool_size gauge\ndangan_db_pool_size 4\n";
    std::string text = metrics.RenderPrometheus(extra);
    ASSERT_GE(text.size(), extra.size());
    EXPECT_EQ(text.substr(text.size() - extra.size()), extra);
}

TEST(Metrics, ConcurrentRecordsAreAllCounted) {
    Metrics metrics;
    metrics.SetRoutes({"GET /a"});
    constexpr int kThreads = 4;
    constexpr int kPerThread = 20000;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&metrics] {
            for (int i = 0; i < kPerThread; ++i) metrics.Record(0, 200, 100us);
        });
    }
    for (auto& t : threads) t.join();
    std::string text = metrics.RenderPrometheus("");
    std::string total = std::to_string(kThreads * kPerThread);
    EXPECT_TRUE(Contains(text, "dangan_http_requests_total{route=\"GET /a\",status=\"2xx\"} " + total + "\n")) << text;
    EXPECT_TRUE(Contains(text, "le=\"0.0005\"} " + total + "\n")) << text;
    EXPECT_TRUE(Contains(text, "dangan_http_request_duration_seconds_sum{route=\"GET /a\"} 8.000000\n")) << text;
}

}  // namespace
}  // namespace dangan::http
