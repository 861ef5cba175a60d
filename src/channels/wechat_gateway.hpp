#pragma once

// Sending to a WeChat user outside a passive reply: the customer-service message API
// (客服消息, POST {api_base}/cgi-bin/message/custom/send?access_token=…). Used when an answer
// misses the callback's reply budget and when a 在线客服 agent replies to a WeChat session.
// Like notify's SMS gateways (notify/gateway.hpp): an interface, an HTTP implementation, and a
// file implementation for demos and tests (wechat.outbox_file, one JSON line per message).

#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/result.hpp"

namespace dangan::channels {

class CustomerServiceGateway {
public:
    virtual ~CustomerServiceGateway() = default;
    // Sends a text message to the user `openid`. Thread-safe.
    virtual Status SendText(const std::string& openid, const std::string& text) = 0;
};

// The message body the API takes: {"touser","msgtype":"text","text":{"content"}}.
std::string CustomerServiceBody(const std::string& openid, const std::string& text);

// Appends {"at", …body} as one line to `path` (its folder created when missing).
class FileCustomerService final : public CustomerServiceGateway {
public:
    FileCustomerService(std::string path, const core::Clock& clock) : path_(std::move(path)), clock_(clock) {}
    Status SendText(const std::string& openid, const std::string& text) override;

private:
    std::string path_;
    const core::Clock& clock_;
    std::mutex mutex_;
};

// libcurl against the WeChat API; the access token (cgi-bin/token with app_id and app_secret) is
// cached until shortly before it expires, and fetched again once when WeChat says it is invalid.
class HttpCustomerService final : public CustomerServiceGateway {
public:
    HttpCustomerService(std::string api_base, std::string app_id, std::string app_secret, const core::Clock& clock)
        : api_base_(std::move(api_base)),
          app_id_(std::move(app_id)),
          app_secret_(std::move(app_secret)),
          clock_(clock) {}
    Status SendText(const std::string& openid, const std::string& text) override;

private:
    Result<std::string> Token(bool refresh);

    std::string api_base_, app_id_, app_secret_;
    const core::Clock& clock_;
    std::mutex mutex_;  // guards the token
    std::string token_;
    core::TimePoint token_expires_{};
};

// outbox_file set → FileCustomerService; else HttpCustomerService (app_id and app_secret needed:
// without them, nullptr and sending is impossible).
std::unique_ptr<CustomerServiceGateway> MakeCustomerService(const core::Config::Wechat& wechat,
                                                            const core::Clock& clock);

}  // namespace dangan::channels
