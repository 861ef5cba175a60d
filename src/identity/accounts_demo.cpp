// Demo accounts for `dangan init --demo`, the demo walkthrough and the browser tests. The
// passwords and TOTP secrets are fixed and public (src/identity/README.md): demo data only.

#include "audit/register.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "identity/accounts.hpp"
#include "identity/accounts_internal.hpp"
#include "identity/passwords.hpp"
#include "identity/totp.hpp"

namespace dangan::identity {
namespace {

struct DemoStaff {
    const char* username;
    const char* display_name;
    const char* password;
    const char* totp_base32;  // base32 of "dangan-demo-<name>-01"
    const char* role;
    const char* scope;
};

constexpr DemoStaff kDemoStaff[] = {
    {"admin", "系统管理员（演示）", "Guanli#2201demo", "MRQW4Z3BNYWWIZLNN4WWCZDNNFXC2MBR", "system_admin", "2201"},
    {"clerk", "窗口经办员（演示）", "Chuangkou#2201demo", "MRQW4Z3BNYWWIZLNN4WWG3DFOJVS2MBR", "window_clerk", "220102"},
    {"auditor", "审计员（演示）", "Shenji#2201demo", "MRQW4Z3BNYWWIZLNN4WWC5LENF2C2MBR", "auditor", "2201"},
    {"zhishi", "知识库编辑（演示）", "Zhishi#2201demo", "MRQW4Z3BNYWWIZLNN4WXU2DJONUGSLJQGE", "kb_editor", "2201"},
    {"shenhe", "内容审核员（演示）", "Shenhe#2201demo", "MRQW4Z3BNYWWIZLNN4WXG2DFNZUGKLJQGE", "content_approver", "2201"},
    {"kefu", "客服小王（演示）", "Kefu#2201demo", "MRQW4Z3BNYWWIZLNN4WWWZLGOUWTAMI", "callback_agent", "2201"},
};

constexpr const char* kDemoCreditCode = "91220102MA0DANGANM";
constexpr const char* kDemoEmployerName = "长春市演示机械制造有限公司";
constexpr const char* kDemoEmployerUser = "hr";
constexpr const char* kDemoEmployerPassword = "Danwei#2201demo";

Status AuditSeeded(http::App& app, const char* action, std::string target) {
    audit::Entry entry = ChangeEntry(nullptr, action);
    entry.target = std::move(target);
    entry.detail_json = R"({"demo":true})";
    return audit::Record(app, std::move(entry));
}

Status SeedStaff(http::App& app, AccountStore& store, const DemoStaff& d) {
    auto existing = store.StaffByUsername(d.username);
    if (!existing) return existing.error();
    if (*existing) return Ok();
    auto secret = Base32Decode(d.totp_base32);
    if (!secret) return secret.error();
    auto sealed = core::Seal(app.keyring.seal_key, *secret, kTotpSecretAd);
    if (!sealed) return sealed.error();
    auto hash = HashPassword(d.password, ParamsFrom(app.config));
    if (!hash) return hash.error();
    UserRow user;
    user.id = core::NewId(*app.clock);
    user.kind = "staff";
    user.username = d.username;
    user.display_name = d.display_name;
    user.totp_secret_sealed = *sealed;
    user.totp_enrolled = true;
    user.grants = {http::Grant{d.role, d.scope}};
    const std::int64_t now = NowMillis(*app.clock);
    DANGAN_TRY(
        app.db->Transaction([&](db::Connection& conn) { return AccountStore::InsertUser(conn, user, *hash, now); }));
    return AuditSeeded(app, "user.create", "user:" + user.id);
}

Status SeedEmployer(http::App& app, AccountStore& store) {
    auto existing = store.EmployerByCreditCode(kDemoCreditCode);
    if (!existing) return existing.error();
    if (*existing) return Ok();
    auto hash = HashPassword(kDemoEmployerPassword, ParamsFrom(app.config));
    if (!hash) return hash.error();
    const std::int64_t now = NowMillis(*app.clock);
    EmployerRow employer;
    employer.id = core::NewId(*app.clock);
    employer.credit_code = kDemoCreditCode;
    employer.name = kDemoEmployerName;
    employer.status = "approved";
    employer.region_code = "220102";
    employer.created_at_ms = now;
    employer.approved_at_ms = now;
    auto admin = store.StaffByUsername("admin");
    if (!admin) return admin.error();
    employer.approved_by = *admin ? (*admin)->id : "";
    UserRow user;
    user.id = core::NewId(*app.clock);
    user.kind = "employer";
    user.employer_id = employer.id;
    user.username = kDemoEmployerUser;
    user.display_name = "人事专员（演示）";
    DANGAN_TRY(app.db->Transaction([&](db::Connection& conn) -> Status {
        DANGAN_TRY(AccountStore::InsertEmployer(conn, employer));
        return AccountStore::InsertUser(conn, user, *hash, now);
    }));
    return AuditSeeded(app, "employer.create", "employer:" + employer.id);
}

}  // namespace

Status SeedDemoAccounts(http::App& app) {
    audit::Start(app);
    AccountStore store(*app.db);
    for (const auto& d : kDemoStaff) DANGAN_TRY(SeedStaff(app, store, d));
    return SeedEmployer(app, store);
}

}  // namespace dangan::identity
