#include "kiosk/card_reader.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <utility>

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

namespace {

// The kiosk page (any origin: the platform's address differs per deployment) reads the bridge
// with fetch; a public page reaching 127.0.0.1 also needs the private-network preflight answered.
http::Response WithCors(http::Response r) {
    r.Header("Access-Control-Allow-Origin", "*");
    r.Header("Cache-Control", "no-store");
    return r;
}

}  // namespace

void RegisterCardReaderRoutes(http::App& app, CardSlot& slot) {
    using http::Access;
    using http::Method;
    using http::Request;
    using http::Response;

    app.router.Add(Method::kGet, "/card", Access::Public(), [&slot](Request&) {
        auto card = slot.Get();
        if (!card) return WithCors(Response::Json({{"error", "no_card"}}, 404));
        return WithCors(Response::Json(IdCardJson(*card)));
    });

    app.router.Add(Method::kPut, "/card", Access::Public(), [&app, &slot](Request& request) {
        auto body = request.Json();
        if (!body) return WithCors(Response::FromError(body.error()));
        auto card = ParseIdCard(*body, core::BusinessDate(app.clock->Now()));
        if (!card) return WithCors(Response::FromError(card.error()));
        spdlog::info("card placed: {} {}", card->name, core::MaskIdNumber(card->id_number));
        slot.Place(*card);
        return WithCors(Response::Json(IdCardJson(*card)));
    });

    app.router.Add(Method::kDelete, "/card", Access::Public(), [&slot](Request&) {
        if (slot.Remove()) spdlog::info("card removed");
        Response r;
        r.status = 204;
        return WithCors(std::move(r));
    });

    app.router.Add(Method::kOptions, "/card", Access::Public(), [](Request&) {
        Response r;
        r.status = 204;
        r.Header("Access-Control-Allow-Methods", "GET, PUT, DELETE, OPTIONS");
        r.Header("Access-Control-Allow-Headers", "Content-Type");
        r.Header("Access-Control-Allow-Private-Network", "true");
        r.Header("Access-Control-Max-Age", "600");
        return WithCors(std::move(r));
    });
}

}  // namespace dangan::kiosk
