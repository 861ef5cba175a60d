#include "http/metrics.hpp"

#include <fmt/format.h>

namespace dangan::http {
namespace {

std::string EscapeLabel(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace

void Metrics::SetRoutes(const std::vector<std::string>& labels) {
    labels_ = labels;
    series_ = std::make_unique<Series[]>(labels_.size() + 2);
}

void Metrics::Record(std::size_t slot, int status, std::chrono::steady_clock::duration elapsed) {
    if (!series_ || slot > labels_.size() + 1) return;
    Series& s = series_[slot];
    int cls = status / 100;
    if (cls >= 1 && cls <= 5) s.by_class[cls - 1].fetch_add(1, std::memory_order_relaxed);
    double seconds = std::chrono::duration<double>(elapsed).count();
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) {
            s.buckets[i].fetch_add(1, std::memory_order_relaxed);
            break;  // stored non-cumulative; summed when rendered
        }
    }
    s.count.fetch_add(1, std::memory_order_relaxed);
    s.sum_micros.fetch_add(
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
        std::memory_order_relaxed);
}

std::string Metrics::RenderPrometheus(const std::string& extra) const {
    std::string out;
    out += "# HELP dangan_http_requests_total HTTP requests by route and status class.\n";
    out += "# TYPE dangan_http_requests_total counter\n";
    auto label_of = [&](std::size_t i) {
        if (i < labels_.size()) return EscapeLabel(labels_[i]);
        return std::string(i == labels_.size() ? "static" : "unmatched");
    };
    const std::size_t n = series_ ? labels_.size() + 2 : 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (int c = 0; c < 5; ++c) {
            auto v = series_[i].by_class[c].load(std::memory_order_relaxed);
            if (v == 0) continue;
            out += fmt::format("dangan_http_requests_total{{route=\"{}\",status=\"{}xx\"}} {}\n", label_of(i),
                               c + 1, v);
        }
    }
    out += "# HELP dangan_http_request_duration_seconds Time from request parsed to response queued.\n";
    out += "# TYPE dangan_http_request_duration_seconds histogram\n";
    for (std::size_t i = 0; i < n; ++i) {
        const Series& s = series_[i];
        auto count = s.count.load(std::memory_order_relaxed);
        if (count == 0) continue;
        std::string label = label_of(i);
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < kBuckets.size(); ++b) {
            cumulative += s.buckets[b].load(std::memory_order_relaxed);
            out += fmt::format("dangan_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label,
                               kBuckets[b], cumulative);
        }
        out += fmt::format("dangan_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label,
                           count);
        out += fmt::format("dangan_http_request_duration_seconds_sum{{route=\"{}\"}} {:.6f}\n", label,
                           static_cast<double>(s.sum_micros.load(std::memory_order_relaxed)) / 1e6);
        out += fmt::format("dangan_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label, count);
    }
    out += extra;
    return out;
}

}  // namespace dangan::http
