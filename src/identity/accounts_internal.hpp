#pragma once

// Helpers shared by the account files of identity/ (accounts.cpp, accounts_admin.cpp,
// accounts_demo.cpp, accounts_routes.cpp, user_command.cpp). Not for other modules.

#include <nlohmann/json.hpp>
#include <string>

#include "audit/audit_log.hpp"
#include "audit/register.hpp"
#include "core/result.hpp"
#include "http/app.hpp"
#include "http/message.hpp"

namespace dangan::identity {

// The audit entry of a change: from the request (its principal as actor), or — with no
// request — the command line ("system" actor, channel "cli").
audit::Entry ChangeEntry(const http::Request* request, std::string action);

// `value` as compact JSON, ill-formed UTF-8 replaced (for audit details).
std::string DetailJson(const nlohmann::json& value);

}  // namespace dangan::identity
