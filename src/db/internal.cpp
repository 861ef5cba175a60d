#include "db/internal.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <variant>
#include <vector>

namespace dangan::db::internal {
namespace {

std::string WithDetail(std::string_view message, std::string_view detail) {
    std::string out(message);
    if (!detail.empty()) {
        out += "（";
        out += detail;
        out += "）";
    }
    return out;
}

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool StartsWithKeyword(std::string_view sql, std::string_view keyword) {
    if (sql.size() < keyword.size()) {
        return false;
    }
    for (std::size_t i = 0; i < keyword.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(sql[i])) != keyword[i]) {
            return false;
        }
    }
    return sql.size() == keyword.size() || !IsWordChar(sql[keyword.size()]);
}

thread_local std::vector<const void*> active_transactions;

}  // namespace

Error OpenFailed(std::string_view url, std::string_view cause) {
    std::string message = "无法打开数据库 " + RedactUrl(url) + "：" + std::string(cause);
    return MakeError(ErrorCode::kUnavailable, std::move(message), {}, "database_unavailable");
}

Error UniqueViolation(std::string_view detail) {
    return MakeError(ErrorCode::kConflict, WithDetail("数据与已有记录重复", detail), {}, "unique_violation");
}

Error ConstraintViolation(std::string_view detail) {
    return MakeError(ErrorCode::kConflict, WithDetail("数据不符合约束条件", detail), {}, "constraint_violation");
}

Error SerializationFailure(std::string_view detail) {
    return MakeError(ErrorCode::kConflict, WithDetail("数据正被同时修改，请重试", detail), {}, "serialization_failure");
}

Error Busy(std::string_view detail) {
    return MakeError(ErrorCode::kUnavailable, WithDetail("数据库繁忙，请稍后重试", detail), {}, "database_busy");
}

Error Unavailable(std::string_view detail) {
    return MakeError(ErrorCode::kUnavailable, WithDetail("数据库暂时不可用", detail), {}, "database_unavailable");
}

Error SqlError(std::string_view detail) {
    return MakeError(ErrorCode::kInternal, WithDetail("数据库语句执行失败", detail), {}, "sql_error");
}

Error Misuse(std::string_view detail) {
    return MakeError(ErrorCode::kInternal, WithDetail("数据库调用方式错误", detail), {}, "database_misuse");
}

Error TransactionAborted() {
    return MakeError(ErrorCode::kInternal, "事务中已有语句失败，其后的语句不再执行", {}, "transaction_aborted");
}

Error ReentrantCall() { return Misuse("事务回调中只能使用传入的 Connection，不能再调用 Database"); }

bool LooksLikeRead(std::string_view sql) {
    std::size_t i = 0;
    while (i < sql.size()) {
        const char c = sql[i];
        if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '(') {
            ++i;
        } else if (sql.substr(i, 2) == "--") {
            const std::size_t end = sql.find('\n', i);
            i = end == std::string_view::npos ? sql.size() : end + 1;
        } else if (sql.substr(i, 2) == "/*") {
            const std::size_t end = sql.find("*/", i + 2);
            i = end == std::string_view::npos ? sql.size() : end + 2;
        } else {
            break;
        }
    }
    const std::string_view rest = sql.substr(i);
    return StartsWithKeyword(rest, "SELECT") || StartsWithKeyword(rest, "WITH") || StartsWithKeyword(rest, "VALUES");
}

Status CheckParams(const Params& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const auto* text = std::get_if<std::string>(&params[i]);
        if (text != nullptr && text->find('\0') != std::string::npos) {
            return Misuse("第 " + std::to_string(i + 1) + " 个参数是含 NUL 字符的文本，二进制数据请用 Bytes");
        }
    }
    return Ok();
}

TransactionScope::TransactionScope(const void* db) : db_(db) { active_transactions.push_back(db); }

TransactionScope::~TransactionScope() {
    const auto it = std::find(active_transactions.rbegin(), active_transactions.rend(), db_);
    if (it != active_transactions.rend()) {
        active_transactions.erase(std::next(it).base());
    }
}

bool TransactionScope::Active(const void* db) {
    return std::find(active_transactions.begin(), active_transactions.end(), db) != active_transactions.end();
}

Result<ResultSet> TransactionConnection::Query(std::string_view sql, const Params& params) {
    if (closed_) {
        return Misuse("事务已结束，其 Connection 不能再使用");
    }
    if (first_error_) {
        return TransactionAborted();
    }
    auto rs = DoQuery(sql, params);
    if (!rs.ok()) {
        first_error_ = rs.error();
    }
    return rs;
}

Status TransactionConnection::RunScript(std::string_view script) {
    if (closed_) {
        return Misuse("事务已结束，其 Connection 不能再使用");
    }
    if (first_error_) {
        return TransactionAborted();
    }
    Status s = DoScript(script);
    if (!s.ok()) {
        first_error_ = s.error();
    }
    return s;
}

Status FinishTransaction(const void* db, TransactionConnection& conn, const std::function<Status(Connection&)>& fn,
                         const std::function<Status()>& commit, const std::function<void()>& rollback) {
    Status result;
    {
        TransactionScope scope(db);
        try {
            result = fn(conn);
        } catch (...) {
            conn.Close();
            rollback();
            throw;
        }
    }
    conn.Close();
    if (result.ok() && conn.first_error()) {
        result = *conn.first_error();
    }
    if (!result.ok()) {
        rollback();
        return result;
    }
    Status committed = commit();
    if (!committed.ok()) {
        rollback();
    }
    return committed;
}

}  // namespace dangan::db::internal
