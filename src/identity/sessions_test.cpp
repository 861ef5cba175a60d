#include "identity/sessions.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "identity/testing.hpp"

namespace dangan::identity {
namespace {

using Kind = http::Principal::Kind;
using testsupport::MigratedDatabaseTest;

class SessionStoreTest : public MigratedDatabaseTest {
protected:
    SessionStore store() { return SessionStore(db(), clock_, config_); }

    IssuedSession Issue(Kind kind, const std::string& subject, const http::Request& request = {}) {
        auto issued = store().Create(kind, subject, request);
        EXPECT_TRUE(issued.ok()) << db::testutil::Why(issued);
        return issued.ok() ? *issued : IssuedSession{};
    }

    std::optional<SessionRow> Find(const std::string& token) {
        auto found = store().Lookup(token);
        EXPECT_TRUE(found.ok()) << db::testutil::Why(found);
        return found.ok() ? *found : std::nullopt;
    }
};

TEST_P(SessionStoreTest, CreateThenLookupFindsTheSubject) {
    IssuedSession s = Issue(Kind::kStaff, "user-1");
    EXPECT_EQ(s.token.size(), 43u);
    EXPECT_EQ(s.csrf_token.size(), 43u);
    auto row = Find(s.token);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->kind, Kind::kStaff);
    EXPECT_EQ(row->subject_id, "user-1");
    EXPECT_EQ(row->csrf_token, s.csrf_token);
    EXPECT_EQ(row->id, s.session_id);
}

TEST_P(SessionStoreTest, OnlyTheHashOfTheTokenIsStored) {
    IssuedSession s = Issue(Kind::kCitizen, "person-1");
    auto rows = db().Query("SELECT token_hash FROM sessions");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows->rows.size(), 1u);
    EXPECT_EQ(rows->rows[0].Text(0), core::Sm3Hex(s.token));
    EXPECT_EQ(rows->rows[0].Text(0).find(s.token), std::string::npos);
}

TEST_P(SessionStoreTest, TokensAreUnique) {
    EXPECT_NE(Issue(Kind::kCitizen, "p").token, Issue(Kind::kCitizen, "p").token);
}

TEST_P(SessionStoreTest, CitizenSessionEndsAfterIdleLimit) {
    config_.sessions.citizen_idle_minutes = 15;
    IssuedSession s = Issue(Kind::kCitizen, "person-1");
    clock_.Advance(std::chrono::minutes(14));
    EXPECT_TRUE(Find(s.token));  // refreshes last-seen
    clock_.Advance(std::chrono::minutes(14));
    EXPECT_TRUE(Find(s.token)) << "last-seen was refreshed 14 minutes ago";
    clock_.Advance(std::chrono::minutes(15));
    EXPECT_FALSE(Find(s.token));
}

TEST_P(SessionStoreTest, EmployerUsesTheCitizenIdleLimitAndStaffItsOwn) {
    config_.sessions.citizen_idle_minutes = 10;
    config_.sessions.staff_idle_minutes = 30;
    IssuedSession employer = Issue(Kind::kEmployer, "user-e");
    IssuedSession staff = Issue(Kind::kStaff, "user-s");
    clock_.Advance(std::chrono::minutes(20));
    EXPECT_FALSE(Find(employer.token));
    EXPECT_TRUE(Find(staff.token));
}

