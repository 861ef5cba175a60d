#pragma once

// The auditor's view of the log: filters by person, actor, action and business dates
// (Asia/Shanghai), newest first, paged by a seq cursor. Parsing and SQL building are plain
// functions so that they are tested without a server.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/chain.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::audit {

inline constexpr int kDefaultListLimit = 50;
inline constexpr int kMaxListLimit = 200;

struct ListQuery {
    std::string person_id;                   // subject_person_id; "" = any
    std::string actor_id;                    // "" = any
    std::string action;                      // "" = any
    std::optional<std::int64_t> from_ms;     // at_ms >= from_ms (start of the `from` date)
    std::optional<std::int64_t> to_ms;       // at_ms < to_ms (start of the day after `to`)
    std::optional<std::int64_t> before_seq;  // the cursor: rows with seq below it
    int limit = kDefaultListLimit;
};

// A query parameter by name; nullopt when absent.
using ParamLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads person_id, actor_id, action, from, to (YYYY-MM-DD), cursor and limit. Empty values
// count as absent. Errors (kInvalidArgument, field = the parameter): "invalid_date" for a
// malformed date or from after to, "invalid_cursor", "invalid_limit" (not 1..200).
Result<ListQuery> ParseListQuery(const ParamLookup& param);

// Start of `date` (YYYY-MM-DD, a real calendar date) in Asia/Shanghai, Unix milliseconds.
std::optional<std::int64_t> StartOfBusinessDate(std::string_view date);

struct Sql {
    std::string text;
    db::Params params;
};
// The SELECT for `query`: kRowColumns plus actor_name, only the filters given, newest
// first, limit + 1 rows (the extra one says whether there is a next page).
Sql BuildListSql(const ListQuery& query);

struct ListedRow {
    StoredRow row;
    std::string actor_name;  // the user's display name or the person's name; "" when unknown
};
struct ListPage {
    std::vector<ListedRow> items;
    std::optional<std::int64_t> next_cursor;  // pass as `cursor` for the next page
};

Result<ListPage> List(db::Database& db, const ListQuery& query);

}  // namespace dangan::audit
