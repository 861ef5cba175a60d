// The auditor's filters and cursor as plain functions (no database).

#include "audit/query.hpp"

#include <gtest/gtest.h>

#include <map>

namespace dangan::audit {
namespace {

Result<ListQuery> Parse(const std::map<std::string, std::string>& params) {
    return ParseListQuery([&](std::string_view name) -> std::optional<std::string> {
        auto it = params.find(std::string(name));
        if (it == params.end()) return std::nullopt;
        return it->second;
    });
}

TEST(AuditQuery, DefaultsWhenNothingIsGiven) {
    auto q = Parse({});
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(q->limit, 50);
    EXPECT_TRUE(q->person_id.empty());
    EXPECT_FALSE(q->from_ms || q->to_ms || q->before_seq);
    auto empty = Parse({{"person_id", ""}, {"from", ""}, {"cursor", ""}, {"limit", ""}});
    ASSERT_TRUE(empty.ok());
    EXPECT_EQ(empty->limit, 50);
}

TEST(AuditQuery, BusinessDatesAreShanghaiDays) {
    EXPECT_EQ(StartOfBusinessDate("2025-01-01"), std::optional<std::int64_t>(1735660800000));
    EXPECT_EQ(StartOfBusinessDate("2024-02-29"), std::optional<std::int64_t>(1709136000000));
    for (const char* bad :
         {"2025-02-29", "2025-13-01", "2025-1-01", "20250101", "2025-01-01T00", "abcd-ef-gh", "2025-01-+1", ""}) {
        EXPECT_FALSE(StartOfBusinessDate(bad)) << bad;
    }
    auto q = Parse({{"from", "2025-01-01"}, {"to", "2025-01-01"}});
    ASSERT_TRUE(q.ok());
    EXPECT_EQ(*q->from_ms, 1735660800000);
    EXPECT_EQ(*q->to_ms, 1735660800000 + 86400000);  // the whole of the `to` day
}

TEST(AuditQuery, BadParametersNameTheirField) {
    struct Case {
        std::map<std::string, std::string> params;
        std::string field;
        std::string reason;
    };
    const Case cases[] = {
        {{{"from", "2025-02-30"}}, "from", "invalid_date"},
        {{{"to", "yesterday"}}, "to", "invalid_date"},
        {{{"from", "2025-03-02"}, {"to", "2025-03-01"}}, "from", "invalid_date"},
        {{{"cursor", "abc"}}, "cursor", "invalid_cursor"},
        {{{"cursor", "0"}}, "cursor", "invalid_cursor"},
        {{{"cursor", "99999999999999999999999"}}, "cursor", "invalid_cursor"},
        {{{"limit", "0"}}, "limit", "invalid_limit"},
        {{{"limit", "201"}}, "limit", "invalid_limit"},
        {{{"limit", "5x"}}, "limit", "invalid_limit"},
    };
    for (const Case& c : cases) {
        auto q = Parse(c.params);
        ASSERT_FALSE(q.ok()) << c.field;
        EXPECT_EQ(q.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(q.error().field, c.field);
        EXPECT_EQ(q.error().reason, c.reason);
    }
    auto max = Parse({{"limit", "200"}});
    ASSERT_TRUE(max.ok());
    EXPECT_EQ(max->limit, 200);
}

TEST(AuditQuery, SqlHasOnlyTheFiltersGivenNewestFirst) {
    ListQuery none;
    Sql plain = BuildListSql(none);
    EXPECT_EQ(plain.text.find(" WHERE "), std::string::npos);
    EXPECT_NE(plain.text.find("ORDER BY a.seq DESC"), std::string::npos);
    ASSERT_EQ(plain.params.size(), 1u);
    EXPECT_TRUE(plain.params[0] == db::Value(std::int64_t{51}));  // one extra row: is there a next page?

    ListQuery all;
    all.person_id = "p1";
    all.actor_id = "u1";
    all.action = "person.read";
    all.from_ms = 10;
    all.to_ms = 20;
    all.before_seq = 99;
    all.limit = 5;
    Sql sql = BuildListSql(all);
    const db::Params want = {std::string("p1"), std::string("u1"), std::string("person.read"),
                             std::int64_t{10},  std::int64_t{20},  std::int64_t{99},
                             std::int64_t{6}};
    EXPECT_TRUE(sql.params == want);
    std::size_t placeholders = 0;
    for (char c : sql.text) placeholders += c == '?';
    EXPECT_EQ(placeholders, want.size());
    EXPECT_NE(sql.text.find("a.seq < "), std::string::npos);
    EXPECT_NE(sql.text.find("a.subject_person_id = ? AND a.actor_id = ?"), std::string::npos);

    ListQuery action_only;
    action_only.action = "login";
    EXPECT_TRUE(BuildListSql(action_only).params == (db::Params{std::string("login"), std::int64_t{51}}));
}

}  // namespace
}  // namespace dangan::audit
