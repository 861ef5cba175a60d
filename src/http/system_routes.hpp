#pragma once

#include <nlohmann/json_fwd.hpp>

#include "http/app.hpp"

namespace dangan::http {

// /healthz (the process answers), /readyz (the database answers and we are not stopping),
// /metrics (Prometheus text) and GET /api/v1/info (name, version, revision, backend, and the
// kiosk's card reader bridge URL).
// Also POST /api/v1/client-errors, where the web apps report their uncaught errors.
void RegisterSystemRoutes(App& app);

// A front-end error report: app name, message and page URL, validated.
struct ClientError {
    std::string app;
    std::string message;
    std::string url;
};
Result<ClientError> ParseClientError(const nlohmann::json& body);

}  // namespace dangan::http
