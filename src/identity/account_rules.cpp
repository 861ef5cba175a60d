#include "identity/account_rules.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/crypto.hpp"

namespace dangan::identity {
namespace {

bool IsDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Counts the code points of well-formed UTF-8; nullopt on an ill-formed sequence or a control
// character (C0, DEL, C1).
std::optional<std::size_t> CountPrintableUtf8(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (len == 0 || i + len > s.size()) return std::nullopt;
        std::uint32_t cp = len == 1 ? c : c & (0x7F >> len);
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return std::nullopt;
        ++count;
        i += len;
    }
    return count;
}

}  // namespace

Result<std::string> ValidateUsername(std::string_view input, std::string_view field) {
    auto bad = [&](std::string message) {
        return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::string(field), "invalid_username");
    };
    if (input.empty()) return bad("请输入用户名");
    if (input.size() < 2 || input.size() > 32) return bad("用户名应为 2 到 32 个字符");
    std::string out;
    for (char c : input) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!ok) return bad("用户名只能包含英文字母、数字和 . _ -");
        out += c;
    }
    if (!((out[0] >= 'a' && out[0] <= 'z') || (out[0] >= '0' && out[0] <= '9'))) {
        return bad("用户名应以字母或数字开头");
    }
    return out;
}

Result<std::string> ValidateDisplayName(std::string_view input) {
    auto bad = [](std::string message) {
        return MakeError(ErrorCode::kInvalidArgument, std::move(message), "display_name", "invalid_display_name");
    };
    while (!input.empty() && input.front() == ' ') input.remove_prefix(1);
    while (!input.empty() && input.back() == ' ') input.remove_suffix(1);
    if (input.empty()) return bad("请输入姓名或显示名称");
    auto count = CountPrintableUtf8(input);
    if (!count) return bad("显示名称含有无法识别的字符");
    if (*count > 40) return bad("显示名称过长，最多 40 个字");
    return std::string(input);
}

Status ValidateScope(std::string_view scope) {
    const bool city = scope.size() == 4 && IsDigits(scope);
    const bool district = scope.size() == 6 && IsDigits(scope);
    const bool branch =
        scope.size() == 10 && IsDigits(scope.substr(0, 6)) && scope[6] == '-' && IsDigits(scope.substr(7));
    if (city || district || branch) return Ok();
    return MakeError(ErrorCode::kInvalidArgument,
                     "权限范围格式不正确，应为市（如 2201）、区（如 220102）或网点（如 220102-001）代码", "scope",
                     "invalid_scope");
}

Status ValidateGrant(const http::Grant& grant) {
    const auto& roles = http::StaffRoles();
    if (std::find(roles.begin(), roles.end(), grant.role) == roles.end()) {
        return MakeError(ErrorCode::kInvalidArgument, "角色不存在，请从工作人员角色中选择", "role", "invalid_role");
    }
    return ValidateScope(grant.scope);
}

std::vector<std::string> ScopesOfRoles(const http::Principal& principal, const std::vector<std::string>& roles) {
    std::vector<std::string> out;
    if (principal.kind != http::Principal::Kind::kStaff) return out;
    for (const auto& g : principal.grants) {
        if (std::find(roles.begin(), roles.end(), g.role) != roles.end()) out.push_back(g.scope);
    }
    return out;
}

bool InsideScopes(const std::vector<std::string>& scopes, std::string_view scope) {
    return std::any_of(scopes.begin(), scopes.end(), [&](const std::string& s) {
        return http::Grant{"", s}.Covers(scope);
    });
}

bool GrantsInside(const std::vector<std::string>& scopes, const std::vector<http::Grant>& grants) {
    return std::all_of(grants.begin(), grants.end(),
                       [&](const http::Grant& g) { return InsideScopes(scopes, g.scope); });
}

LockoutPolicy LockoutPolicyFrom(const core::Config& config) {
    return LockoutPolicy{config.security.max_failed_logins, config.security.lockout_minutes * 60 * 1000};
}

std::optional<LockState> ReserveAttempt(const LockState& state, std::int64_t now_ms, const LockoutPolicy& policy) {
    if (IsLocked(state, now_ms)) return std::nullopt;
    LockState next;
    next.failed_logins = state.locked_until_ms > 0 ? 1 : state.failed_logins + 1;
    next.locked_until_ms = next.failed_logins >= policy.max_failed_logins ? now_ms + policy.lockout_ms : 0;
    return next;
}

bool IsLocked(const LockState& state, std::int64_t now_ms) { return state.locked_until_ms > now_ms; }

std::string LockedMessage(std::int64_t retry_after_seconds) {
    const std::int64_t minutes = std::max<std::int64_t>(1, (retry_after_seconds + 59) / 60);
    return fmt::format("登录失败次数过多，账号已暂时锁定，请在 {} 分钟后再试，或联系系统管理员解锁", minutes);
}

std::string EnrolmentKey(std::string_view index_key) { return core::HmacSm3(index_key, "dangan/totp-enrolment/v1"); }

namespace {
std::string EnrolmentMac(std::string_view key, std::string_view user_id, std::int64_t expires_ms,
                         std::string_view sealed_secret) {
    return core::HexEncode(
        core::HmacSm3(key, fmt::format("{}\n{}\n{}", user_id, expires_ms, core::Sm3Hex(sealed_secret))));
}
}  // namespace

std::string MakeEnrolmentToken(std::string_view key, std::string_view user_id, std::string_view sealed_secret,
                               std::int64_t expires_ms) {
    return fmt::format("{}.{}.{}", user_id, expires_ms, EnrolmentMac(key, user_id, expires_ms, sealed_secret));
}

std::optional<EnrolmentClaim> ParseEnrolmentToken(std::string_view token) {
    const auto first = token.find('.');
    if (first == std::string_view::npos) return std::nullopt;
    const auto second = token.find('.', first + 1);
    if (second == std::string_view::npos) return std::nullopt;
    EnrolmentClaim claim;
    claim.user_id = std::string(token.substr(0, first));
    const auto expiry = token.substr(first + 1, second - first - 1);
    claim.mac_hex = std::string(token.substr(second + 1));
    if (claim.user_id.empty() || claim.user_id.size() > 64 || !IsDigits(expiry) || expiry.size() > 15 ||
        claim.mac_hex.size() != 2 * core::kSm3DigestSize) {
        return std::nullopt;
    }
    claim.expires_ms = std::stoll(std::string(expiry));
    return claim;
}

bool EnrolmentTokenValid(std::string_view key, const EnrolmentClaim& claim, std::string_view sealed_secret,
                         std::int64_t now_ms) {
    const bool mac_ok =
        core::ConstantTimeEqual(EnrolmentMac(key, claim.user_id, claim.expires_ms, sealed_secret), claim.mac_hex);
    return mac_ok && now_ms < claim.expires_ms;
}

}  // namespace dangan::identity
