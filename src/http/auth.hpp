#pragma once

// Who is asking and what a route allows. The identity module implements Guard and sets it on
// the App; http/ only calls it. Deny is the default: a route that is not public needs a
// principal whose roles the route's Access lists, and without a guard nothing but public
// routes is served.

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dangan::http {

struct Request;
struct Route;

// A role held within a scope. Scopes are administrative codes read as prefixes: a city
// "2201" covers its district "220102", which covers its branch "220102-001".
struct Grant {
    std::string role;   // one of the DESIGN.md roles: window_clerk, archivist, system_admin…
    std::string scope;  // city, district or branch code

    bool Covers(std::string_view record_scope) const {
        return record_scope.substr(0, scope.size()) == scope;
    }
};

struct Principal {
    enum class Kind { kCitizen, kStaff, kEmployer };
    Kind kind = Kind::kCitizen;
    std::string subject_id;    // person id (citizen) or user id (staff, employer user)
    std::string employer_id;   // employer users only
    std::string display_name;  // already masked where it is personal
    std::vector<Grant> grants; // staff only
    std::string session_id;
    std::string csrf_token;

    bool HasRole(std::string_view role) const;
    // Roles as Access names them: "citizen", "employer_user", or each staff role.
    std::vector<std::string> RoleNames() const;
};

std::string_view KindName(Principal::Kind kind);  // "citizen" | "staff" | "employer"

// The roles allowed to call a route. Special names: "public" (anyone, logged in or not),
// "citizen", "employer_user", "staff" (any staff role); otherwise a staff role name.
struct Access {
    std::vector<std::string> roles;

    static Access Public() { return Access{{"public"}}; }
    static Access Roles(std::initializer_list<const char*> names) {
        Access a;
        for (const char* n : names) a.roles.emplace_back(n);
        return a;
    }
    bool IsPublic() const;
    bool Allows(const Principal& principal) const;
    std::string Describe() const;  // "citizen, window_clerk"
};

// The staff roles of DESIGN.md, in a stable order.
const std::vector<std::string>& StaffRoles();

// Implemented by identity/. Both calls run for every routed request, so they must be cheap
// when the request carries no session cookie.
class Guard {
public:
    virtual ~Guard() = default;
    // Sets request.principal from the session cookie when it names a live session; leaves it
    // empty otherwise. Errors only for broken infrastructure.
    virtual Status Authenticate(Request& request) = 0;
    // 401 without a principal on a non-public route, 403 when the roles do not match, 403
    // when a state-changing request with a session lacks the right CSRF token. May audit.
    virtual Status Authorize(const Route& route, const Request& request) = 0;
};

}  // namespace dangan::http
