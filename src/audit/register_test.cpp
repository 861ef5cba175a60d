// The auditor's routes, called through the router on both backends (the guard's log-in is
// another module's: here the principal is set by hand).

#include "audit/register.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "audit/test_fixture.hpp"
#include "core/clock.hpp"
#include "http/app.hpp"

namespace dangan::audit {
namespace {

using testing::AuditDbTest;

constexpr std::int64_t kDay1 = 1735660800000;  // 2025-01-01T00:00:00+08:00
constexpr std::int64_t kDay = 86400000;

class AuditRoutesTest : public AuditDbTest {
protected:
    void SetUp() override {
        AuditDbTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        clock_ = new core::FixedClock(core::TimePoint(std::chrono::milliseconds(kDay1 + 3600000)));
        app_.clock.reset(clock_);
        app_.db = OpenDb();  // the server's own handle; the test's db_ stays for plain SQL
        Register(app_);
    }

    void TearDown() override {
        app_.audit.reset();
        app_.db.reset();
        AuditDbTest::TearDown();
    }

    void Record(const std::string& actor_kind, const std::string& actor_id, const std::string& action,
                const std::string& person, std::int64_t at_ms) {
        clock_->Set(core::TimePoint(std::chrono::milliseconds(at_ms)));
        Entry e;
        e.actor_kind = actor_kind;
        e.actor_id = actor_id;
        e.action = action;
        e.subject_person_id = person;
        e.channel = "staff";
        ASSERT_TRUE(app_.audit->Record(e).ok());
    }

    static http::Request AuditorRequest(std::string query, std::string path = "/api/v1/audit") {
        http::Request r;
        r.path = std::move(path);
        r.query = std::move(query);
        r.remote_address = "10.1.1.1";
        r.request_id = "req-auditor";
        r.principal = http::Principal{};
        r.principal->kind = http::Principal::Kind::kStaff;
        r.principal->subject_id = "auditor-1";
        r.principal->grants = {{"auditor", "2201"}};
        return r;
    }

    std::pair<int, nlohmann::json> Get(const std::string& path, const std::string& query) {
        auto match = app_.router.Find(http::Method::kGet, path);
        EXPECT_NE(match.route, nullptr) << path;
        if (match.route == nullptr) return {0, {}};
        http::Request request = AuditorRequest(query, path);
        EXPECT_TRUE(match.route->access.Allows(*request.principal));
        http::Response response = match.route->handler(request);
        return {response.status, nlohmann::json::parse(response.body)};
    }

    std::vector<std::int64_t> Seqs(const nlohmann::json& body) {
        std::vector<std::int64_t> out;
        for (const auto& item : body["items"]) out.push_back(item["seq"].get<std::int64_t>());
        return out;
    }

