#include "identity/guard.hpp"

#include <gtest/gtest.h>

#include "archives/persons.hpp"
#include "http/app.hpp"
#include "identity/testing.hpp"

namespace dangan::identity {
namespace {

using http::Access;
using http::Method;
using http::Principal;

Principal Citizen() {
    Principal p;
    p.kind = Principal::Kind::kCitizen;
    p.subject_id = "person-1";
    p.csrf_token = "csrf-token-of-the-session";
    return p;
}

Principal Staff(std::string role, std::string scope = "2201") {
    Principal p;
    p.kind = Principal::Kind::kStaff;
    p.subject_id = "user-1";
    p.csrf_token = "csrf-token-of-the-session";
    p.grants.push_back({std::move(role), std::move(scope)});
    return p;
}

constexpr std::string_view kGoodCsrf = "csrf-token-of-the-session";

TEST(DecideAccess, PublicRoutesPassWithoutASession) {
    EXPECT_EQ(DecideAccess(Access::Public(), Method::kGet, std::nullopt, std::nullopt), AccessDecision::kAllow);
    EXPECT_EQ(DecideAccess(Access::Public(), Method::kPost, std::nullopt, std::nullopt), AccessDecision::kAllow);
}

TEST(DecideAccess, NoPrincipalOnAProtectedRouteIsUnauthenticated) {
    EXPECT_EQ(DecideAccess(Access::Roles({"citizen"}), Method::kGet, std::nullopt, std::nullopt),
              AccessDecision::kUnauthenticated);
    EXPECT_EQ(DecideAccess(Access::Roles({"citizen"}), Method::kPost, std::nullopt, kGoodCsrf),
              AccessDecision::kUnauthenticated);
    EXPECT_EQ(DecideAccess(Access{}, Method::kGet, std::nullopt, std::nullopt), AccessDecision::kUnauthenticated);
}

TEST(DecideAccess, RolesMustMatch) {
    Access staff_route = Access::Roles({"window_clerk", "archivist"});
    EXPECT_EQ(DecideAccess(staff_route, Method::kGet, Citizen(), std::nullopt), AccessDecision::kForbidden);
    EXPECT_EQ(DecideAccess(staff_route, Method::kGet, Staff("auditor"), std::nullopt), AccessDecision::kForbidden);
    EXPECT_EQ(DecideAccess(staff_route, Method::kGet, Staff("archivist"), std::nullopt), AccessDecision::kAllow);
    EXPECT_EQ(DecideAccess(Access::Roles({"citizen"}), Method::kGet, Staff("system_admin"), std::nullopt),
              AccessDecision::kForbidden);
    EXPECT_EQ(DecideAccess(Access{}, Method::kGet, Staff("system_admin"), std::nullopt), AccessDecision::kForbidden)
        << "a route without roles is denied to everyone";
    EXPECT_EQ(DecideAccess(Access::Roles({"staff"}), Method::kGet, Staff("auditor"), std::nullopt),
              AccessDecision::kAllow);
}

TEST(DecideAccess, StateChangingRequestsWithASessionNeedTheCsrfToken) {
    Access route = Access::Roles({"citizen"});
    for (Method m : {Method::kPost, Method::kPut, Method::kPatch, Method::kDelete}) {
        EXPECT_EQ(DecideAccess(route, m, Citizen(), std::nullopt), AccessDecision::kCsrfFailed);
        EXPECT_EQ(DecideAccess(route, m, Citizen(), ""), AccessDecision::kCsrfFailed);
        EXPECT_EQ(DecideAccess(route, m, Citizen(), "csrf-token-of-the-sessioN"), AccessDecision::kCsrfFailed);
        EXPECT_EQ(DecideAccess(route, m, Citizen(), "csrf-token-of-the-session "), AccessDecision::kCsrfFailed);
        EXPECT_EQ(DecideAccess(route, m, Citizen(), kGoodCsrf), AccessDecision::kAllow);
    }
    EXPECT_EQ(DecideAccess(route, Method::kGet, Citizen(), std::nullopt), AccessDecision::kAllow);
    EXPECT_EQ(DecideAccess(route, Method::kHead, Citizen(), std::nullopt), AccessDecision::kAllow);
}

TEST(DecideAccess, PublicPostWithASessionStillNeedsTheCsrfToken) {
    EXPECT_EQ(DecideAccess(Access::Public(), Method::kPost, Citizen(), std::nullopt), AccessDecision::kCsrfFailed);
    EXPECT_EQ(DecideAccess(Access::Public(), Method::kPost, Citizen(), kGoodCsrf), AccessDecision::kAllow);
}

TEST(DecideAccess, ASessionWithoutCsrfTokenNeverPasses) {
    Principal p = Citizen();
    p.csrf_token.clear();
    EXPECT_EQ(DecideAccess(Access::Roles({"citizen"}), Method::kPost, p, ""), AccessDecision::kCsrfFailed);
}

TEST(AccessError, MapsToTheContractCodes) {
    EXPECT_EQ(AccessError(AccessDecision::kUnauthenticated).code, ErrorCode::kUnauthenticated);
    EXPECT_EQ(AccessError(AccessDecision::kUnauthenticated).reason, "unauthenticated");
    EXPECT_EQ(AccessError(AccessDecision::kUnauthenticated).message, "请先登录");
    EXPECT_EQ(AccessError(AccessDecision::kForbidden).code, ErrorCode::kForbidden);
    EXPECT_EQ(AccessError(AccessDecision::kForbidden).reason, "forbidden");
    EXPECT_EQ(AccessError(AccessDecision::kCsrfFailed).code, ErrorCode::kForbidden);
    EXPECT_EQ(AccessError(AccessDecision::kCsrfFailed).reason, "csrf_failed");
}

TEST(MaskName, KeepsTheSurnameOnly) {
    EXPECT_EQ(MaskName("张三丰"), "张**");
    EXPECT_EQ(MaskName("李娜"), "李*");
    EXPECT_EQ(MaskName("王"), "王");
    EXPECT_EQ(MaskName(""), "");
    EXPECT_EQ(MaskName("Anna"), "A***");
}

class PrincipalForTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        app_.db = std::move(db_);
        app_.keyring = keys_;
    }

