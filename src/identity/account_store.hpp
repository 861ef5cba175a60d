#pragma once

// The SQL behind staff and employer accounts (tables users, grants, employers of migration
// 003). Internal to identity/: other modules use accounts.hpp. Every statement is written
// once for SQLite and PostgreSQL; counters that must hold across server nodes (failed
// log-ins, the last TOTP step used) change only through single conditional UPDATEs.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"
#include "http/auth.hpp"
#include "identity/account_rules.hpp"

namespace dangan::identity {

struct UserRow {
    std::string id;
    std::string kind;  // "staff" | "employer"
    std::string employer_id;
    std::string username;
    std::string display_name;
    std::string password_hash;
    std::optional<std::string> totp_secret_sealed;
    bool totp_enrolled = false;
    std::int64_t totp_last_step = 0;
    LockState lock;
    bool disabled = false;
    std::int64_t created_at_ms = 0;
    std::vector<http::Grant> grants;  // staff only
};

struct EmployerRow {
    std::string id;
    std::string credit_code;
    std::string name;
    std::string status;  // pending | approved | rejected
    std::string region_code;
    std::int64_t created_at_ms = 0;
    std::string approved_by;  // user id; "" while pending
    std::optional<std::int64_t> approved_at_ms;
};

class AccountStore {
public:
    explicit AccountStore(db::Database& db) : db_(db) {}

    Result<std::optional<UserRow>> StaffByUsername(const std::string& username);
    Result<std::optional<UserRow>> EmployerUser(const std::string& employer_id, const std::string& username);
    Result<std::optional<UserRow>> UserById(const std::string& id);
    // Every staff user with their grants, ordered by user name.
    Result<std::vector<UserRow>> AllStaff();

    // ReserveAttempt (account_rules.hpp) applied atomically; nullopt while locked.
    Result<std::optional<LockState>> Reserve(const std::string& user_id, std::int64_t now_ms,
                                             const LockoutPolicy& policy);
    // Gives back a reservation when the attempt turned out not to be a guess (a right password
    // without the TOTP code). `reserved` is what Reserve returned.
    Status Release(const std::string& user_id, const LockState& reserved);
    // After a successful log-in, or an administrator's unlock.
    Status ClearFailures(const std::string& user_id);
    // Records `step` as the last TOTP step used and clears the failures, only when `step` is
    // later than the stored one: false means the code was already used (replay).
    Result<bool> ConsumeTotpStep(const std::string& user_id, std::int64_t step);
    // Stores a new, not yet confirmed TOTP secret (first log-in, or after a reset).
    Status SetPendingTotpSecret(const std::string& user_id, const std::string& sealed);
    // Confirms enrolment at `step`; false when the user is already enrolled or the secret changed.
    Result<bool> CompleteEnrolment(const std::string& user_id, const std::string& sealed, std::int64_t step);
    Status SetPasswordHash(const std::string& user_id, const std::string& hash, std::int64_t now_ms);

    // Inserts a user (and its grants) inside the caller's transaction. A taken user name is
    // kConflict reason "duplicate_username".
    static Status InsertUser(db::Connection& conn, const UserRow& user, const std::string& password_hash,
                             std::int64_t now_ms);
    static Status ReplaceGrants(db::Connection& conn, const std::string& user_id,
                                const std::vector<http::Grant>& grants);
    static Status UpdateProfile(db::Connection& conn, const std::string& user_id,
                                const std::optional<std::string>& display_name, const std::optional<bool>& disabled);
    static Status ResetTotp(db::Connection& conn, const std::string& user_id);

    // Employers. A taken credit code is kConflict reason "duplicate_credit_code".
    static Status InsertEmployer(db::Connection& conn, const EmployerRow& employer);
    Result<std::optional<EmployerRow>> EmployerById(const std::string& id);
    Result<std::optional<EmployerRow>> EmployerByCreditCode(const std::string& credit_code);
    // Every employer, optionally only those with `status`, newest first.
    Result<std::vector<EmployerRow>> Employers(const std::optional<std::string>& status);
    // pending → approved; false when it was not pending.
    Result<bool> ApproveEmployer(const std::string& id, const std::string& approved_by, std::int64_t now_ms);

private:
    db::Database& db_;
};

}  // namespace dangan::identity
