#include "db/postgres/placeholders.hpp"

#include <cctype>

namespace dangan::db {
namespace {

bool IsIdentStart(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

bool IsIdentChar(char c) { return IsIdentStart(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$'; }

// Index just past a quoted run that starts at `begin` (the opening quote). A doubled quote
// is an escaped quote; with `backslash`, a backslash escapes the next character.
std::size_t SkipQuoted(std::string_view sql, std::size_t begin, char quote, bool backslash) {
    std::size_t i = begin + 1;
    while (i < sql.size()) {
        const char c = sql[i];
        if (backslash && c == '\\') {
            i += 2;
        } else if (c == quote) {
            if (i + 1 < sql.size() && sql[i + 1] == quote) {
                i += 2;
            } else {
                return i + 1;
            }
        } else {
            ++i;
        }
    }
    return sql.size();
}

// Index just past a block comment starting at `begin` ("/*"); PostgreSQL nests them.
std::size_t SkipBlockComment(std::string_view sql, std::size_t begin) {
    int depth = 0;
    std::size_t i = begin;
    while (i < sql.size()) {
        if (sql.compare(i, 2, "/*") == 0) {
            ++depth;
            i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
            i += 2;
            if (--depth == 0) {
                return i;
            }
        } else {
            ++i;
        }
    }
    return sql.size();
}

// When a dollar quote ($$ or $tag$) opens at `begin`, the index just past its closing
// delimiter; otherwise `begin` (a `$1` parameter or a `$` inside an identifier).
std::size_t SkipDollarQuoted(std::string_view sql, std::size_t begin) {
    std::size_t i = begin + 1;
    if (i < sql.size() && IsIdentStart(sql[i])) {
        while (i < sql.size() && IsIdentChar(sql[i]) && sql[i] != '$') {
            ++i;
        }
    }
    if (i >= sql.size() || sql[i] != '$') {
        return begin;
    }
    const std::string_view tag = sql.substr(begin, i + 1 - begin);
    const std::size_t close = sql.find(tag, i + 1);
    return close == std::string_view::npos ? sql.size() : close + tag.size();
}

}  // namespace

RewrittenSql RewritePlaceholders(std::string_view sql) {
    RewrittenSql out;
    out.sql.reserve(sql.size() + 16);
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        const bool after_ident = i > 0 && IsIdentChar(sql[i - 1]);
        std::size_t end = i;
        if (c == '\'') {
            // E'…' allows backslash escapes; the E must not end a longer identifier.
            const bool escape_string =
                i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && !(i > 1 && IsIdentChar(sql[i - 2]));
            end = SkipQuoted(sql, i, '\'', escape_string);
        } else if (c == '"') {
            end = SkipQuoted(sql, i, '"', false);
        } else if (sql.compare(i, 2, "--") == 0) {
            const std::size_t newline = sql.find('\n', i);
            end = newline == std::string_view::npos ? sql.size() : newline + 1;
        } else if (sql.compare(i, 2, "/*") == 0) {
            end = SkipBlockComment(sql, i);
        } else if (c == '$' && !after_ident) {
            end = SkipDollarQuoted(sql, i);
        } else if (c == '?') {
            out.sql += '$';
            out.sql += std::to_string(++out.placeholders);
            ++i;
            continue;
        }
        if (end == i) {
            end = i + 1;
        }
        out.sql.append(sql.substr(i, end - i));
        i = end;
    }
    return out;
}

}  // namespace dangan::db
