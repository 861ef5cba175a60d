#pragma once

// Maps a request path to a file of the built web app (web/dist). Hashed assets under
// /assets/ are cached for a year; HTML is revalidated every time. Paths of the four apps
// that name no file fall back to that app's index.html (single-page apps with their own
// routers): /kiosk/… , /staff/… , /v/… and everything else to the portal.

#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace dangan::http {

// The response for GET `path` (raw, not yet decoded), or nullopt when the path is an API
// path that should get a JSON 404 instead. `web_root` is the dist directory.
std::optional<Response> ServeStatic(const std::string& web_root, std::string_view path);

// "text/html; charset=utf-8" etc., by file extension.
std::string ContentTypeFor(std::string_view file_name);

}  // namespace dangan::http
