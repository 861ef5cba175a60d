#include "http/auth.hpp"

#include <algorithm>

namespace dangan::http {

bool Principal::HasRole(std::string_view role) const {
    auto names = RoleNames();
    return std::find(names.begin(), names.end(), role) != names.end();
}

std::vector<std::string> Principal::RoleNames() const {
    switch (kind) {
        case Kind::kCitizen: return {"citizen"};
        case Kind::kEmployer: return {"employer_user"};
        case Kind::kStaff: {
            std::vector<std::string> out;
            for (const auto& g : grants) {
                if (std::find(out.begin(), out.end(), g.role) == out.end()) out.push_back(g.role);
            }
            return out;
        }
    }
    return {};
}

std::string_view KindName(Principal::Kind kind) {
    switch (kind) {
        case Principal::Kind::kCitizen: return "citizen";
        case Principal::Kind::kStaff: return "staff";
        case Principal::Kind::kEmployer: return "employer";
    }
    return "";
}

bool Access::IsPublic() const { return std::find(roles.begin(), roles.end(), "public") != roles.end(); }

bool Access::Allows(const Principal& principal) const {
    if (IsPublic()) return true;
    for (const auto& name : principal.RoleNames()) {
        if (std::find(roles.begin(), roles.end(), name) != roles.end()) return true;
    }
    if (principal.kind == Principal::Kind::kStaff && !principal.grants.empty()) {
        return std::find(roles.begin(), roles.end(), "staff") != roles.end();
    }
    return false;
}

std::string Access::Describe() const {
    std::string out;
    for (const auto& r : roles) out += (out.empty() ? "" : ", ") + r;
    return out.empty() ? "(none: denied)" : out;
}

const std::vector<std::string>& StaffRoles() {
    static const std::vector<std::string> kRoles{
        "window_clerk",     "archivist",      "reviewer",     "kb_editor",    "content_editor", "content_approver",
        "callback_agent",   "branch_admin",   "system_admin", "auditor"};
    return kRoles;
}

}  // namespace dangan::http
