#pragma once

// `dangan card-reader-sim`: plays the ID-card reader bridge a kiosk machine runs next to the
// browser (docs/api-archives.md, "Kiosk ID-card reader bridge"), so that the kiosk pages can be
// tried and tested without a reader. It serves the same platform HTTP stack as `dangan serve`
// (http::Serve on an App of its own, no database), bound to 127.0.0.1 only.

#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli.hpp"
#include "core/result.hpp"
#include "kiosk/id_card.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::kiosk {

// The card lying on the simulated reader, if any. Thread-safe.
class CardSlot {
public:
    std::optional<IdCard> Get() const;
    void Place(IdCard card);
    // True when a card was there.
    bool Remove();

private:
    mutable std::mutex mutex_;
    std::optional<IdCard> card_;
};

// Who may talk to the bridge. A card's fields are personal data: only the kiosk pages' own
// origins may read them from a browser, and only through the bridge's loopback names (a
// DNS-rebinding page reaches 127.0.0.1 under a Host of its own).
struct BridgePolicy {
    int port = 8765;                           // Host must be 127.0.0.1:<port> or localhost:<port>
    std::vector<std::string> allowed_origins;  // exact Origin values, as ParseAllowedOrigin gives them
};

// The origins allowed when `--allow-origin` is not given: `dangan serve` on its default address.
std::vector<std::string> DefaultAllowedOrigins();

// A `--allow-origin` value: `http://` or `https://`, a host, an optional port, nothing after
// (no path, not even "/"), as a browser sends it in Origin; scheme and host are lower-cased.
// Errors name the field allow_origin (400, Chinese).
Result<std::string> ParseAllowedOrigin(std::string_view text);

// Public routes on app.router. Every /card request whose Host is not 127.0.0.1:<port> or
// localhost:<port> is 403 host_not_allowed. GET /card → 200 the card's fields, or 404
// {"error":"no_card"}; a request from an allowed Origin gets that Origin echoed in
// Access-Control-Allow-Origin (with Vary: Origin), one from any other Origin is 403
// origin_not_allowed without CORS headers, one without Origin (curl) is answered without them.
// OPTIONS /card answers the preflight (GET only, and the private-network permission) for an
// allowed Origin → 204, 403 for another. PUT /card with the fields (kiosk::ParseIdCard) places a
// card → 200 the card, 400/422 naming the field; DELETE /card removes it → 204. These two are
// the simulator's own controls: never any CORS header, and 403 when an Origin other than the
// bridge's own is sent. `slot` must outlive the app.
void RegisterCardReaderRoutes(http::App& app, CardSlot& slot, BridgePolicy policy);

// `dangan card-reader-sim [--port P] [--card ID_NUMBER,NAME] [--allow-origin ORIGIN]…`.
cli::CommandSet CardReaderCommands();

}  // namespace dangan::kiosk
