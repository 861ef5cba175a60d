#pragma once

// Routes: a method, a pattern such as "/api/v1/persons/:id", and a handler. Patterns are
// split into segments; a segment ":name" captures one decoded path segment. Matching is
// exact (no trailing-slash folding). Written by hand rather than RESTinio's express router
// because we need 405 with an Allow list, a stable route label for metrics and the
// permission table, and no RESTinio types in module headers.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/message.hpp"

namespace dangan::http {

using Handler = std::function<Response(Request&)>;

// Where a handler runs. Most wait on the database or on the audit log's group commit and run
// on the server's handler threads, so that a waiting handler does not hold up the network
// thread; a handler that answers from memory (/healthz, /api/v1/info) runs inline.
enum class Execution { kBlocking, kInline };

struct Route {
    std::size_t id = 0;  // index in Router::routes()
    Method method = Method::kGet;
    std::string pattern;
    std::vector<std::string> segments;
    Access access;  // who may call it (deny by default: see auth.hpp)
    Handler handler;
    Execution execution = Execution::kBlocking;
    std::size_t max_body_bytes = 0;  // 0: server.max_body_bytes; more for an upload route (SetBodyLimit)

    std::string Label() const;  // "GET /api/v1/info"
};

struct RouteMatch {
    const Route* route = nullptr;           // null when nothing matched
    std::map<std::string, std::string> params;
    std::vector<Method> allowed;            // when the path matched under other methods only
};

// Not thread-safe while routes are added; Find() is safe from many threads afterwards.
class Router {
public:
    // Adds a route; adding the same method and pattern twice is a programming error (throws).
    void Add(Method method, const std::string& pattern, Access access, Handler handler,
             Execution execution = Execution::kBlocking);

    // Lets the route (added before) take bodies up to `bytes` instead of server.max_body_bytes:
    // uploads. Still capped by server.max_upload_bytes, where the connection is cut off.
    void SetBodyLimit(Method method, const std::string& pattern, std::size_t bytes);

    // HEAD requests match GET routes.
    RouteMatch Find(Method method, std::string_view path) const;

    const std::vector<Route>& routes() const { return routes_; }

private:
    bool HasParams(const Route& route) const;

    std::vector<Route> routes_;
    // Routes without parameters by exact path: most requests are answered by one lookup.
    std::unordered_map<std::string, std::vector<std::size_t>> literal_;
    bool any_params_ = false;
};

}  // namespace dangan::http
