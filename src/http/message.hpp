#pragma once

// The request and response types every handler sees. They are plain data, so modules never
// include the HTTP server library; http/server.cpp converts to and from the wire.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.hpp"
#include "http/auth.hpp"

namespace dangan::http {

enum class Method { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

std::string_view MethodName(Method m);
Method ParseMethod(std::string_view name);

struct Request {
    Method method = Method::kGet;
    std::string path;                                      // as sent (not percent-decoded), no query
    std::string query;                                     // raw query string, without '?'
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
    std::map<std::string, std::string> path_params;        // filled by the router
    std::string body;
    std::string remote_address;
    std::string request_id;
    std::optional<Principal> principal;                    // set by the guard from the session
    std::size_t max_body_bytes = 0;                        // 0 = no limit
    int max_json_depth = 32;

    // The first header with this lower-case name.
    std::optional<std::string_view> Header(std::string_view lower_name) const;
    // A path parameter declared as ":name" in the route.
    const std::string& Param(const std::string& name) const;
    // A cookie's value from the Cookie header.
    std::optional<std::string> Cookie(std::string_view name) const;
    // The channel the front end declares in X-Dangan-Channel (web, mobile, kiosk, staff,
    // phone); "web" when absent or unknown.
    std::string Channel() const;
    // A query parameter, percent-decoded ('+' as space).
    std::optional<std::string> QueryParam(std::string_view name) const;
    // The body parsed as JSON within the size and depth limits; errors are 400/413 with a
    // Chinese message naming the problem.
    Result<nlohmann::json> Json() const;
};

// A text member of a JSON object body: "" when absent or null. A body that is not an object,
// a member of another type, or text over `max_bytes` is a 400 naming the member.
Result<std::string> TextMember(const nlohmann::json& body, const char* name, std::size_t max_bytes = 1024);

struct Response {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string file_path;  // when set, the body is this file (sent with sendfile)

    Response& Header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }

    static Response Json(const nlohmann::json& value, int status = 200);
    // The DESIGN.md error body {"error":{"code","message","field"}} with the mapped status.
    static Response FromError(const Error& error);
    static Response Text(std::string body, std::string content_type, int status = 200);
};

// The HTTP status for an error code (the one place this mapping lives).
int StatusFor(ErrorCode code);
// Stable snake_case name for a code, used when an Error has no reason of its own.
std::string_view CodeName(ErrorCode code);

// Percent-decodes `s`; `plus_as_space` for query strings. Invalid escapes are kept as is.
std::string PercentDecode(std::string_view s, bool plus_as_space);

// Depth of the deepest nesting of arrays/objects in a JSON text (strings are skipped).
int JsonNestingDepth(std::string_view text);

}  // namespace dangan::http

namespace dangan::http {
// "OK", "Not Found"… for a status code ("" when unknown).
std::string_view ReasonPhrase(int status);
}  // namespace dangan::http
