#pragma once

// Logging through spdlog with one line per event: plain text for people or JSON lines for
// log collectors. Each line carries the id of the request being served on this thread,
// set by the HTTP layer with RequestIdScope. Times are ISO 8601 in Asia/Shanghai.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::core {

// Installs the default logger writing to stderr. `level`: trace|debug|info|warn|error;
// `format`: plain|json. Call once at start-up, before threads are started.
Status InitLogging(const std::string& level, const std::string& format);

// Sets the request id reported by log lines written on this thread while in scope.
class RequestIdScope {
public:
    explicit RequestIdScope(std::string_view id);
    ~RequestIdScope();
    RequestIdScope(const RequestIdScope&) = delete;
    RequestIdScope& operator=(const RequestIdScope&) = delete;

private:
    std::string previous_;
};

// The request id of this thread ("" outside a request).
const std::string& CurrentRequestId();

// Escapes `s` for use inside a JSON string literal (no quotes added).
std::string JsonEscape(std::string_view s);

}  // namespace dangan::core
