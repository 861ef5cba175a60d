#pragma once

// The identity module's routes: log-in for citizens, staff and employers, sessions, staff
// administration, and the guard that fills request.principal.

namespace dangan::http {
struct App;
}

namespace dangan::identity {

// Installs the guard and adds every identity route; calls RegisterAccounts.
void Register(http::App& app);

// Staff and employer accounts: staff log-in with TOTP, employer applications and log-in,
// user and employer administration (src/identity/accounts_routes.cpp).
void RegisterAccounts(http::App& app);

}  // namespace dangan::identity
