#pragma once

// Staff and employer accounts (docs/api-identity.md "Staff", "Employers", "Staff
// administration"): staff log in with user name + password (Argon2id) + TOTP, enrolling TOTP
// at their first log-in; employer users log in with the employer's credit code, their user
// name and password once staff have approved the employer; system administrators manage
// users within their own scopes. Every log-in, failed log-in, lockout and change is audited
// through app.audit; an audit failure fails the request.
//
// Lockout: each attempt reserves one of security.max_failed_logins failures in one atomic
// UPDATE before the password is checked (account_rules.hpp ReserveAttempt), so parallel
// guesses on several nodes cannot exceed the limit; a successful log-in clears the count.
// Wrong TOTP codes count like wrong passwords. Unknown user names cost one Argon2id
// computation too, and get the same answer as a wrong password.

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "http/auth.hpp"
#include "http/message.hpp"
#include "identity/account_store.hpp"
#include "identity/citizen_login.hpp"
#include "identity/sessions.hpp"

namespace dangan::http {
struct App;
}
namespace dangan::cli {
struct CommandSet;
}

namespace dangan::identity {

// ---- Log-in ----

struct StaffLoginInput {
    std::string username;
    std::string password;
    std::string totp;  // "" on a first log-in
};

struct EmployerLoginInput {
    std::string credit_code;
    std::string username;
    std::string password;
};

// A successful log-in: the account and the new session.
struct LoggedIn {
    UserRow user;
    std::optional<EmployerRow> employer;  // employer users
    IssuedSession session;
};

// A first log-in: the password was right, TOTP must be enrolled (shown once).
struct TotpEnrolment {
    std::string enrolment_token;  // valid kEnrolmentTtlMs, for POST /api/v1/auth/staff/totp
    std::string otpauth_uri;
    std::string qr_svg;
};

using StaffLoginStep = std::variant<LoggedIn, TotpEnrolment>;

Answer<StaffLoginStep> StaffLogin(http::App& app, const StaffLoginInput& input, const http::Request& request);
Answer<LoggedIn> EnrolTotp(http::App& app, const std::string& enrolment_token, const std::string& totp,
                           const http::Request& request);
Answer<LoggedIn> EmployerLogin(http::App& app, const EmployerLoginInput& input, const http::Request& request);

// ---- Employers ----

struct EmployerApplication {
    std::string credit_code;
    std::string name;
    std::string username;
    std::string password;
    std::string display_name;
};

// POST /api/v1/employers/applications (anyone): a pending employer and its first user.
Result<EmployerRow> ApplyEmployer(http::App& app, const EmployerApplication& input, const http::Request& request);
// POST /api/v1/employers (system_admin, branch_admin): approved at once; the employer's
// region (credit code characters 3–8) must lie inside the caller's admin scopes.
Result<EmployerRow> CreateEmployer(http::App& app, const EmployerApplication& input, const http::Request& request);
// POST /api/v1/employers/:id/approve. Approving an approved employer changes nothing.
Result<EmployerRow> ApproveEmployer(http::App& app, const std::string& employer_id, const http::Request& request);
// GET /api/v1/employers: those whose region lies inside any of the caller's grants.
Result<std::vector<EmployerRow>> ListEmployers(http::App& app, const http::Principal& principal,
                                               const std::optional<std::string>& status);

// ---- Staff administration ----

struct NewUser {
    std::string username;
    std::string display_name;
    std::string password;
    std::vector<http::Grant> grants;
};

struct UserPatch {
    std::optional<std::string> display_name;
    std::optional<std::vector<http::Grant>> grants;
    std::optional<bool> disabled;
    std::optional<std::string> password;
    bool reset_totp = false;
};

// Creates a staff user. With a request, its principal must hold system_admin in scopes that
// cover every grant (403 outside_scope); without one (the command line) no scope applies and
// the audit actor is "system" on channel "cli".
Result<UserRow> CreateUser(http::App& app, const NewUser& input, const http::Request* request);
// The staff users whose every grant lies inside the caller's system_admin scopes.
Result<std::vector<UserRow>> ListUsers(http::App& app, const http::Principal& principal);
// PATCH /api/v1/users/:id. The user must be visible to the caller (404 otherwise), new grants
// inside the caller's scopes; nobody disables themselves. A new password, a TOTP reset or
// disabling ends the user's sessions.
Result<UserRow> UpdateUser(http::App& app, const std::string& user_id, const UserPatch& patch,
                           const http::Request& request);
Result<UserRow> UnlockUser(http::App& app, const std::string& user_id, const http::Request& request);
// The username of a user id (for "issued by" and the like in other modules' staff views); the
// id itself when no such user exists any more.
Result<std::string> UsernameOf(http::App& app, const std::string& user_id);

// ---- JSON ----

// The contract's user object of a log-in: StaffUserJson or EmployerUserJson.
nlohmann::json LoggedInUserJson(const LoggedIn& in);
// {"kind":"staff","id","username","display_name","grants":[{"role","scope"}]}
nlohmann::json StaffUserJson(const UserRow& user);
// {"kind":"employer","id","username","display_name","employer":{"id","name","credit_code"}}
nlohmann::json EmployerUserJson(const UserRow& user, const EmployerRow& employer);
// {"id","username","display_name","grants","totp_enrolled","locked","disabled"}
nlohmann::json AdminUserJson(const UserRow& user, std::int64_t now_ms);
// {"id","credit_code","name","status","region_code","created_at"(ISO 8601),"approved_at"}
nlohmann::json EmployerJson(const EmployerRow& employer);

// ---- Demo data ----

// Idempotent: demo staff admin / clerk / auditor (enrolled with fixed TOTP secrets) and the
// approved demo employer with its user "hr". The fixed credentials are listed in accounts_demo.cpp.
Status SeedDemoAccounts(http::App& app);

// ---- Command line ----

// `dangan user add --name NAME --role ROLE --scope SCOPE [--display-name TEXT]
// [--password-stdin]`: creates a staff user (the first administrator, typically). Without
// --password-stdin a strong password is generated and printed once.
cli::CommandSet UserCommands();

}  // namespace dangan::identity