    void Run(std::string_view sql, const db::Params& params) {
        auto r = app_.db->Query(sql, params);
        ASSERT_TRUE(r.ok()) << sql << ": " << db::testutil::Why(r);
    }

    void AddUser(const std::string& id, const std::string& kind, const std::string& employer_id, int disabled) {
        db::Value employer = employer_id.empty() ? db::Value(nullptr) : db::Value(employer_id);
        Run("INSERT INTO users (id, kind, employer_id, username, display_name, password_hash, disabled, "
            "password_changed_at_ms, created_at_ms) VALUES (?, ?, ?, ?, ?, 'x', ?, 0, 0)",
            {id, kind, employer, "u" + id, "用户" + id, std::int64_t{disabled}});
    }

    std::optional<Principal> For(Principal::Kind kind, const std::string& subject) {
        SessionRow session{"session-1", kind, subject, "csrf"};
        auto p = PrincipalFor(app_, session);
        EXPECT_TRUE(p.ok()) << db::testutil::Why(p);
        return p.ok() ? *p : std::nullopt;
    }

    http::App app_;
};

TEST_P(PrincipalForTest, CitizenGetsAMaskedName) {
    std::string person_id;
    ASSERT_TRUE(app_.db
                    ->Transaction([&](db::Connection& conn) -> Status {
                        auto p =
                            archives::CreatePerson(conn, keys_, clock_, "张三丰", "220102198503150015", "13904310001");
                        if (!p) return p.error();
                        person_id = p->id;
                        return Ok();
                    })
                    .ok());
    auto p = For(Principal::Kind::kCitizen, person_id);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->display_name, "张**");
    EXPECT_EQ(p->subject_id, person_id);
    EXPECT_EQ(p->csrf_token, "csrf");
    EXPECT_EQ(p->session_id, "session-1");
    EXPECT_FALSE(For(Principal::Kind::kCitizen, "no-such-person"));
}

TEST_P(PrincipalForTest, StaffCarryTheirGrantsAndDisabledStaffNothing) {
    AddUser("s1", "staff", "", 0);
    AddUser("s2", "staff", "", 1);
    Run("INSERT INTO grants (user_id, role, scope) VALUES (?, ?, ?)", {"s1", "window_clerk", "220102"});
    Run("INSERT INTO grants (user_id, role, scope) VALUES (?, ?, ?)", {"s1", "auditor", "2201"});
    auto p = For(Principal::Kind::kStaff, "s1");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->grants.size(), 2u);
    EXPECT_TRUE(p->HasRole("window_clerk"));
    EXPECT_TRUE(p->HasRole("auditor"));
    EXPECT_FALSE(For(Principal::Kind::kStaff, "s2")) << "disabled";
    EXPECT_FALSE(For(Principal::Kind::kEmployer, "s1")) << "a staff id in an employer session";
}

TEST_P(PrincipalForTest, EmployerUsersNeedAnApprovedEmployer) {
    Run("INSERT INTO employers (id, credit_code, name, status, region_code, created_at_ms) VALUES (?, ?, ?, ?, ?, 0)",
        {"e1", "91220101MA00000001", "长春轴承厂", "approved", "220101"});
    Run("INSERT INTO employers (id, credit_code, name, status, region_code, created_at_ms) VALUES (?, ?, ?, ?, ?, 0)",
        {"e2", "91220101MA00000002", "吉林化纤厂", "pending", "220101"});
    AddUser("u1", "employer", "e1", 0);
    AddUser("u2", "employer", "e2", 0);
    auto p = For(Principal::Kind::kEmployer, "u1");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->employer_id, "e1");
    EXPECT_TRUE(p->HasRole("employer_user"));
    EXPECT_FALSE(For(Principal::Kind::kEmployer, "u2"));
}

INSTANTIATE_TEST_SUITE_P(Backends, PrincipalForTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace dangan::identity
