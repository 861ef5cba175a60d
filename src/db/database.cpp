#include "db/database.hpp"

#include <cassert>
#include <cctype>

#include "db/postgres/postgres_database.hpp"
#include "db/sqlite/sqlite_database.hpp"

namespace dangan::db {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// Drops every "password=…" item from a query string ("a=1&password=x&b=2" → "a=1&b=2").
std::string StripPasswordParam(std::string_view query) {
    std::string out;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view item = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (IEquals(item.substr(0, item.find('=')), "password")) {
            continue;
        }
        if (!out.empty()) {
            out += '&';
        }
        out += item;
    }
    return out;
}

}  // namespace

bool Row::IsNull(std::size_t i) const { return std::holds_alternative<std::nullptr_t>(values_.at(i)); }

std::int64_t Row::Int(std::size_t i) const {
    const Value& v = values_.at(i);
    assert(std::holds_alternative<std::int64_t>(v) && "column is not an integer");
    return std::get<std::int64_t>(v);
}

double Row::Real(std::size_t i) const {
    const Value& v = values_.at(i);
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*n);
    }
    assert(std::holds_alternative<double>(v) && "column is not a number");
    return std::get<double>(v);
}

const std::string& Row::Text(std::size_t i) const {
    const Value& v = values_.at(i);
    assert(std::holds_alternative<std::string>(v) && "column is not text");
    return std::get<std::string>(v);
}

const Bytes& Row::Blob(std::size_t i) const {
    const Value& v = values_.at(i);
    assert(std::holds_alternative<Bytes>(v) && "column is not bytes");
    return std::get<Bytes>(v);
}

std::optional<std::int64_t> Row::OptInt(std::size_t i) const {
    if (IsNull(i)) {
        return std::nullopt;
    }
    return Int(i);
}

std::optional<std::string> Row::OptText(std::size_t i) const {
    if (IsNull(i)) {
        return std::nullopt;
    }
    return Text(i);
}

std::string_view BackendName(Backend b) {
    switch (b) {
        case Backend::kSqlite:
            return "sqlite";
        case Backend::kPostgres:
            return "postgresql";
    }
    return "unknown";
}

std::string RedactUrl(std::string_view url) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(url);
    }
    const std::size_t authority_begin = scheme_end + 3;
    std::size_t authority_end = url.find_first_of("/?#", authority_begin);
    if (authority_end == std::string_view::npos) {
        authority_end = url.size();
    }
    std::string out(url.substr(0, authority_begin));
    const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        const std::string_view userinfo = authority.substr(0, at);
        out += userinfo.substr(0, userinfo.find(':'));
        out += authority.substr(at);
    } else {
        out += authority;
    }
    std::string_view rest = url.substr(authority_end);
    const std::size_t question = rest.find('?');
    if (question == std::string_view::npos) {
        out += rest;
        return out;
    }
    out += rest.substr(0, question);
    rest = rest.substr(question + 1);
    const std::size_t hash = rest.find('#');
    const std::string query = StripPasswordParam(rest.substr(0, hash));
    if (!query.empty()) {
        out += '?';
        out += query;
    }
    if (hash != std::string_view::npos) {
        out += rest.substr(hash);
    }
    return out;
}

Status LockForTransaction(Connection& conn, std::string_view name) {
    if (conn.backend() == Backend::kSqlite) return Ok();
    // A stable 63-bit key from the name (FNV-1a), so every node takes the same lock.
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
    auto key = static_cast<std::int64_t>(h >> 1);
    auto r = conn.Query("SELECT pg_advisory_xact_lock(CAST(? AS BIGINT))", {key});
    if (!r) return r.error();
    return Ok();
}

Result<std::unique_ptr<Database>> Open(const std::string& url, const Options& options) {
    Options effective = options;
    if (effective.pool_size < 1) {
        effective.pool_size = 1;
    }
    const std::string_view view(url);
    if (view.starts_with("sqlite:")) {
        std::string_view path = view.substr(7);
        if (path.starts_with("//")) {
            path.remove_prefix(2);
        }
        return OpenSqlite(url, std::string(path), effective);
    }
    if (view.starts_with("postgresql://") || view.starts_with("postgres://")) {
        return OpenPostgres(url, effective);
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     "不支持的数据库地址 " + RedactUrl(url) + "：应以 sqlite: 或 postgresql:// 开头", {},
                     "unsupported_database_url");
}

}  // namespace dangan::db
