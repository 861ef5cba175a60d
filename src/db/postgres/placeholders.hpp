#pragma once

// Rewrites the `?` placeholders of portable SQL into PostgreSQL's $1, $2… in order. A `?`
// inside a string literal ('…', E'…' with backslash escapes), a quoted identifier ("…"), a
// dollar-quoted body ($$…$$, $tag$…$tag$) or a comment (-- and nested /* */) is left alone.
// Every other `?` is a placeholder, so PostgreSQL's jsonb operators ?, ?| and ?& cannot be
// written directly: use jsonb_exists(), jsonb_exists_any() and jsonb_exists_all().

#include <string>
#include <string_view>

namespace dangan::db {

struct RewrittenSql {
    std::string sql;
    int placeholders = 0;
};

RewrittenSql RewritePlaceholders(std::string_view sql);

}  // namespace dangan::db
