#pragma once

// Pieces shared by the SQLite and PostgreSQL backends: error values with Chinese messages,
// statement classification, parameter checks and the transaction re-entrancy guard. Not for
// use outside src/db/.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::db::internal {

// The database at `url` cannot be opened or reached: kUnavailable naming the URL (password
// removed) and the cause.
Error OpenFailed(std::string_view url, std::string_view cause);

// kConflict "unique_violation": a unique or primary-key constraint rejected the row.
Error UniqueViolation(std::string_view detail);
// kConflict "constraint_violation": a foreign-key, check or not-null constraint rejected it.
Error ConstraintViolation(std::string_view detail);
// kConflict "serialization_failure": a deadlock or serialization conflict; retrying may work.
Error SerializationFailure(std::string_view detail);
// kUnavailable "database_busy": locked or every connection busy for longer than the timeout.
Error Busy(std::string_view detail);
// kUnavailable "database_unavailable": connection lost, disk full, I/O error.
Error Unavailable(std::string_view detail);
// kInternal "sql_error": the statement is wrong (syntax, missing table, type mismatch).
Error SqlError(std::string_view detail);
// kInternal "database_misuse": the API was called the wrong way (a programming error).
Error Misuse(std::string_view detail);
// kInternal "transaction_aborted": an earlier statement of this transaction failed.
Error TransactionAborted();

// True when `sql` starts (after blanks, comments and opening parentheses) with SELECT,
// WITH or VALUES, i.e. may be read-only. A WITH may still write; backends check further.
bool LooksLikeRead(std::string_view sql);

// Refuses parameters that one of the backends cannot store faithfully (text with NUL bytes).
Status CheckParams(const Params& params);

// Marks the current thread as running inside a Transaction() of `db` while in scope, so a
// call back into the same Database from the callback is refused instead of deadlocking.
class TransactionScope {
public:
    explicit TransactionScope(const void* db);
    ~TransactionScope();
    TransactionScope(const TransactionScope&) = delete;
    TransactionScope& operator=(const TransactionScope&) = delete;

    // True while the current thread is inside a transaction callback of `db`.
    static bool Active(const void* db);

private:
    const void* db_;
};

// The error returned when a Database method is called from inside its own transaction.
Error ReentrantCall();

// The Connection a Transaction() callback receives, with the rules both backends share: once
// a statement has failed every later one fails with TransactionAborted() (PostgreSQL's own
// behaviour, imposed on SQLite too), and after Close() every call fails.
class TransactionConnection : public Connection {
public:
    Result<ResultSet> Query(std::string_view sql, const Params& params = {}) final;
    // Runs a script of several statements without parameters (migrations).
    Status RunScript(std::string_view script);
    void Close() { closed_ = true; }
    // The first error of a statement of this transaction, if any.
    const std::optional<Error>& first_error() const { return first_error_; }

protected:
    virtual Result<ResultSet> DoQuery(std::string_view sql, const Params& params) = 0;
    virtual Status DoScript(std::string_view script) = 0;

private:
    bool closed_ = false;
    std::optional<Error> first_error_;
};

// Runs `fn` on `conn` (a transaction already begun on it) inside a TransactionScope of `db`,
// then `commit` when it and every statement succeeded, `rollback` otherwise (also when
// `fn` throws; the exception propagates, or when `commit` fails). Returns fn's error, the
// first failed statement's error or the commit's error.
Status FinishTransaction(const void* db, TransactionConnection& conn, const std::function<Status(Connection&)>& fn,
                         const std::function<Status()>& commit, const std::function<void()>& rollback);

}  // namespace dangan::db::internal
