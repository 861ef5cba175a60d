#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace dangan::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
    std::vector<std::string_view> out;
    std::size_t start = 1;  // paths start with '/'
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos) slash = path.size();
        out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>* params) {
    if (route.segments.size() != parts.size()) return false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const std::string& seg = route.segments[i];
        if (!seg.empty() && seg[0] == ':') {
            if (parts[i].empty()) return false;
            if (params != nullptr) (*params)[seg.substr(1)] = PercentDecode(parts[i], false);
        } else if (seg != parts[i]) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string Route::Label() const { return std::string(MethodName(method)) + " " + pattern; }

void Router::SetBodyLimit(Method method, const std::string& pattern, std::size_t bytes) {
    for (Route& r : routes_) {
        if (r.method == method && r.pattern == pattern) {
            r.max_body_bytes = bytes;
            return;
        }
    }
    throw std::logic_error("SetBodyLimit: no route " + pattern);
}

void Router::Add(Method method, const std::string& pattern, Access access, Handler handler, Execution execution) {
    if (pattern.empty() || pattern[0] != '/') throw std::logic_error("route pattern must start with /: " + pattern);
    Route route;
    route.id = routes_.size();
    route.method = method;
    route.pattern = pattern;
    for (auto s : Split(pattern)) route.segments.emplace_back(s);
    // "/a/:id" and "/a/:name" are the same route: compare with parameter names erased.
    auto shape = [](const std::vector<std::string>& segments) {
        std::vector<std::string> out;
        for (const auto& s : segments) out.push_back(!s.empty() && s[0] == ':' ? ":" : s);
        return out;
    };
    for (const auto& r : routes_) {
        if (r.method == method && shape(r.segments) == shape(route.segments)) {
            throw std::logic_error("duplicate route " + route.Label() + " (same as " + r.Label() + ")");
        }
    }
    route.access = std::move(access);
    route.handler = std::move(handler);
    route.execution = execution;
    if (HasParams(route)) {
        any_params_ = true;
    } else {
        literal_[route.pattern].push_back(route.id);
    }
    routes_.push_back(std::move(route));
}

bool Router::HasParams(const Route& route) const {
    for (const auto& s : route.segments) {
        if (!s.empty() && s[0] == ':') return true;
    }
    return false;
}

RouteMatch Router::Find(Method method, std::string_view path) const {
    RouteMatch match;
    if (path.empty() || path[0] != '/') return match;
    Method wanted = method == Method::kHead ? Method::kGet : method;
    // A literal route is more specific than any parameterised one, so it wins: one lookup.
    if (auto it = literal_.find(std::string(path)); it != literal_.end()) {
        for (std::size_t id : it->second) {
            if (routes_[id].method == wanted) {
                match.route = &routes_[id];
                return match;
            }
        }
    }
    auto parts = Split(path);
    for (const auto& route : routes_) {
        if (route.method == wanted && any_params_ && MatchSegments(route, parts, &match.params)) {
            match.route = &route;
            match.allowed.clear();
            return match;
        }
        match.params.clear();
        if (MatchSegments(route, parts, nullptr) &&
            std::find(match.allowed.begin(), match.allowed.end(), route.method) == match.allowed.end()) {
            match.allowed.push_back(route.method);
        }
    }
    return match;
}

}  // namespace dangan::http
