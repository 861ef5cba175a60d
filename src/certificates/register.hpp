#pragma once

// The certificates module: routes (docs/api-certificates.md), the signing key created by
// `dangan init`, and `dangan cert verify|keygen|keys`.

#include "core/result.hpp"

namespace dangan::http {
struct App;
}
namespace dangan::cli {
struct CommandSet;
}

namespace dangan::certificates {

// Loads the keys (certificates.key_dir) and adds the routes. A node without a signing key still
// verifies; issuing answers 503 signing_unavailable.
void Register(http::App& app);

// For `dangan init`: a first signing key when certificates.key_dir holds none.
Status EnsureSigningKey(http::App& app);

cli::CommandSet Commands();

}  // namespace dangan::certificates
