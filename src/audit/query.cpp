#include "audit/query.hpp"

#include <charconv>
#include <chrono>

#include "core/clock.hpp"

namespace dangan::audit {
namespace {

// Names come from the accounts and persons tables; the joins are on primary keys.
constexpr std::string_view kListFrom =
    ", COALESCE(u.display_name, p.name, '') AS actor_name FROM audit_log a"
    " LEFT JOIN users u ON a.actor_kind IN ('staff', 'employer') AND u.id = a.actor_id"
    " LEFT JOIN persons p ON a.actor_kind = 'citizen' AND p.id = a.actor_id";
constexpr std::string_view kWherePerson = "a.subject_person_id = ?";
constexpr std::string_view kWhereActor = "a.actor_id = ?";
constexpr std::string_view kWhereAction = "a.action = ?";
constexpr std::string_view kWhereFrom = "a.at_ms >= CAST(? AS BIGINT)";
constexpr std::string_view kWhereTo = "a.at_ms < CAST(? AS BIGINT)";
constexpr std::string_view kWhereBefore = "a.seq < CAST(? AS BIGINT)";
constexpr std::string_view kOrderLimit = " ORDER BY a.seq DESC LIMIT CAST(? AS BIGINT)";

std::optional<std::int64_t> ParseInt(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

Error BadParam(std::string message, std::string field, std::string reason) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field), std::move(reason));
}

std::string Prefixed(std::string_view columns) {
    std::string out = "a.";
    for (char c : columns) {
        out.push_back(c);
        if (c == ' ') out += "a.";
    }
    return out;
}

}  // namespace

std::optional<std::int64_t> StartOfBusinessDate(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    auto y = ParseInt(date.substr(0, 4));
    auto m = ParseInt(date.substr(5, 2));
    auto d = ParseInt(date.substr(8, 2));
    if (!y || !m || !d) return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(*y)),
                                          std::chrono::month(static_cast<unsigned>(*m)),
                                          std::chrono::day(static_cast<unsigned>(*d))};
    if (!ymd.ok()) return std::nullopt;
    const auto local = std::chrono::local_days(ymd);
    const core::TimePoint start = core::FromShanghai(local + std::chrono::system_clock::duration::zero());
    return std::chrono::duration_cast<std::chrono::milliseconds>(start.time_since_epoch()).count();
}

Result<ListQuery> ParseListQuery(const ParamLookup& param) {
    auto get = [&](std::string_view name) { return param(name).value_or(std::string()); };
    ListQuery q;
    q.person_id = get("person_id");
    q.actor_id = get("actor_id");
    q.action = get("action");
    if (std::string from = get("from"); !from.empty()) {
        q.from_ms = StartOfBusinessDate(from);
        if (!q.from_ms) return BadParam("开始日期格式应为 YYYY-MM-DD", "from", "invalid_date");
    }
    if (std::string to = get("to"); !to.empty()) {
        auto start = StartOfBusinessDate(to);
        if (!start) return BadParam("结束日期格式应为 YYYY-MM-DD", "to", "invalid_date");
        q.to_ms = *start + std::int64_t{24} * 3600 * 1000;
    }
    if (q.from_ms && q.to_ms && *q.from_ms >= *q.to_ms) {
        return BadParam("开始日期不能晚于结束日期", "from", "invalid_date");
    }
    if (std::string cursor = get("cursor"); !cursor.empty()) {
        q.before_seq = ParseInt(cursor);
        if (!q.before_seq || *q.before_seq < 1)
            return BadParam("翻页标记无效，请从第一页重新查询", "cursor", "invalid_cursor");
    }
    if (std::string limit = get("limit"); !limit.empty()) {
        auto n = ParseInt(limit);
        if (!n || *n < 1 || *n > kMaxListLimit) {
            return BadParam("每页条数应在 1 到 200 之间", "limit", "invalid_limit");
        }
        q.limit = static_cast<int>(*n);
    }
    return q;
}

Sql BuildListSql(const ListQuery& q) {
    Sql sql;
    sql.text = "SELECT " + Prefixed(kRowColumns) + std::string(kListFrom);
    std::string_view joiner = " WHERE ";
    auto where = [&](std::string_view condition) {
        sql.text += joiner;
        sql.text += condition;
        joiner = " AND ";
    };
    for (const auto& [condition, text] : {std::pair{kWherePerson, &q.person_id}, std::pair{kWhereActor, &q.actor_id},
                                          std::pair{kWhereAction, &q.action}}) {
        if (text->empty()) continue;
        where(condition);
        sql.params.emplace_back(*text);
    }
    for (const auto& [condition, number] :
         {std::pair{kWhereFrom, &q.from_ms}, std::pair{kWhereTo, &q.to_ms}, std::pair{kWhereBefore, &q.before_seq}}) {
        if (!number->has_value()) continue;
        where(condition);
        sql.params.emplace_back(**number);
    }
    sql.text += kOrderLimit;
    sql.params.emplace_back(std::int64_t{q.limit} + 1);
    return sql;
}

Result<ListPage> List(db::Database& db, const ListQuery& query) {
    Sql sql = BuildListSql(query);
    auto rs = db.Query(sql.text, sql.params);
    if (!rs) return rs.error();
    ListPage page;
    for (const db::Row& raw : rs->rows) {
        if (static_cast<int>(page.items.size()) == query.limit) {
            page.next_cursor = page.items.back().row.seq;
            break;
        }
        page.items.push_back(ListedRow{RowFrom(raw), raw.Text(kRowColumnCount)});
    }
    return page;
}

}  // namespace dangan::audit
