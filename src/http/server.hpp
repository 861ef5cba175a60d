#pragma once

// The HTTP server: RESTinio on standalone Asio, with the request limits, security headers,
// static files, metrics and access log of the platform. This header is deliberately light;
// RESTinio and Asio are included only by server.cpp.

#include <optional>

#include "core/result.hpp"
#include "http/app.hpp"
#include "http/router.hpp"

namespace dangan::http {

// Serves app.router on app.config.server.listen with app.config.server.threads workers until
// SIGINT or SIGTERM; then stops accepting, lets in-flight requests finish (up to
// shutdown_grace_seconds) and returns. Returns an error when the address cannot be bound.
// `on_listening` is called once the socket is bound (for "ready" messages).
Status Serve(App& app, const std::function<void(const std::string& address)>& on_listening = {});

// The headers every response carries (CSP, nosniff, frame-ancestors…). The CSP's connect-src
// allows 'self' and the origin of kiosk.card_reader_url (the kiosk reads the ID-card reader
// bridge from the page); everything else is fixed. Built once per App from its configuration.
const std::vector<std::pair<std::string, std::string>>& SecurityHeaders(App& app);

// Dispatches one parsed request: routing, 404/405, static files, panics → 500. Used by the
// server and directly by tests. Records metrics into app.metrics. An empty
// config.server.web_root serves no files: unmatched paths are JSON 404 (an API-only App such
// as the card reader simulator's).
// `match` is the router's answer for the request when the caller already asked it.
Response Dispatch(App& app, Request& request, std::optional<RouteMatch> match = std::nullopt);

}  // namespace dangan::http
