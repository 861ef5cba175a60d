#include "db/postgres/pg_bulk.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <type_traits>

#include "db/internal.hpp"
#include "db/postgres/postgres_database.hpp"

namespace dangan::db {
namespace {

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

// libpq takes an int length: the buffer goes in pieces of this size.
constexpr std::size_t kCopyChunk = 1 << 20;

std::string CopySql(const BulkTable& table) {
    std::string sql = "COPY " + table.name + " (";
    for (std::size_t i = 0; i < table.columns.size(); ++i) sql += (i > 0 ? ", " : "") + table.columns[i];
    return sql + ") FROM STDIN";
}

class PostgresBulkWriter final : public BulkWriter {
public:
    PostgresBulkWriter(PGconn* conn, std::vector<BulkTable> tables)
        : conn_(conn), tables_(std::move(tables)), buffers_(tables_.size()) {}

    ~PostgresBulkWriter() override {
        if (conn_ != nullptr) PQfinish(conn_);  // an open transaction is rolled back by the server
    }

    Status Begin() { return pg::ExecuteScript(conn_, "BEGIN"); }

    Status Add(std::size_t table, std::span<const BulkValue> row) override {
        if (failed_) return internal::TransactionAborted();
        if (table >= tables_.size() || row.size() != tables_[table].columns.size()) {
            return internal::Misuse("批量写入的表或列数不对");
        }
        std::string& out = buffers_[table];
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) out += '\t';
            AppendCopyValue(out, row[i]);
        }
        out += '\n';
        return Ok();
    }

    Status Execute(std::string_view sql, std::span<const BulkValue> params) override {
        if (failed_) return internal::TransactionAborted();
        if (auto s = Flush(); !s) return Fail(s.error());
        Params values;
        for (const BulkValue& v : params) {
            std::visit(
                [&](const auto& x) {
                    using T = std::decay_t<decltype(x)>;
                    if constexpr (std::is_same_v<T, std::string_view>) {
                        values.emplace_back(std::string(x));
                    } else if constexpr (std::is_same_v<T, BytesView>) {
                        values.emplace_back(Bytes{std::string(x.data)});
                    } else {
                        values.emplace_back(x);
                    }
                },
                v);
        }
        auto done = pg::Execute(conn_, sql, values);
        if (!done) return Fail(done.error());
        return Ok();
    }

    Status Commit() override {
        if (failed_) return internal::TransactionAborted();
        if (auto s = Flush(); !s) return Fail(s.error());
        if (auto s = pg::ExecuteScript(conn_, "COMMIT"); !s) return Fail(s.error());
        if (auto s = Begin(); !s) return Fail(s.error());
        return Ok();
    }

    Status Finish() override {
        if (failed_) return internal::TransactionAborted();
        if (auto s = Flush(); !s) return Fail(s.error());
        if (auto s = pg::ExecuteScript(conn_, "COMMIT"); !s) return Fail(s.error());
        PQfinish(std::exchange(conn_, nullptr));
        return Ok();
    }

private:
    Status Fail(Error error) {
        failed_ = true;
        (void)pg::ExecuteScript(conn_, "ROLLBACK");
        return error;
    }

    // Sends the buffered rows of every table, parents first (the order of the declaration).
    Status Flush() {
        for (std::size_t t = 0; t < tables_.size(); ++t) {
            if (buffers_[t].empty()) continue;
            DANGAN_TRY(Copy(CopySql(tables_[t]), buffers_[t]));
            buffers_[t].clear();
        }
        return Ok();
    }

    Status Copy(const std::string& sql, std::string_view data) {
        {
            PgResult started(PQexec(conn_, sql.c_str()), &PQclear);
            if (started == nullptr || PQresultStatus(started.get()) != PGRES_COPY_IN) {
                return pg::ErrorOf(conn_, started.get());
            }
        }
        for (std::size_t off = 0; off < data.size(); off += kCopyChunk) {
            const std::size_t n = std::min(kCopyChunk, data.size() - off);
            if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) break;
        }
        if (PQputCopyEnd(conn_, nullptr) != 1) return pg::ErrorOf(conn_, nullptr);
        Status status = Ok();
        while (PGresult* raw = PQgetResult(conn_)) {
            PgResult res(raw, &PQclear);
            if (PQresultStatus(res.get()) != PGRES_COMMAND_OK && status.ok()) status = pg::ErrorOf(conn_, res.get());
        }
        return status;
    }

    PGconn* conn_;
    std::vector<BulkTable> tables_;
    std::vector<std::string> buffers_;  // COPY text of each table's pending rows
    bool failed_ = false;
};

}  // namespace

void AppendCopyValue(std::string& out, const BulkValue& value) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
                out += "\\N";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += std::to_string(v);
            } else if constexpr (std::is_same_v<T, std::string_view>) {
                for (char c : v) {
                    switch (c) {
                        case '\\':
                            out += "\\\\";
                            break;
                        case '\n':
                            out += "\\n";
                            break;
                        case '\r':
                            out += "\\r";
                            break;
                        case '\t':
                            out += "\\t";
                            break;
                        default:
                            out += c;
                    }
                }
            } else {
                out += "\\\\x";
                for (unsigned char c : v.data) {
                    out += kHex[c >> 4];
                    out += kHex[c & 0xf];
                }
            }
        },
        value);
}

Result<std::unique_ptr<BulkWriter>> OpenPostgresBulkWriter(const std::string& url, std::vector<BulkTable> tables) {
    Options options;
    options.busy_timeout = std::chrono::milliseconds(30000);
    auto conn = pg::Connect(url, options);
    if (!conn) return conn.error();
    auto writer = std::make_unique<PostgresBulkWriter>(*conn, std::move(tables));
    DANGAN_TRY(writer->Begin());
    return std::unique_ptr<BulkWriter>(std::move(writer));
}

}  // namespace dangan::db