    http::App app_;
    core::FixedClock* clock_ = nullptr;  // owned by app_
};

TEST_P(AuditRoutesTest, OnlyAuditorsMayCall) {
    for (const char* path : {"/api/v1/audit", "/api/v1/audit/verify"}) {
        auto match = app_.router.Find(http::Method::kGet, path);
        ASSERT_NE(match.route, nullptr);
        EXPECT_EQ(match.route->access.Describe(), "auditor");
        http::Principal clerk;
        clerk.kind = http::Principal::Kind::kStaff;
        clerk.grants = {{"window_clerk", "2201"}};
        EXPECT_FALSE(match.route->access.Allows(clerk));
    }
}

TEST_P(AuditRoutesTest, FiltersAndPagesNewestFirst) {
    Run("INSERT INTO users (id, kind, username, display_name, password_hash, password_changed_at_ms, created_at_ms) "
        "VALUES ('u1', 'staff', 'clerk1', '窗口一号', 'x', 0, 0)");
    Record("staff", "u1", "person.read", "p1", kDay1 + 1000);              // seq 1
    Record("staff", "u1", "person.read", "p2", kDay1 + 2000);              // seq 2
    Record("citizen", "p1", "login", "", kDay1 + kDay + 1000);             // seq 3
    Record("staff", "u1", "person.read_full", "p1", kDay1 + kDay + 2000);  // seq 4
    Record("staff", "u2", "person.read", "p1", kDay1 + 2 * kDay);          // seq 5

    auto [status, all] = Get("/api/v1/audit", "");
    ASSERT_EQ(status, 200) << all.dump();
    EXPECT_EQ(Seqs(all), (std::vector<std::int64_t>{5, 4, 3, 2, 1}));
    EXPECT_TRUE(all["next_cursor"].is_null());
    const auto& first = all["items"][4];
    EXPECT_EQ(first["actor_name"], "窗口一号");
    EXPECT_EQ(first["at"], "2025-01-01T00:00:01.000+08:00");
    EXPECT_EQ(first["subject_person_id"], "p1");
    EXPECT_EQ(first["channel"], "staff");
    for (const char* key : {"seq", "at", "actor_kind", "actor_id", "actor_name", "action", "subject_person_id",
                            "target", "purpose", "channel", "address", "request_id"}) {
        EXPECT_TRUE(first.contains(key)) << key;
    }

    EXPECT_EQ(Seqs(Get("/api/v1/audit", "person_id=p1").second), (std::vector<std::int64_t>{5, 4, 1}));
    EXPECT_EQ(Seqs(Get("/api/v1/audit", "actor_id=u1&action=person.read").second), (std::vector<std::int64_t>{2, 1}));
    EXPECT_EQ(Seqs(Get("/api/v1/audit", "from=2025-01-02&to=2025-01-02").second), (std::vector<std::int64_t>{4, 3}));
    EXPECT_EQ(Seqs(Get("/api/v1/audit", "to=2025-01-01&actor_id=u1").second), (std::vector<std::int64_t>{2, 1}));

    // Each call above was audited (seq 6 onwards, actor auditor-1, the person filter as subject).
    EXPECT_EQ(Seqs(Get("/api/v1/audit", "person_id=p1&action=audit.read").second), (std::vector<std::int64_t>{7}));

    auto [s1, page1] = Get("/api/v1/audit", "actor_id=u1&limit=2");
    EXPECT_EQ(Seqs(page1), (std::vector<std::int64_t>{4, 2}));
    ASSERT_TRUE(page1["next_cursor"].is_string());
    auto [s2, page2] = Get("/api/v1/audit", "actor_id=u1&limit=2&cursor=" + page1["next_cursor"].get<std::string>());
    EXPECT_EQ(Seqs(page2), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(page2["next_cursor"].is_null());
}

TEST_P(AuditRoutesTest, ReadingTheLogIsAudited) {
    Record("staff", "u1", "person.read", "p1", kDay1);
    auto [status, body] = Get("/api/v1/audit", "person_id=p1&limit=10");
    ASSERT_EQ(status, 200);
    auto rs =
        Run("SELECT actor_kind, actor_id, action, subject_person_id, detail_json, address FROM audit_log "
            "WHERE seq = 2");
    ASSERT_EQ(rs.rows.size(), 1u);
    EXPECT_EQ(rs.rows[0].Text(0), "staff");
    EXPECT_EQ(rs.rows[0].Text(1), "auditor-1");
    EXPECT_EQ(rs.rows[0].Text(2), "audit.read");
    EXPECT_EQ(rs.rows[0].Text(3), "p1");
    auto detail = nlohmann::json::parse(rs.rows[0].Text(4));
    EXPECT_EQ(detail["person_id"], "p1");
    EXPECT_EQ(detail["limit"], 10);
    EXPECT_EQ(rs.rows[0].Text(5), "10.1.1.1");
}

TEST_P(AuditRoutesTest, BadFiltersAnswer400) {
    auto [status, body] = Get("/api/v1/audit", "limit=500");
    EXPECT_EQ(status, 400);
    EXPECT_EQ(body["error"]["code"], "invalid_limit");
    EXPECT_EQ(body["error"]["field"], "limit");
    auto [s2, b2] = Get("/api/v1/audit", "from=2025-13-01");
    EXPECT_EQ(s2, 400);
    EXPECT_EQ(b2["error"]["code"], "invalid_date");
}

TEST_P(AuditRoutesTest, VerifyAnswersTheChainsState) {
    for (int i = 0; i < 4; ++i) Record("staff", "u1", "person.read", "p1", kDay1 + i);
    auto [status, ok] = Get("/api/v1/audit/verify", "");
    ASSERT_EQ(status, 200);
    EXPECT_EQ(ok, (nlohmann::json{{"ok", true}, {"rows", 4}}));
    DisableTriggers();
    Run("UPDATE audit_log SET subject_person_id = 'p9' WHERE seq = 3");
    auto [s2, broken] = Get("/api/v1/audit/verify", "");
    ASSERT_EQ(s2, 200);
    EXPECT_EQ(broken["ok"], false);
    EXPECT_EQ(broken["rows"], 5);  // the first verify was audited too
    EXPECT_EQ(broken["first_broken_seq"], 3);
    EXPECT_EQ(broken["reason"], "hash_mismatch");
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditRoutesTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dangan::audit