TEST_P(SessionStoreTest, LastSeenIsWrittenAtMostOnceAMinute) {
    IssuedSession s = Issue(Kind::kStaff, "user-1");
    auto last_seen = [&] {
        auto r = db().Query("SELECT last_seen_at_ms FROM sessions");
        return r.ok() && !r->empty() ? r->rows[0].Int(0) : -1;
    };
    const std::int64_t created = last_seen();
    clock_.Advance(std::chrono::seconds(30));
    EXPECT_TRUE(Find(s.token));
    EXPECT_EQ(last_seen(), created);
    clock_.Advance(std::chrono::seconds(31));
    EXPECT_TRUE(Find(s.token));
    EXPECT_EQ(last_seen(), created + 61'000);
}

TEST_P(SessionStoreTest, AbsoluteLimitEndsEvenAnActiveSession) {
    config_.sessions.absolute_hours = 2;
    config_.sessions.staff_idle_minutes = 30;
    IssuedSession s = Issue(Kind::kStaff, "user-1");
    for (int i = 0; i < 7; ++i) {  // active every 20 minutes: 140 minutes in all
        clock_.Advance(std::chrono::minutes(20));
        bool live = Find(s.token).has_value();
        EXPECT_EQ(live, i < 5) << "after " << (i + 1) * 20 << " minutes";
    }
}

TEST_P(SessionStoreTest, CreateRevokesThePresentedSession) {
    IssuedSession before = Issue(Kind::kCitizen, "person-1");
    http::Request request;
    request.headers.emplace_back("cookie", std::string(kSessionCookie) + "=" + before.token);
    IssuedSession after = Issue(Kind::kCitizen, "person-1", request);
    EXPECT_NE(after.token, before.token);
    EXPECT_FALSE(Find(before.token));
    EXPECT_TRUE(Find(after.token));
}

TEST_P(SessionStoreTest, RevokeEndsOneAndRevokeAllEndsEveryOneOfTheSubject) {
    IssuedSession a = Issue(Kind::kCitizen, "person-1");
    IssuedSession b = Issue(Kind::kCitizen, "person-1");
    IssuedSession c = Issue(Kind::kCitizen, "person-1");
    IssuedSession other = Issue(Kind::kCitizen, "person-2");
    IssuedSession staff_same_id = Issue(Kind::kStaff, "person-1");
    ASSERT_TRUE(store().Revoke(a.token).ok());
    EXPECT_FALSE(Find(a.token));
    EXPECT_TRUE(Find(b.token));
    ASSERT_TRUE(store().RevokeAll(Kind::kCitizen, "person-1").ok());
    EXPECT_FALSE(Find(b.token));
    EXPECT_FALSE(Find(c.token));
    EXPECT_TRUE(Find(other.token));
    EXPECT_TRUE(Find(staff_same_id.token));
}

TEST_P(SessionStoreTest, ForgedTruncatedAndAlteredTokensFindNothing) {
    IssuedSession s = Issue(Kind::kCitizen, "person-1");
    std::string altered = s.token;
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    for (const std::string& token :
         {std::string(), s.token.substr(0, 42), s.token + "A", altered, std::string(43, 'A'),
          std::string("'; DROP TABLE sessions; --"), std::string(10000, 'x'), core::Sm3Hex(s.token)}) {
        EXPECT_FALSE(Find(token)) << token.substr(0, 50);
    }
    EXPECT_TRUE(Find(s.token));
}

INSTANTIATE_TEST_SUITE_P(Backends, SessionStoreTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(SessionCookie, CarriesTheSecurityAttributes) {
    core::Config config;
    IssuedSession s{"tok", "id", "csrf"};
    std::string cookie = SessionCookieHeader(s, config);
    EXPECT_EQ(cookie.rfind("dangan_session=tok;", 0), 0u) << cookie;
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
    EXPECT_NE(cookie.find("Path=/"), std::string::npos);
    EXPECT_EQ(cookie.find("Secure"), std::string::npos);
    config.security.cookie_secure = true;
    EXPECT_NE(SessionCookieHeader(s, config).find("; Secure"), std::string::npos);
    EXPECT_NE(ClearSessionCookieHeader(config).find("Max-Age=0"), std::string::npos);
}

TEST(SessionCookie, LoginResponseSetsTheCookieOnlyForANewSession) {
    core::Config config;
    http::Response fresh = LoginResponse({{"kind", "citizen"}}, IssuedSession{"tok", "id", "csrf"}, config);
    auto body = nlohmann::json::parse(fresh.body);
    EXPECT_EQ(body["csrf_token"], "csrf");
    EXPECT_EQ(body["user"]["kind"], "citizen");
    auto has_cookie = [](const http::Response& r) {
        for (const auto& [name, value] : r.headers) {
            if (name == "Set-Cookie") return true;
        }
        return false;
    };
    EXPECT_TRUE(has_cookie(fresh));
    EXPECT_FALSE(has_cookie(LoginResponse({}, IssuedSession{"", "id", "csrf"}, config)));
}

TEST(RetryAfter, GoesIntoTheBodyAndTheHeader) {
    http::Response r =
        RetryAfterResponse(MakeError(ErrorCode::kTooManyRequests, "请 42 秒后再试", "", "too_many_requests"), 42);
    EXPECT_EQ(r.status, 429);
    auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["error"]["retry_after"], 42);
    EXPECT_EQ(body["error"]["code"], "too_many_requests");
    bool header = false;
    for (const auto& [name, value] : r.headers) header = header || (name == "Retry-After" && value == "42");
    EXPECT_TRUE(header);
    EXPECT_EQ(SecondsUntil(1000, 1001), 1);
    EXPECT_EQ(SecondsUntil(1000, 61'000), 60);
    EXPECT_EQ(SecondsUntil(5000, 1000), 1);
}

}  // namespace
}  // namespace dangan::identity
