#include "db/postgres/placeholders.hpp"

#include <gtest/gtest.h>

namespace dangan::db {
namespace {

std::string Rewrite(std::string_view sql) { return RewritePlaceholders(sql).sql; }

TEST(Placeholders, NumbersEachQuestionMarkInOrder) {
    const RewrittenSql r = RewritePlaceholders("SELECT a FROM t WHERE b = ? AND c IN (?, ?)");
    EXPECT_EQ(r.sql, "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)");
    EXPECT_EQ(r.placeholders, 3);
}

TEST(Placeholders, LeavesStringLiteralsAlone) {
    EXPECT_EQ(Rewrite("SELECT 'what?', ?"), "SELECT 'what?', $1");
    EXPECT_EQ(Rewrite("SELECT 'it''s ?', ?"), "SELECT 'it''s ?', $1");
    EXPECT_EQ(Rewrite("SELECT '档案?', ?"), "SELECT '档案?', $1");
}

TEST(Placeholders, EscapeStringsHonourBackslash) {
    EXPECT_EQ(Rewrite(R"(SELECT E'\'?', ?)"), R"(SELECT E'\'?', $1)");
    // In a standard string a backslash is an ordinary character.
    EXPECT_EQ(Rewrite(R"(SELECT '\', ?)"), R"(SELECT '\', $1)");
    // "e" ending an identifier does not start an escape string.
    EXPECT_EQ(Rewrite(R"(SELECT name'\', ?)"), R"(SELECT name'\', $1)");
}

TEST(Placeholders, LeavesQuotedIdentifiersAlone) {
    EXPECT_EQ(Rewrite(R"(SELECT "odd?name", "a""?" FROM t WHERE x = ?)"),
              R"(SELECT "odd?name", "a""?" FROM t WHERE x = $1)");
}

TEST(Placeholders, LeavesCommentsAlone) {
    EXPECT_EQ(Rewrite("SELECT ? -- why?\n, ?"), "SELECT $1 -- why?\n, $2");
    EXPECT_EQ(Rewrite("SELECT /* a? /* nested? */ b? */ ?"), "SELECT /* a? /* nested? */ b? */ $1");
    EXPECT_EQ(Rewrite("SELECT ? -- trailing?"), "SELECT $1 -- trailing?");
}

TEST(Placeholders, LeavesDollarQuotesAlone) {
    EXPECT_EQ(Rewrite("SELECT $$a?$$, ?"), "SELECT $$a?$$, $1");
    EXPECT_EQ(Rewrite("SELECT $fn$ ? $x$ ? $fn$, ?"), "SELECT $fn$ ? $x$ ? $fn$, $1");
    // $1 is a positional parameter and a$b$ an identifier, not dollar quotes.
    EXPECT_EQ(Rewrite("SELECT $1, a$b$, ?"), "SELECT $1, a$b$, $1");
}

TEST(Placeholders, UnterminatedQuoteSwallowsTheRest) {
    const RewrittenSql r = RewritePlaceholders("SELECT 'open ?");
    EXPECT_EQ(r.sql, "SELECT 'open ?");
    EXPECT_EQ(r.placeholders, 0);
}

}  // namespace
}  // namespace dangan::db
