#include <algorithm>
#include <exception>
#include <optional>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "http/server.hpp"
#include "http/static_files.hpp"

namespace dangan::http {

const std::vector<std::pair<std::string, std::string>>& SecurityHeaders(App& app) {
    std::call_once(app.security_headers_once, [&app] {
        // kiosk.card_reader_url was checked to hold no CSP syntax (no spaces, quotes, ';' or ',').
        std::string csp = fmt::format(
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
            "connect-src 'self' {}; font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'",
            core::UrlOrigin(app.config.kiosk.card_reader_url));
        app.security_headers = {
            {"Content-Security-Policy", std::move(csp)},
            {"X-Content-Type-Options", "nosniff"},
            {"X-Frame-Options", "DENY"},
            {"Referrer-Policy", "same-origin"},
            {"Cross-Origin-Opener-Policy", "same-origin"},
            {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"},
        };
    });
    return app.security_headers;
}

namespace {

std::string AllowHeader(const std::vector<Method>& methods) {
    std::string out;
    for (Method m : methods) {
        out += (out.empty() ? "" : ", ") + std::string(MethodName(m));
        if (m == Method::kGet) out += ", HEAD";
    }
    return out;
}

Response RouteRequest(App& app, Request& request, std::optional<RouteMatch> found, std::size_t& slot) {
    RouteMatch match = found ? std::move(*found) : app.router.Find(request.method, request.path);
    if (match.route != nullptr) {
        slot = match.route->id;
        request.path_params = std::move(match.params);
        if (app.guard) {
            if (Status s = app.guard->Authenticate(request); !s) return Response::FromError(s.error());
            if (Status s = app.guard->Authorize(*match.route, request); !s) return Response::FromError(s.error());
        } else if (!match.route->access.IsPublic()) {  // deny by default
            return Response::FromError(MakeError(ErrorCode::kForbidden, "无权访问", "", "forbidden"));
        }
        try {
            return match.route->handler(request);
        } catch (const std::exception& e) {
            spdlog::error("handler {} failed: {}", match.route->Label(), e.what());
        } catch (...) {
            spdlog::error("handler {} failed with a non-standard exception", match.route->Label());
        }
        return Response::FromError(MakeError(ErrorCode::kInternal, "服务器内部错误，请稍后再试", "", "internal"));
    }
    if (!match.allowed.empty()) {
        slot = app.metrics.UnmatchedSlot();
        Response r = Response::FromError(MakeError(ErrorCode::kMethodNotAllowed, "该地址不支持此请求方法", "",
                                                   "method_not_allowed"));
        r.Header("Allow", AllowHeader(match.allowed));
        return r;
    }
    bool files = !app.config.server.web_root.empty();
    if (files && (request.method == Method::kGet || request.method == Method::kHead)) {
        if (auto page = ServeStatic(app.config.server.web_root, request.path)) {
            slot = app.metrics.StaticSlot();
            return *page;
        }
    }
    slot = app.metrics.UnmatchedSlot();
    bool api = !files || request.path == "/api" || request.path.rfind("/api/", 0) == 0;
    if (!api) {
        Response r = Response::FromError(MakeError(ErrorCode::kMethodNotAllowed, "该地址不支持此请求方法", "",
                                                   "method_not_allowed"));
        r.Header("Allow", "GET, HEAD");
        return r;
    }
    return Response::FromError(MakeError(ErrorCode::kNotFound, "请求的接口不存在", "", "not_found"));
}

}  // namespace

Response Dispatch(App& app, Request& request, std::optional<RouteMatch> match) {
    auto start = std::chrono::steady_clock::now();
    std::size_t slot = app.metrics.UnmatchedSlot();
    if (!match) match = app.router.Find(request.method, request.path);
    request.max_body_bytes = match->route && match->route->max_body_bytes != 0
                                 ? match->route->max_body_bytes
                                 : static_cast<std::size_t>(app.config.server.max_body_bytes);
    request.max_json_depth = static_cast<int>(app.config.server.max_json_depth);
    Response response = request.body.size() > request.max_body_bytes
                            ? Response::FromError(MakeError(
                                  ErrorCode::kPayloadTooLarge,
                                  "请求体过大，最多 " + std::to_string(request.max_body_bytes / 1024) + " KB", "body",
                                  "payload_too_large"))
                            : RouteRequest(app, request, std::move(match), slot);
    const auto& security = SecurityHeaders(app);
    response.headers.reserve(response.headers.size() + security.size() + 1);
    // A handler may set one of these itself (a PDF that our own pages show in a frame sets
    // X-Frame-Options and frame-ancestors to same origin); the defaults fill in the rest.
    for (const auto& h : security) {
        const bool set = std::any_of(response.headers.begin(), response.headers.end(),
                                     [&](const auto& mine) { return mine.first == h.first; });
        if (!set) response.headers.push_back(h);
    }
    response.Header("X-Request-Id", request.request_id);
    app.metrics.Record(slot, response.status, std::chrono::steady_clock::now() - start);
    return response;
}

}  // namespace dangan::http
