#pragma once

// The HTTP server: RESTinio on standalone Asio, with the request limits, security headers,
// static files, metrics and access log of the platform. This header is deliberately light;
// RESTinio and Asio are included only by server.cpp.

#include "core/result.hpp"
#include "http/app.hpp"

namespace dangan::http {

// Serves app.router on app.config.server.listen with app.config.server.threads workers until
// SIGINT or SIGTERM; then stops accepting, lets in-flight requests finish (up to
// shutdown_grace_seconds) and returns. Returns an error when the address cannot be bound.
// `on_listening` is called once the socket is bound (for "ready" messages).
Status Serve(App& app, const std::function<void(const std::string& address)>& on_listening = {});

// The headers every response carries (CSP, nosniff, frame-ancestors…).
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders();

// Dispatches one parsed request: routing, 404/405, static files, panics → 500. Used by the
// server and directly by tests. Records metrics into app.metrics.
Response Dispatch(App& app, Request& request);

}  // namespace dangan::http
