#pragma once

namespace dangan::http {
struct App;
}

namespace dangan::notify {

// Creates the SMS Sender with the gateway notify.sms_gateway names, starts it and stores it in
// app.sms_sender. Adds no routes. When the gateway cannot be built (e.g. "http" without
// notify.http_url) it logs the error and leaves app.sms_sender empty: messages stay queued
// until a node with a usable configuration sends them.
void Register(http::App& app);

}  // namespace dangan::notify
