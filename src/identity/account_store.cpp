#include "identity/account_store.hpp"

namespace dangan::identity {
namespace {

constexpr const char* kUserColumns =
    "SELECT id, kind, employer_id, username, display_name, password_hash, totp_secret_sealed, totp_enrolled, "
    "totp_last_step, failed_logins, locked_until_ms, disabled, created_at_ms FROM users ";

constexpr const char* kSelectGrants = "SELECT role, scope FROM grants WHERE user_id = ? ORDER BY role, scope";
constexpr const char* kSelectAllGrants =
    "SELECT g.user_id, g.role, g.scope FROM grants g JOIN users u ON u.id = g.user_id WHERE u.kind = 'staff' "
    "ORDER BY g.user_id, g.role, g.scope";

// ReserveAttempt in one statement: the row is counted and, at the limit, locked atomically; a
// locked row matches nothing. SET expressions read the row as it was before the update.
constexpr const char* kReserveAttempt =
    "UPDATE users SET "
    "failed_logins = CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END, "
    "locked_until_ms = CASE WHEN (CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END) >= "
    "CAST(? AS BIGINT) THEN CAST(? AS BIGINT) ELSE 0 END "
    "WHERE id = ? AND locked_until_ms <= CAST(? AS BIGINT) "
    "RETURNING failed_logins, locked_until_ms";
constexpr const char* kReleaseAttempt =
    "UPDATE users SET failed_logins = CASE WHEN failed_logins > 0 THEN failed_logins - 1 ELSE 0 END, "
    "locked_until_ms = CASE WHEN locked_until_ms = CAST(? AS BIGINT) THEN 0 ELSE locked_until_ms END "
    "WHERE id = ?";
constexpr const char* kClearFailures = "UPDATE users SET failed_logins = 0, locked_until_ms = 0 WHERE id = ?";
constexpr const char* kConsumeTotpStep =
    "UPDATE users SET totp_last_step = CAST(? AS BIGINT), failed_logins = 0, locked_until_ms = 0 "
    "WHERE id = ? AND totp_enrolled = 1 AND totp_last_step < CAST(? AS BIGINT)";
constexpr const char* kSetPendingTotp =
    "UPDATE users SET totp_secret_sealed = ?, totp_enrolled = 0, totp_last_step = 0 WHERE id = ? AND totp_enrolled = 0";
constexpr const char* kCompleteEnrolment =
    "UPDATE users SET totp_enrolled = 1, totp_last_step = CAST(? AS BIGINT), failed_logins = 0, locked_until_ms = 0 "
    "WHERE id = ? AND totp_enrolled = 0 AND totp_secret_sealed = ?";
constexpr const char* kSetPasswordHash =
    "UPDATE users SET password_hash = ?, password_changed_at_ms = CAST(? AS BIGINT) WHERE id = ?";
constexpr const char* kInsertUser =
    "INSERT INTO users (id, kind, employer_id, username, display_name, password_hash, totp_secret_sealed, "
    "totp_enrolled, totp_last_step, password_changed_at_ms, created_at_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))";
constexpr const char* kDeleteGrants = "DELETE FROM grants WHERE user_id = ?";
constexpr const char* kInsertGrant = "INSERT INTO grants (user_id, role, scope) VALUES (?, ?, ?)";
constexpr const char* kSetDisplayName = "UPDATE users SET display_name = ? WHERE id = ?";
constexpr const char* kSetDisabled = "UPDATE users SET disabled = CAST(? AS INTEGER) WHERE id = ?";
constexpr const char* kResetTotp =
    "UPDATE users SET totp_secret_sealed = NULL, totp_enrolled = 0, totp_last_step = 0 WHERE id = ?";

constexpr const char* kEmployerColumns =
    "SELECT id, credit_code, name, status, region_code, created_at_ms, approved_at_ms FROM employers ";
constexpr const char* kInsertEmployer =
    "INSERT INTO employers (id, credit_code, name, status, region_code, created_at_ms, approved_by, approved_at_ms) "
    "VALUES (?, ?, ?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT))";
constexpr const char* kApproveEmployer =
    "UPDATE employers SET status = 'approved', approved_by = ?, approved_at_ms = CAST(? AS BIGINT) "
    "WHERE id = ? AND status = 'pending'";

UserRow ReadUser(const db::Row& r) {
    UserRow u;
    u.id = r.Text(0);
    u.kind = r.Text(1);
    u.employer_id = r.OptText(2).value_or("");
    u.username = r.Text(3);
    u.display_name = r.Text(4);
    u.password_hash = r.Text(5);
    if (!r.IsNull(6)) u.totp_secret_sealed = r.Blob(6).data;
    u.totp_enrolled = r.Int(7) != 0;
    u.totp_last_step = r.Int(8);
    u.lock.failed_logins = r.Int(9);
    u.lock.locked_until_ms = r.Int(10);
    u.disabled = r.Int(11) != 0;
    u.created_at_ms = r.Int(12);
    return u;
}

EmployerRow ReadEmployer(const db::Row& r) {
    EmployerRow e;
    e.id = r.Text(0);
    e.credit_code = r.Text(1);
    e.name = r.Text(2);
    e.status = r.Text(3);
    e.region_code = r.Text(4);
    e.created_at_ms = r.Int(5);
    e.approved_at_ms = r.OptInt(6);
    return e;
}

db::Value OptionalInt(const std::optional<std::int64_t>& v) { return v ? db::Value{*v} : db::Value{nullptr}; }

}  // namespace

Result<std::optional<UserRow>> AccountStore::UserById(const std::string& id) {
    auto rs = db_.Query(std::string(kUserColumns) + "WHERE id = ?", {id});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<UserRow>();
    UserRow user = ReadUser(rs->rows[0]);
    if (user.kind == "staff") {
        auto grants = db_.Query(kSelectGrants, {user.id});
        if (!grants) return grants.error();
        for (const auto& g : grants->rows) user.grants.push_back(http::Grant{g.Text(0), g.Text(1)});
    }
    return std::optional<UserRow>(std::move(user));
}

Result<std::optional<UserRow>> AccountStore::StaffByUsername(const std::string& username) {
    auto rs = db_.Query(std::string(kUserColumns) + "WHERE kind = 'staff' AND username = ?", {username});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<UserRow>();
    return UserById(rs->rows[0].Text(0));  // with grants
}

Result<std::optional<UserRow>> AccountStore::EmployerUser(const std::string& employer_id, const std::string& username) {
    auto rs = db_.Query(std::string(kUserColumns) + "WHERE kind = 'employer' AND employer_id = ? AND username = ?",
                        {employer_id, username});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<UserRow>();
    return std::optional<UserRow>(ReadUser(rs->rows[0]));
}

Result<std::vector<UserRow>> AccountStore::AllStaff() {
    auto rs = db_.Query(std::string(kUserColumns) + "WHERE kind = 'staff' ORDER BY username");
    if (!rs) return rs.error();
    auto grants = db_.Query(kSelectAllGrants);
    if (!grants) return grants.error();
    std::vector<UserRow> users;
    for (const auto& r : rs->rows) users.push_back(ReadUser(r));
    for (auto& u : users) {
        for (const auto& g : grants->rows) {
            if (g.Text(0) == u.id) u.grants.push_back(http::Grant{g.Text(1), g.Text(2)});
        }
    }
    return users;
}

Result<std::optional<LockState>> AccountStore::Reserve(const std::string& user_id, std::int64_t now_ms,
                                                       const LockoutPolicy& policy) {
    auto rs = db_.Query(kReserveAttempt, {policy.max_failed_logins, now_ms + policy.lockout_ms, user_id, now_ms});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<LockState>();
    return std::optional<LockState>(LockState{rs->rows[0].Int(0), rs->rows[0].Int(1)});
}

Status AccountStore::Release(const std::string& user_id, const LockState& reserved) {
    // -1 never equals a stored deadline: a reservation that did not lock leaves the lock alone.
    const std::int64_t set_lock = reserved.locked_until_ms > 0 ? reserved.locked_until_ms : -1;
    auto rs = db_.Query(kReleaseAttempt, {set_lock, user_id});
    if (!rs) return rs.error();
    return Ok();
}

Status AccountStore::ClearFailures(const std::string& user_id) {
    auto rs = db_.Query(kClearFailures, {user_id});
    if (!rs) return rs.error();
    return Ok();
}

Result<bool> AccountStore::ConsumeTotpStep(const std::string& user_id, std::int64_t step) {
    auto rs = db_.Query(kConsumeTotpStep, {step, user_id, step});
    if (!rs) return rs.error();
    return rs->affected == 1;
}

Status AccountStore::SetPendingTotpSecret(const std::string& user_id, const std::string& sealed) {
    auto rs = db_.Query(kSetPendingTotp, {db::Bytes{sealed}, user_id});
    if (!rs) return rs.error();
    return Ok();
}

Result<bool> AccountStore::CompleteEnrolment(const std::string& user_id, const std::string& sealed, std::int64_t step) {
    auto rs = db_.Query(kCompleteEnrolment, {step, user_id, db::Bytes{sealed}});
    if (!rs) return rs.error();
    return rs->affected == 1;
}

Status AccountStore::SetPasswordHash(const std::string& user_id, const std::string& hash, std::int64_t now_ms) {
    auto rs = db_.Query(kSetPasswordHash, {hash, now_ms, user_id});
    if (!rs) return rs.error();
    return Ok();
}

Status AccountStore::InsertUser(db::Connection& conn, const UserRow& user, const std::string& password_hash,
                                std::int64_t now_ms) {
    const db::Value employer = user.employer_id.empty() ? db::Value{nullptr} : db::Value{user.employer_id};
    const db::Value secret =
        user.totp_secret_sealed ? db::Value{db::Bytes{*user.totp_secret_sealed}} : db::Value{nullptr};
    auto rs =
        conn.Query(kInsertUser, {user.id, user.kind, employer, user.username, user.display_name, password_hash, secret,
                                 std::int64_t{user.totp_enrolled ? 1 : 0}, user.totp_last_step, now_ms, now_ms});
    if (!rs) {
        if (rs.error().reason == "unique_violation") {
            return MakeError(ErrorCode::kConflict, "该用户名已被使用，请换一个", "username", "duplicate_username");
        }
        return rs.error();
    }
    return ReplaceGrants(conn, user.id, user.grants);
}

Status AccountStore::ReplaceGrants(db::Connection& conn, const std::string& user_id,
                                   const std::vector<http::Grant>& grants) {
    auto del = conn.Query(kDeleteGrants, {user_id});
    if (!del) return del.error();
    std::vector<http::Grant> done;
    for (const auto& g : grants) {
        bool seen = false;
        for (const auto& d : done) seen = seen || (d.role == g.role && d.scope == g.scope);
        if (seen) continue;  // the same grant twice in a request is one grant
        auto rs = conn.Query(kInsertGrant, {user_id, g.role, g.scope});
        if (!rs) return rs.error();
        done.push_back(g);
    }
    return Ok();
}

Status AccountStore::UpdateProfile(db::Connection& conn, const std::string& user_id,
                                   const std::optional<std::string>& display_name,
                                   const std::optional<bool>& disabled) {
    if (display_name) {
        auto rs = conn.Query(kSetDisplayName, {*display_name, user_id});
        if (!rs) return rs.error();
    }
    if (disabled) {
        auto rs = conn.Query(kSetDisabled, {std::int64_t{*disabled ? 1 : 0}, user_id});
        if (!rs) return rs.error();
    }
    return Ok();
}

Status AccountStore::ResetTotp(db::Connection& conn, const std::string& user_id) {
    auto rs = conn.Query(kResetTotp, {user_id});
    if (!rs) return rs.error();
    return Ok();
}

Status AccountStore::InsertEmployer(db::Connection& conn, const EmployerRow& e) {
    const bool approved = e.status == "approved";
    auto rs = conn.Query(kInsertEmployer, {e.id, e.credit_code, e.name, e.status, e.region_code, e.created_at_ms,
                                           approved ? db::Value{e.approved_by} : db::Value{nullptr},
                                           approved ? OptionalInt(e.approved_at_ms) : db::Value{nullptr}});
    if (!rs) {
        if (rs.error().reason == "unique_violation") {
            return MakeError(ErrorCode::kConflict, "该统一社会信用代码已登记，请勿重复申请", "credit_code",
                             "duplicate_credit_code");
        }
        return rs.error();
    }
    return Ok();
}

Result<std::optional<EmployerRow>> AccountStore::EmployerById(const std::string& id) {
    auto rs = db_.Query(std::string(kEmployerColumns) + "WHERE id = ?", {id});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<EmployerRow>();
    return std::optional<EmployerRow>(ReadEmployer(rs->rows[0]));
}

Result<std::optional<EmployerRow>> AccountStore::EmployerByCreditCode(const std::string& credit_code) {
    auto rs = db_.Query(std::string(kEmployerColumns) + "WHERE credit_code = ?", {credit_code});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<EmployerRow>();
    return std::optional<EmployerRow>(ReadEmployer(rs->rows[0]));
}

Result<std::vector<EmployerRow>> AccountStore::Employers(const std::optional<std::string>& status) {
    auto rs = status ? db_.Query(std::string(kEmployerColumns) + "WHERE status = ? ORDER BY created_at_ms DESC, id",
                                 {*status})
                     : db_.Query(std::string(kEmployerColumns) + "ORDER BY created_at_ms DESC, id");
    if (!rs) return rs.error();
    std::vector<EmployerRow> out;
    for (const auto& r : rs->rows) out.push_back(ReadEmployer(r));
    return out;
}

Result<bool> AccountStore::ApproveEmployer(const std::string& id, const std::string& approved_by, std::int64_t now_ms) {
    auto rs = db_.Query(kApproveEmployer, {approved_by, now_ms, id});
    if (!rs) return rs.error();
    return rs->affected == 1;
}

}  // namespace dangan::identity
