#include "notify/register.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "http/app.hpp"
#include "notify/gateway.hpp"
#include "notify/sender.hpp"

namespace dangan::notify {

void Register(http::App& app) {
    const auto& notify = app.config.notify;
    auto gateway = MakeGateway(notify, *app.clock);
    if (!gateway) {
        spdlog::error("sms sender not started, messages stay queued: {}", gateway.error().message);
        return;
    }
    SenderOptions options;
    options.poll_interval = std::chrono::milliseconds(notify.poll_interval_ms);
    options.max_attempts = notify.max_attempts;
    // A claim must outlive the slowest call to the provider, or another node would resend.
    options.lease = std::max(std::chrono::milliseconds(60000), std::chrono::milliseconds(4 * notify.http_timeout_ms));
    auto sender = std::make_shared<Sender>(*app.db, app.keyring, *app.clock, std::move(*gateway), options);
    if (app.background_jobs) sender->Start();
    app.sms_sender = std::move(sender);
    spdlog::debug("sms sender started ({} gateway, every {} ms)", notify.sms_gateway, notify.poll_interval_ms);
}

}  // namespace dangan::notify
