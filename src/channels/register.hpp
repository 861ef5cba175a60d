#pragma once

// Channels beyond the web app (src/channels/README.md): speech for the hall robot
// (GET /api/v1/tts, tts.hpp) and the WeChat Official Account callback (/wechat/callback).

namespace dangan::http {
struct App;
}

namespace dangan::channels {

// Adds GET /api/v1/tts and GET/POST /wechat/callback (404 while wechat.token is empty); an
// agent's reply to a WeChat chat session is sent through the customer-service message API.
void Register(http::App& app);

}  // namespace dangan::channels
