// Log-in of staff (password + TOTP, with first-log-in enrolment) and employer users.

#include "identity/accounts.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/validators.hpp"
#include "identity/accounts_internal.hpp"
#include "identity/passwords.hpp"
#include "identity/totp.hpp"

namespace dangan::identity {

audit::Entry ChangeEntry(const http::Request* request, std::string action) {
    if (request != nullptr) return audit::EntryFor(*request, std::move(action));
    audit::Entry entry;
    entry.actor_kind = "system";
    entry.action = std::move(action);
    entry.channel = "cli";
    return entry;
}

std::string DetailJson(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

Error InvalidCredentials() {
    return MakeError(ErrorCode::kUnauthenticated, "用户名或密码不正确", "", "invalid_credentials");
}

Error InvalidTotp() {
    return MakeError(ErrorCode::kUnauthenticated, "动态验证码不正确或已使用，请输入验证器中最新的 6 位数字", "totp",
                     "invalid_totp");
}

Error EnrolmentExpired() {
    return MakeError(ErrorCode::kInvalidArgument, "绑定已过期，请重新登录后再绑定验证器", "enrolment_token",
                     "enrolment_expired");
}

Refusal Locked(std::int64_t locked_until_ms, std::int64_t now_ms) {
    const std::int64_t seconds = SecondsUntil(now_ms, locked_until_ms);
    return Refusal(MakeError(ErrorCode::kForbidden, LockedMessage(seconds), "", "account_locked"), seconds);
}

// A failed attempt: audited as login_failed — and account_locked when this attempt locked the
// account — then the refusal to answer with.
Refusal Failed(http::App& app, const http::Request& request, const std::string& user_id, const std::string& username,
               const Refusal& refusal, bool locked_now) {
    audit::Entry entry = audit::EntryFor(request, "login_failed");
    entry.target = user_id.empty() ? "" : "user:" + user_id;
    entry.detail_json = DetailJson({{"username", username}, {"reason", refusal.error.reason}});
    if (Status s = audit::Record(app, std::move(entry)); !s) return Refusal(s.error());
    if (locked_now) {
        audit::Entry lock = audit::EntryFor(request, "account_locked");
        lock.target = "user:" + user_id;
        lock.detail_json = DetailJson({{"username", username}, {"retry_after", refusal.retry_after_seconds}});
        if (Status s = audit::Record(app, std::move(lock)); !s) return Refusal(s.error());
    }
    return refusal;
}

// Reserves an attempt and checks the password (rehashing it when the parameters changed).
// Returns the reservation, or the refusal for a locked account or a wrong password.
Answer<LockState> CheckPassword(http::App& app, AccountStore& store, const UserRow& user, const std::string& password,
                                const http::Request& request) {
    const std::int64_t now = NowMillis(*app.clock);
    if (IsLocked(user.lock, now)) {
        return Failed(app, request, user.id, user.username, Locked(user.lock.locked_until_ms, now), false);
    }
    auto reserved = store.Reserve(user.id, now, LockoutPolicyFrom(app.config));
    if (!reserved) return Refusal(reserved.error());
    if (!*reserved) {  // locked by a parallel attempt since we read the row
        auto fresh = store.UserById(user.id);
        if (!fresh) return Refusal(fresh.error());
        const std::int64_t until = *fresh ? (*fresh)->lock.locked_until_ms : now;
        return Failed(app, request, user.id, user.username, Locked(until, now), false);
    }
    const LockState lock = **reserved;
    if (password.size() > kMaxPasswordBytes || !VerifyPassword(user.password_hash, password)) {
        if (lock.locked_until_ms > 0) {
            return Failed(app, request, user.id, user.username, Locked(lock.locked_until_ms, now), true);
        }
        return Failed(app, request, user.id, user.username, Refusal(InvalidCredentials()), false);
    }
    const Argon2Params params = ParamsFrom(app.config);
    if (NeedsRehash(user.password_hash, params)) {
        auto hash = HashPassword(password, params);
        if (!hash) return Refusal(hash.error());
        if (Status s = store.SetPasswordHash(user.id, *hash, now); !s) return Refusal(s.error());
    }
    return lock;
}

// The refusal for a wrong or replayed TOTP code after a right password.
Refusal TotpFailed(http::App& app, const http::Request& request, const UserRow& user, const LockState& lock) {
    const std::int64_t now = NowMillis(*app.clock);
    if (lock.locked_until_ms > 0) {
        return Failed(app, request, user.id, user.username, Locked(lock.locked_until_ms, now), true);
    }
    return Failed(app, request, user.id, user.username, Refusal(InvalidTotp()), false);
}

Answer<LoggedIn> StartSession(http::App& app, http::Principal::Kind kind, const UserRow& user,
                              std::optional<EmployerRow> employer, const http::Request& request) {
    SessionStore sessions(*app.db, *app.clock, app.config);
    auto issued = sessions.Create(kind, user.id, request);
    if (!issued) return Refusal(issued.error());
    audit::Entry entry = audit::EntryFor(request, "login");
    entry.actor_kind = std::string(http::KindName(kind));
    entry.actor_id = user.id;
    entry.target = "session:" + issued->session_id;
    if (Status s = audit::Record(app, std::move(entry)); !s) {
        (void)sessions.Revoke(issued->token);
        return Refusal(s.error());
    }
    return LoggedIn{user, std::move(employer), std::move(*issued)};
}

Answer<TotpEnrolment> BeginEnrolment(http::App& app, AccountStore& store, const UserRow& user,
                                     const http::Request& request) {
    const std::string secret = NewTotpSecret();
    auto sealed = core::Seal(app.keyring.seal_key, secret, kTotpSecretAd);
    if (!sealed) return Refusal(sealed.error());
    if (Status s = store.SetPendingTotpSecret(user.id, *sealed); !s) return Refusal(s.error());
    const std::string uri = OtpauthUri(user.username, Base32Encode(secret));
    auto svg = QrSvg(uri);
    if (!svg) return Refusal(svg.error());
    const std::int64_t now = NowMillis(*app.clock);
    audit::Entry entry = audit::EntryFor(request, "totp.enrolment_started");
    entry.actor_kind = "staff";
    entry.actor_id = user.id;
    entry.target = "user:" + user.id;
    if (Status s = audit::Record(app, std::move(entry)); !s) return Refusal(s.error());
    return TotpEnrolment{
        MakeEnrolmentToken(EnrolmentKey(app.keyring.index_key), user.id, *sealed, now + kEnrolmentTtlMs), uri,
        std::move(*svg)};
}

// Digits only, spaces dropped ("123 456" as some apps show it).
std::string CleanCode(const std::string& code) {
    std::string out;
    for (char c : code) {
        if (c != ' ') out += c;
    }
    return out;
}

Status RequirePassword(const std::string& password) {
    if (password.empty()) return MakeError(ErrorCode::kInvalidArgument, "请输入密码", "password", "missing_password");
    return Ok();
}

}  // namespace

Answer<StaffLoginStep> StaffLogin(http::App& app, const StaffLoginInput& input, const http::Request& request) {
    auto username = ValidateUsername(input.username);
    if (!username) return Refusal(username.error());
    if (Status s = RequirePassword(input.password); !s) return Refusal(s.error());
    AccountStore store(*app.db);
    auto found = store.StaffByUsername(*username);
    if (!found) return Refusal(found.error());
    if (!*found) {
        VerifyAgainstDummy(input.password, ParamsFrom(app.config));
        return Failed(app, request, "", *username, Refusal(InvalidCredentials()), false);
    }
    const UserRow& user = **found;
    auto checked = CheckPassword(app, store, user, input.password, request);
    if (auto* refusal = std::get_if<Refusal>(&checked)) return *refusal;
    const LockState lock = std::get<LockState>(checked);

    if (user.disabled) {
        if (Status s = store.Release(user.id, lock); !s) return Refusal(s.error());
        return Failed(
            app, request, user.id, user.username,
            Refusal(MakeError(ErrorCode::kForbidden, "该账号已停用，请联系系统管理员", "", "account_disabled")), false);
    }
    if (!user.totp_enrolled || !user.totp_secret_sealed) {
        // The password is the whole credential until TOTP is enrolled.
        if (Status s = store.ClearFailures(user.id); !s) return Refusal(s.error());
        auto enrolment = BeginEnrolment(app, store, user, request);
        if (auto* refusal = std::get_if<Refusal>(&enrolment)) return *refusal;
        return StaffLoginStep(std::move(std::get<TotpEnrolment>(enrolment)));
    }
    const std::string code = CleanCode(input.totp);
    if (code.empty()) {
        // Not a guess: a right password without the code gives its reservation back.
        if (Status s = store.Release(user.id, lock); !s) return Refusal(s.error());
        return Refusal(
            MakeError(ErrorCode::kInvalidArgument, "请输入验证器中的 6 位动态验证码", "totp", "totp_required"));
    }
    auto secret = core::Open(app.keyring.seal_key, *user.totp_secret_sealed, kTotpSecretAd);
    if (!secret) return Refusal(secret.error());
    auto step = MatchTotp(*secret, code, app.clock->Now(), user.totp_last_step);
    if (!step) return TotpFailed(app, request, user, lock);
    auto consumed = store.ConsumeTotpStep(user.id, *step);  // also clears the failures
    if (!consumed) return Refusal(consumed.error());
    if (!*consumed) return TotpFailed(app, request, user, lock);  // the same code on another node just now

    auto logged_in = StartSession(app, http::Principal::Kind::kStaff, user, std::nullopt, request);
    if (auto* refusal = std::get_if<Refusal>(&logged_in)) return *refusal;
    return StaffLoginStep(std::move(std::get<LoggedIn>(logged_in)));
}

Answer<LoggedIn> EnrolTotp(http::App& app, const std::string& enrolment_token, const std::string& totp,
                           const http::Request& request) {
    auto claim = ParseEnrolmentToken(enrolment_token);
    if (!claim) return Refusal(EnrolmentExpired());
    AccountStore store(*app.db);
    auto found = store.UserById(claim->user_id);
    if (!found) return Refusal(found.error());
    const std::int64_t now = NowMillis(*app.clock);
    if (!*found || (*found)->kind != "staff" || (*found)->totp_enrolled || !(*found)->totp_secret_sealed ||
        !EnrolmentTokenValid(EnrolmentKey(app.keyring.index_key), *claim, *(*found)->totp_secret_sealed, now)) {
        return Refusal(EnrolmentExpired());
    }
    const UserRow& user = **found;
    if (user.disabled) {
        return Refusal(MakeError(ErrorCode::kForbidden, "该账号已停用，请联系系统管理员", "", "account_disabled"));
    }
    if (IsLocked(user.lock, now)) return Locked(user.lock.locked_until_ms, now);
    const std::string code = CleanCode(totp);
    if (code.empty()) {
        return Refusal(
            MakeError(ErrorCode::kInvalidArgument, "请输入验证器中的 6 位动态验证码", "totp", "totp_required"));
    }
    auto secret = core::Open(app.keyring.seal_key, *user.totp_secret_sealed, kTotpSecretAd);
    if (!secret) return Refusal(secret.error());
    auto step = MatchTotp(*secret, code, app.clock->Now(), 0);
    if (!step) return Failed(app, request, user.id, user.username, Refusal(InvalidTotp()), false);
    auto completed = store.CompleteEnrolment(user.id, *user.totp_secret_sealed, *step);
    if (!completed) return Refusal(completed.error());
    if (!*completed) return Refusal(EnrolmentExpired());

    audit::Entry entry = audit::EntryFor(request, "totp.enrol");
    entry.actor_kind = "staff";
    entry.actor_id = user.id;
    entry.target = "user:" + user.id;
    if (Status s = audit::Record(app, std::move(entry)); !s) return Refusal(s.error());
    return StartSession(app, http::Principal::Kind::kStaff, user, std::nullopt, request);
}

Answer<LoggedIn> EmployerLogin(http::App& app, const EmployerLoginInput& input, const http::Request& request) {
    auto credit_code = core::ValidateCreditCode(input.credit_code);
    if (!credit_code) return Refusal(credit_code.error());
    auto username = ValidateUsername(input.username);
    if (!username) return Refusal(username.error());
    if (Status s = RequirePassword(input.password); !s) return Refusal(s.error());
    AccountStore store(*app.db);
    auto employer = store.EmployerByCreditCode(*credit_code);
    if (!employer) return Refusal(employer.error());
    std::optional<UserRow> user;
    if (*employer) {
        auto found = store.EmployerUser((*employer)->id, *username);
        if (!found) return Refusal(found.error());
        user = std::move(*found);
    }
    if (!user) {
        VerifyAgainstDummy(input.password, ParamsFrom(app.config));
        return Failed(app, request, "", *username, Refusal(InvalidCredentials()), false);
    }
    auto checked = CheckPassword(app, store, *user, input.password, request);
    if (auto* refusal = std::get_if<Refusal>(&checked)) return *refusal;
    const LockState lock = std::get<LockState>(checked);
    if (user->disabled || (*employer)->status != "approved") {
        if (Status s = store.Release(user->id, lock); !s) return Refusal(s.error());
        Error e = user->disabled ? MakeError(ErrorCode::kForbidden, "该账号已停用，请联系单位管理员或经办机构", "",
                                             "account_disabled")
                                 : MakeError(ErrorCode::kForbidden, "单位注册申请尚未通过审核，审核通过后即可登录", "",
                                             "employer_not_approved");
        return Failed(app, request, user->id, user->username, Refusal(std::move(e)), false);
    }
    if (Status s = store.ClearFailures(user->id); !s) return Refusal(s.error());
    return StartSession(app, http::Principal::Kind::kEmployer, *user, **employer, request);
}

}  // namespace dangan::identity
