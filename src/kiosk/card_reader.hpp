#pragma once

// `dangan card-reader-sim`: plays the ID-card reader bridge a kiosk machine runs next to the
// browser (docs/api-archives.md, "Kiosk ID-card reader bridge"), so that the kiosk pages can be
// tried and tested without a reader. It serves the same platform HTTP stack as `dangan serve`
// (http::Serve on an App of its own, no database), bound to 127.0.0.1 only.

#include <mutex>
#include <optional>

#include "cli/cli.hpp"
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

// Public routes on app.router, every answer with `Access-Control-Allow-Origin: *`:
// GET /card → 200 the card's fields, or 404 {"error":"no_card"}; PUT /card with the fields
// (kiosk::ParseIdCard) places a card → 200 the card, 400/422 naming the field; DELETE /card
// removes it → 204; OPTIONS /card answers the CORS and private-network preflight → 204.
// `slot` must outlive the app.
void RegisterCardReaderRoutes(http::App& app, CardSlot& slot);

// `dangan card-reader-sim [--port P] [--card ID_NUMBER,NAME]`.
cli::CommandSet CardReaderCommands();

}  // namespace dangan::kiosk
