#include "appointments/route_helpers.hpp"

#include <algorithm>

#include "audit/audit_log.hpp"
#include "audit/register.hpp"

namespace dangan::appointments::web {

using nlohmann::json;

Context Ctx(http::App& app) { return Context{*app.db, app.keyring, *app.clock, PolicyFrom(app.config)}; }
std::int64_t NowMs(http::App& app) { return core::UnixMillis(app.clock->Now()); }

http::Response Private(http::Response r) {
    r.Header("Cache-Control", "no-store");
    return r;
}

http::Response Fail(const Error& e) { return http::Response::FromError(e); }

bool IsStaff(const http::Request& r) { return r.principal && r.principal->kind == http::Principal::Kind::kStaff; }

bool CoversBranch(const http::Principal& p, const std::vector<std::string>& roles, const std::string& branch_code) {
    for (const http::Grant& g : p.grants) {
        if (std::find(roles.begin(), roles.end(), g.role) != roles.end() && g.Covers(branch_code)) return true;
    }
    return false;
}

Error OutsideScope(std::string field) {
    return MakeError(ErrorCode::kForbidden, "该网点不在您的管辖范围内", std::move(field), "forbidden");
}

Result<archives::Branch> BranchOf(http::App& app, const std::string& code, std::string field) {
    auto branch = archives::FindBranchByCode(*app.db, code);
    if (!branch) return branch.error();
    if (!*branch) return MakeError(ErrorCode::kNotFound, "没有这个网点", std::move(field), "branch_not_found");
    return std::move(**branch);
}

Status Audit(http::App& app, const http::Request& request, std::string action, const std::string& person_id,
             std::string target, json detail) {
    audit::Entry entry = audit::EntryFor(request, std::move(action));
    entry.subject_person_id = person_id;
    entry.target = std::move(target);
    if (!detail.empty()) entry.detail_json = detail.dump();
    return audit::Record(app, std::move(entry));
}

}  // namespace dangan::appointments::web
