#include "identity/account_rules.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/clock.hpp"
#include "identity/sessions.hpp"

namespace dangan::identity {
namespace {

TEST(AccountRules, UserNamesAreFoldedAndChecked) {
    EXPECT_EQ(ValidateUsername("Zhang.San_01").value_or(""), "zhang.san_01");
    EXPECT_EQ(ValidateUsername("hr").value_or(""), "hr");
    const std::string_view bads[] = {"", "a", "-abc", ".abc", "has space", "张三", "a'--", std::string_view("a\0b", 3)};
    for (std::string_view bad : bads) {
        auto r = ValidateUsername(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().reason, "invalid_username");
        EXPECT_EQ(r.error().field, "username");
    }
    EXPECT_FALSE(ValidateUsername(std::string(33, 'a')).ok());
    EXPECT_TRUE(ValidateUsername(std::string(32, 'a')).ok());
}

TEST(AccountRules, DisplayNamesAreTrimmedAndLimited) {
    EXPECT_EQ(ValidateDisplayName("  王小明 ").value_or(""), "王小明");
    EXPECT_EQ(ValidateDisplayName("O'Brien; --").value_or(""), "O'Brien; --");
    EXPECT_TRUE(ValidateDisplayName(std::string(40 * 3, 'x').substr(0, 40)).ok());
    std::string forty;
    for (int i = 0; i < 40; ++i) forty += "档";
    EXPECT_TRUE(ValidateDisplayName(forty).ok());
    EXPECT_FALSE(ValidateDisplayName(forty + "案").ok());
    for (std::string_view bad : {"", "   ", "a\tb", "a\x01", "\xff\xfe", "\xe6\xa1", "\xc0\xaf", "\xed\xa0\x80"}) {
        auto r = ValidateDisplayName(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().field, "display_name");
    }
}

TEST(AccountRules, ScopesAreCityDistrictOrBranchCodes) {
    for (std::string_view ok : {"2201", "220102", "220102-001"}) EXPECT_TRUE(ValidateScope(ok).ok()) << ok;
    for (std::string_view bad : {"", "22", "22010", "2201020", "220102-01", "220102_001", "22a1", "220102-00a"}) {
        auto s = ValidateScope(bad);
        ASSERT_FALSE(s.ok()) << bad;
        EXPECT_EQ(s.error().reason, "invalid_scope");
        EXPECT_EQ(s.error().field, "scope");
    }
}

TEST(AccountRules, GrantsNeedAStaffRole) {
    EXPECT_TRUE(ValidateGrant({"window_clerk", "220102"}).ok());
    EXPECT_EQ(ValidateGrant({"citizen", "2201"}).error().reason, "invalid_role");
    EXPECT_EQ(ValidateGrant({"employer_user", "2201"}).error().reason, "invalid_role");
    EXPECT_EQ(ValidateGrant({"auditor", "x"}).error().reason, "invalid_scope");
}

http::Principal Staff(std::vector<http::Grant> grants) {
    http::Principal p;
    p.kind = http::Principal::Kind::kStaff;
    p.grants = std::move(grants);
    return p;
}

TEST(AccountRules, AnAdminGrantsOnlyInsideTheirOwnScopes) {
    const auto admin = Staff({{"system_admin", "220102"}, {"auditor", "2201"}});
    const auto scopes = ScopesOfRoles(admin, {"system_admin"});
    ASSERT_EQ(scopes, std::vector<std::string>{"220102"});  // the auditor grant gives no admin scope
    EXPECT_TRUE(InsideScopes(scopes, "220102"));
    EXPECT_TRUE(InsideScopes(scopes, "220102-001"));
    EXPECT_FALSE(InsideScopes(scopes, "2201"));    // wider
    EXPECT_FALSE(InsideScopes(scopes, "220103"));  // beside
    EXPECT_FALSE(InsideScopes({}, "220102"));
    EXPECT_TRUE(GrantsInside(scopes, {{"window_clerk", "220102-001"}, {"archivist", "220102"}}));
    EXPECT_FALSE(GrantsInside(scopes, {{"window_clerk", "220102-001"}, {"archivist", "2201"}}));
    EXPECT_TRUE(GrantsInside({"2201", "3101"}, {{"window_clerk", "310104"}, {"archivist", "220102"}}));
    http::Principal citizen;
    EXPECT_TRUE(ScopesOfRoles(citizen, {"system_admin"}).empty());
}

class Lockout : public ::testing::Test {
protected:
    core::FixedClock clock{core::TimePoint(std::chrono::seconds(1'800'000'000))};
    LockoutPolicy policy{5, 15 * 60 * 1000};
    std::int64_t Now() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count();
    }
};

TEST_F(Lockout, PolicyComesFromTheConfiguration) {
    core::Config config;
    config.security.max_failed_logins = 3;
    config.security.lockout_minutes = 7;
    const LockoutPolicy p = LockoutPolicyFrom(config);
    EXPECT_EQ(p.max_failed_logins, 3);
    EXPECT_EQ(p.lockout_ms, 7 * 60 * 1000);
}

TEST_F(Lockout, TheFifthReservationLocksForFifteenMinutes) {
    LockState state;
    for (int i = 1; i <= 4; ++i) {
        auto next = ReserveAttempt(state, Now(), policy);
        ASSERT_TRUE(next.has_value());
        EXPECT_EQ(next->failed_logins, i);
        EXPECT_EQ(next->locked_until_ms, 0);
        state = *next;
        clock.Advance(std::chrono::seconds(1));
    }
    auto fifth = ReserveAttempt(state, Now(), policy);
    ASSERT_TRUE(fifth.has_value());
    EXPECT_EQ(fifth->failed_logins, 5);
    EXPECT_EQ(fifth->locked_until_ms, Now() + 15 * 60 * 1000);
    state = *fifth;
    EXPECT_TRUE(IsLocked(state, Now()));
    EXPECT_FALSE(ReserveAttempt(state, Now(), policy).has_value());  // a sixth guess is not even tried
    clock.Advance(std::chrono::minutes(15) - std::chrono::milliseconds(1));
    EXPECT_FALSE(ReserveAttempt(state, Now(), policy).has_value());
    EXPECT_EQ(SecondsUntil(Now(), state.locked_until_ms), 1);
}

TEST_F(Lockout, AfterTheLockRunsOutCountingStartsAgain) {
    LockState state{5, Now() + 1000};
    clock.Advance(std::chrono::seconds(1));
    EXPECT_FALSE(IsLocked(state, Now()));
    auto next = ReserveAttempt(state, Now(), policy);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->failed_logins, 1);
    EXPECT_EQ(next->locked_until_ms, 0);
}

TEST_F(Lockout, ALimitOfOneLocksAtTheFirstAttempt) {
    auto next = ReserveAttempt(LockState{}, Now(), LockoutPolicy{1, 60'000});
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->locked_until_ms, Now() + 60'000);
}

TEST(AccountRules, LockedMessageSaysMinutes) {
    EXPECT_NE(LockedMessage(900).find("15 分钟"), std::string::npos);
    EXPECT_NE(LockedMessage(61).find("2 分钟"), std::string::npos);
    EXPECT_NE(LockedMessage(1).find("1 分钟"), std::string::npos);
}

TEST(EnrolmentToken, BindsUserExpiryAndSecret) {
    const std::string key = EnrolmentKey(std::string(32, 'k'));
    const std::string token = MakeEnrolmentToken(key, "user-1", "sealed-secret", 5000);
    auto claim = ParseEnrolmentToken(token);
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->user_id, "user-1");
    EXPECT_EQ(claim->expires_ms, 5000);
    EXPECT_TRUE(EnrolmentTokenValid(key, *claim, "sealed-secret", 4999));
    EXPECT_FALSE(EnrolmentTokenValid(key, *claim, "sealed-secret", 5000));  // expired
    EXPECT_FALSE(EnrolmentTokenValid(key, *claim, "another-secret", 10));   // a newer log-in
    EXPECT_FALSE(EnrolmentTokenValid(EnrolmentKey(std::string(32, 'j')), *claim, "sealed-secret", 10));
    auto forged = *claim;
    forged.user_id = "user-2";
    EXPECT_FALSE(EnrolmentTokenValid(key, forged, "sealed-secret", 10));
    forged = *claim;
    forged.expires_ms = 99999;
    EXPECT_FALSE(EnrolmentTokenValid(key, forged, "sealed-secret", 10));
}

TEST(EnrolmentToken, MalformedTokensDoNotParse) {
    for (std::string_view bad : {"", "abc", "a.b", "a.1", ".1.00", "a.x.00", "a.1.00", "a.-1."}) {
        EXPECT_FALSE(ParseEnrolmentToken(bad).has_value()) << bad;
    }
    EXPECT_FALSE(ParseEnrolmentToken("u.1." + std::string(63, 'a')).has_value());
    EXPECT_TRUE(ParseEnrolmentToken("u.1." + std::string(64, 'a')).has_value());
    EXPECT_FALSE(ParseEnrolmentToken("u.99999999999999999999." + std::string(64, 'a')).has_value());
}

}  // namespace
}  // namespace dangan::identity
