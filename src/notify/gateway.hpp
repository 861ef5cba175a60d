#pragma once

// SMS gateways: the one side effect of notify/. The Sender hands each due message to a Gateway;
// a failure (any non-ok Status, or an exception) leaves the message in the outbox for a retry.
//
// - LogGateway (notify.sms_gateway = "log", the demo): appends one line per message to a file,
//   "<ISO 8601 time>\t<full mobile number>\t<text>\n", so the demo user can read the code there,
//   and logs the message (number masked) through spdlog. Not for production: the file holds
//   personal data in clear.
// - HttpGateway ("http"): POSTs a JSON body to the provider's URL with libcurl.

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace dangan::notify {

class Gateway {
public:
    virtual ~Gateway() = default;
    // Delivers `text` to `recipient` (11-digit mobile number). Ok means the provider accepted
    // the message; an error's message says why not (stored in outbox.last_error). Thread-safe.
    virtual Status Send(const std::string& recipient, const std::string& text) = 0;
};

// Appends to `path`, creating its folder and the file when missing; the file is reopened for
// every message, so it may be rotated or removed at any time.
class LogGateway final : public Gateway {
public:
    LogGateway(std::string path, const core::Clock& clock) : path_(std::move(path)), clock_(clock) {}
    Status Send(const std::string& recipient, const std::string& text) override;

private:
    std::string path_;
    const core::Clock& clock_;
    std::mutex mutex_;  // one line at a time
};

struct HttpGatewayOptions {
    std::string url;            // http:// or https:// only; redirects are not followed
    std::string body_template;  // {{to}} and {{text}} are replaced by JSON-escaped values (without quotes)
    std::string auth_header;    // "Name: value", or empty
    long timeout_ms = 5000;     // the whole call, connection included
};

// A 2xx answer is success; any other status (with the start of the answer's body) or a
// transport error (connection refused, timeout, TLS) is a failure naming the cause.
class HttpGateway final : public Gateway {
public:
    // Fails (kInvalidArgument, reason "invalid_sms_gateway") when the URL is empty or not
    // http(s), or the auth header is not "Name: value" on one line.
    static Result<std::unique_ptr<HttpGateway>> Create(HttpGatewayOptions options);
    Status Send(const std::string& recipient, const std::string& text) override;

private:
    explicit HttpGateway(HttpGatewayOptions options) : options_(std::move(options)) {}
    HttpGatewayOptions options_;
};

// The JSON body for one message: every "{{to}}" and "{{text}}" in `body_template` replaced, in
// one pass, by the JSON string escape of `to` and `text` (so a text containing "{{to}}" stays as
// it is). Invalid UTF-8 is replaced by U+FFFD.
std::string FillBodyTemplate(std::string_view body_template, std::string_view to, std::string_view text);

// The gateway that `notify` configures: "log" → LogGateway(sms_log), "http" → HttpGateway.
// Fails (kInvalidArgument, reason "invalid_sms_gateway", field = the key) on an unknown gateway
// or an unusable http configuration.
Result<std::unique_ptr<Gateway>> MakeGateway(const core::Config::Notify& notify, const core::Clock& clock);

}  // namespace dangan::notify
