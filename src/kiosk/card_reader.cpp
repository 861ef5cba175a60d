#include "kiosk/card_reader.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"

namespace dangan::kiosk {

std::optional<IdCard> CardSlot::Get() const {
    std::lock_guard lock(mutex_);
    return card_;
}

void CardSlot::Place(IdCard card) {
    std::lock_guard lock(mutex_);
    card_ = std::move(card);
}

bool CardSlot::Remove() {
    std::lock_guard lock(mutex_);
    bool had = card_.has_value();
    card_.reset();
    return had;
}

std::vector<std::string> DefaultAllowedOrigins() { return {"http://127.0.0.1:8080", "http://localhost:8080"}; }

Result<std::string> ParseAllowedOrigin(std::string_view text) {
    auto bad = [&](const std::string& why) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--allow-origin " + std::string(text) + " 不是有效的来源：" + why +
                             "（例如 http://127.0.0.1:8080，末尾不加斜杠）",
                         "allow_origin", "invalid_origin");
    };
    std::string origin(text);
    for (auto& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view rest(origin);
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else {
        return bad("应以 http:// 或 https:// 开头");
    }
    if (rest.empty()) return bad("缺少主机名");
    for (char c : rest) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == ':' || c == '[' ||
                  c == ']' || c == '_';
        if (!ok) return bad("主机名后不能有路径、查询或其他字符");
    }
    return origin;
}

namespace {

using http::Request;
using http::Response;

Response Refuse(std::string message, std::string reason) {
    Response r = Response::FromError(MakeError(ErrorCode::kForbidden, std::move(message), "", std::move(reason)));
    r.Header("Cache-Control", "no-store");
    return r;
}

bool HostAllowed(const Request& request, int port) {
    auto host = request.Header("host");
    if (!host) return false;
    std::string h(*host);
    for (auto& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string suffix = ":" + std::to_string(port);
    return h == "127.0.0.1" + suffix || h == "localhost" + suffix;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Checks run before every /card handler: the Host (DNS rebinding) and, for the page-facing
// GET/OPTIONS, the Origin. Gives the refusal, or nothing when the request may go on.
std::optional<Response> CheckHost(const Request& request, const BridgePolicy& policy) {
    if (HostAllowed(request, policy.port)) return std::nullopt;
    return Refuse("读卡器只接受本机地址 127.0.0.1 或 localhost 的请求", "host_not_allowed");
}

std::optional<Response> CheckPageOrigin(const Request& request, const BridgePolicy& policy) {
    auto origin = request.Header("origin");
    if (!origin || Contains(policy.allowed_origins, *origin)) return std::nullopt;
    return Refuse("该网页无权读取身份证读卡器", "origin_not_allowed");
}

// PUT/DELETE place and take the simulated card: for curl and the tests, never for a page.
std::optional<Response> CheckControlOrigin(const Request& request, const BridgePolicy& policy) {
    auto origin = request.Header("origin");
    if (!origin) return std::nullopt;
    const std::string port = std::to_string(policy.port);
    if (*origin == "http://127.0.0.1:" + port || *origin == "http://localhost:" + port) return std::nullopt;
    return Refuse("网页不能放置或取走模拟读卡器上的身份证", "origin_not_allowed");
}

// An answer to a page: its (allowed) Origin echoed, so only that page may read it.
Response ForPage(const Request& request, Response r) {
    r.Header("Cache-Control", "no-store");
    r.Header("Vary", "Origin");
    if (auto origin = request.Header("origin")) r.Header("Access-Control-Allow-Origin", std::string(*origin));
    return r;
}

Response NoStore(Response r) {
    r.Header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void RegisterCardReaderRoutes(http::App& app, CardSlot& slot, BridgePolicy policy) {
    using http::Access;
    using http::Method;
    // The handlers answer from memory: inline, no handler pool needed.
    const auto inline_ = http::Execution::kInline;
    auto shared = std::make_shared<const BridgePolicy>(std::move(policy));

    app.router.Add(
        Method::kGet, "/card", Access::Public(),
        [&slot, shared](Request& request) {
            if (auto refused = CheckHost(request, *shared)) return *refused;
            if (auto refused = CheckPageOrigin(request, *shared)) return *refused;
            auto card = slot.Get();
            if (!card) return ForPage(request, Response::Json({{"error", "no_card"}}, 404));
            return ForPage(request, Response::Json(IdCardJson(*card)));
        },
        inline_);

    app.router.Add(
        Method::kOptions, "/card", Access::Public(),
        [shared](Request& request) {
            if (auto refused = CheckHost(request, *shared)) return *refused;
            Response r;
            r.status = 204;
            if (!request.Header("origin")) {  // not a preflight
                r.Header("Allow", "GET, HEAD, PUT, DELETE, OPTIONS");
                return NoStore(std::move(r));
            }
            if (auto refused = CheckPageOrigin(request, *shared)) return *refused;
            // A page on the platform's public address reaching 127.0.0.1 needs the
            // private-network permission; pages may only read.
            r.Header("Access-Control-Allow-Methods", "GET");
            r.Header("Access-Control-Allow-Private-Network", "true");
            r.Header("Access-Control-Max-Age", "600");
            return ForPage(request, std::move(r));
        },
        inline_);

    app.router.Add(
        Method::kPut, "/card", Access::Public(),
        [&app, &slot, shared](Request& request) {
            if (auto refused = CheckHost(request, *shared)) return *refused;
            if (auto refused = CheckControlOrigin(request, *shared)) return *refused;
            auto body = request.Json();
            if (!body) return NoStore(Response::FromError(body.error()));
            auto card = ParseIdCard(*body, core::BusinessDate(app.clock->Now()));
            if (!card) return NoStore(Response::FromError(card.error()));
            spdlog::info("card placed: {} {}", card->name, core::MaskIdNumber(card->id_number));
            slot.Place(*card);
            return NoStore(Response::Json(IdCardJson(*card)));
        },
        inline_);

    app.router.Add(
        Method::kDelete, "/card", Access::Public(),
        [&slot, shared](Request& request) {
            if (auto refused = CheckHost(request, *shared)) return *refused;
            if (auto refused = CheckControlOrigin(request, *shared)) return *refused;
            if (slot.Remove()) spdlog::info("card removed");
            Response r;
            r.status = 204;
            return NoStore(std::move(r));
        },
        inline_);
}

}  // namespace dangan::kiosk
