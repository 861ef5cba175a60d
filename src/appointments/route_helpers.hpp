#pragma once

// What the appointment route files share (routes.cpp, settings_routes.cpp): the service context
// of a request, branch scope checks, audit entries and the answer helpers.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "appointments/booking.hpp"
#include "archives/records.hpp"
#include "http/app.hpp"

namespace dangan::appointments::web {

inline const std::vector<std::string> kDeskRoles{"window_clerk", "branch_admin"};
inline const std::vector<std::string> kAdminRoles{"branch_admin", "system_admin"};

Context Ctx(http::App& app);
std::int64_t NowMs(http::App& app);
// Answers about a person are never stored by a browser or a proxy.
http::Response Private(http::Response r);
http::Response Fail(const Error& e);
bool IsStaff(const http::Request& r);
// A grant of one of `roles` covers the branch (a district grant every branch in it).
bool CoversBranch(const http::Principal& p, const std::vector<std::string>& roles, const std::string& branch_code);
Error OutsideScope(std::string field = "branch_code");
Result<archives::Branch> BranchOf(http::App& app, const std::string& code, std::string field = "code");
Status Audit(http::App& app, const http::Request& request, std::string action, const std::string& person_id,
             std::string target, nlohmann::json detail = nlohmann::json::object());

// The booking rules and holiday routes, added by Register.
void RegisterSettingsRoutes(http::App& app);

}  // namespace dangan::appointments::web
