#include "bulk/import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "core/text.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "archives/rules.hpp"
#include "bulk/csv.hpp"
#include "bulk/encoding.hpp"
#include "core/validators.hpp"

namespace dangan::bulk {

namespace {

enum class Outcome { kCreated, kUpdated, kUnchanged };

// A header cell as compared with column names: trimmed, ASCII lower-case, spaces as '_'.
std::string HeaderKey(std::string_view cell) {
    std::string key(core::TrimSpaces(cell));
    for (char& c : key) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c == ' ') c = '_';
    }
    return key;
}

// One data row: the values of the kind's columns, in ImportColumns() order.
struct Row {
    std::size_t line = 0;
    std::vector<std::string> values;
    std::string_view operator[](std::size_t column) const { return core::TrimSpaces(values[column]); }
};

// The items of a list written "a;b", "a、b", "a，b" or "a,b", trimmed, empty ones dropped.
std::vector<std::string_view> SplitList(std::string_view list) {
    static constexpr std::string_view kSeparators[] = {";", "；", "、", "，", ","};
    std::vector<std::string_view> items;
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= list.size();) {
        std::size_t width = 0;
        for (std::string_view sep : kSeparators) {
            if (list.substr(i).starts_with(sep)) width = sep.size();
        }
        if (i == list.size() || width > 0) {
            const std::string_view item = core::TrimSpaces(list.substr(begin, i - begin));
            if (!item.empty()) items.push_back(item);
            i += width > 0 ? width : 1;
            begin = i;
        } else {
            ++i;
        }
    }
    return items;
}

Error Problem(std::string_view field, std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::string(field), "invalid_row");
}

// ---- one row of each kind --------------------------------------------------------------

class Importer {
public:
    Importer(const core::Keyring& keys, const core::Clock& clock, ImportKind kind)
        : keys_(keys), clock_(clock), kind_(kind) {}

    // The key that must not repeat within the file, always the first column (ID number,
    // archival code, code); "" when the row has none worth checking. ID numbers are compared
    // normalised, so "…x" and "…X" are the same person.
    std::string Key(const Row& row) const {
        if (kind_ != ImportKind::kPersons) return std::string(row[0]);
        auto id = core::ValidateIdNumber(row[0], core::BusinessDate(clock_.Now()));
        return id ? id->normalized : std::string();
    }

    Result<Outcome> Apply(db::Connection& conn, const Row& row) {
        switch (kind_) {
            case ImportKind::kPersons:
                return Person(conn, row);
            case ImportKind::kRecords:
                return Record(conn, row);
            case ImportKind::kHolders:
                return Holder(conn, row);
            case ImportKind::kBranches:
                return Branch(conn, row);
        }
        return MakeError(ErrorCode::kInternal, "未知的导入类型");
    }

private:
    // persons: id_number, name, mobile
    Result<Outcome> Person(db::Connection& conn, const Row& row) {
        auto id = core::ValidateIdNumber(row[0], core::BusinessDate(clock_.Now()));
        if (!id) return id.error();
        auto name = archives::ValidatePersonName(row[1]);
        if (!name) return name.error();
        auto mobile = core::ValidateMobile(row[2]);
        if (!mobile) return mobile.error();
        auto existing = archives::FindPersonByIdNumber(conn, keys_, id->normalized);
        if (!existing) return existing.error();
        if (*existing) {
            if ((*existing)->name == *name && (*existing)->mobile == *mobile) return Outcome::kUnchanged;
            DANGAN_TRY(archives::UpdatePersonNameAndMobile(conn, keys_, clock_, (*existing)->id, *name, *mobile));
            return Outcome::kUpdated;
        }
        auto created = archives::CreatePerson(conn, keys_, clock_, *name, id->normalized, *mobile);
        if (!created) return created.error();
        return Outcome::kCreated;
    }

    // records: archival_code, id_number, kind, holder_code, shelf_location, status, filed_year, retention
    Result<Outcome> Record(db::Connection& conn, const Row& row) {
        archives::RecordInput input;
        input.archival_code = std::string(row[0]);
        auto id = core::ValidateIdNumber(row[1], core::BusinessDate(clock_.Now()));
        if (!id) return id.error();
        auto kind = archives::ParseCode(archives::RecordKinds(), row[2], "kind");
        if (!kind) return kind.error();
        input.kind = *kind;
        input.holder_code = std::string(row[3]);
        auto location = archives::ValidateShelfLocation(row[4]);
        if (!location) return location.error();
        input.shelf_location = *location;
        if (!row[5].empty()) {
            auto status = archives::ParseCode(archives::RecordStatuses(), row[5], "status");
            if (!status) return status.error();
            input.status = *status;
        }
        const std::string_view year = row[6];
        if (year.size() != 4 || !std::all_of(year.begin(), year.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            return Problem("filed_year", "归档年度应为四位数字的年份，例如 2015");
        }
        input.filed_year = std::stoi(std::string(year));
        auto retention = archives::ParseRetention(row[7]);
        if (!retention) return retention.error();
        input.retention_years = retention->years;

        auto person = conn.Query("SELECT id FROM persons WHERE id_number_index = ?",
                                 {archives::PersonIndex(keys_, id->normalized)});
        if (!person) return person.error();
        if (person->empty()) return Problem("id_number", "系统中没有这个身份证号码的人员，请先导入人员名单");
        input.person_id = person->rows.front().Text(0);

        auto stored = conn.Query(
            "SELECT r.person_id, r.kind, h.code, r.shelf_location, r.status, r.filed_year, r.retention_years "
            "FROM archive_records r JOIN holders h ON h.id = r.holder_id WHERE r.archival_code = ?",
            {input.archival_code});
        if (!stored) return stored.error();
        if (!stored->empty()) {
            const db::Row& s = stored->rows.front();
            const auto years = s.OptInt(6);
            const bool same_retention =
                years ? input.retention_years == static_cast<int>(*years) : !input.retention_years.has_value();
            if (s.Text(0) == input.person_id && s.Text(1) == input.kind && s.Text(2) == input.holder_code &&
                s.Text(3) == input.shelf_location && s.Text(4) == input.status && s.Int(5) == input.filed_year &&
                same_retention) {
                return Outcome::kUnchanged;
            }
        }
        auto upserted = archives::UpsertRecord(conn, clock_, input);
        if (!upserted) return upserted.error();
        return stored->empty() ? Outcome::kCreated : Outcome::kUpdated;
    }

    // holders: code, name, kind, address, phone, opening_hours, region_code
    Result<Outcome> Holder(db::Connection& conn, const Row& row) {
        auto kind = archives::ParseCode(archives::HolderKinds(), row[2], "kind");
        if (!kind) return kind.error();
        archives::Holder h{"",
                           std::string(row[0]),
                           std::string(row[1]),
                           *kind,
                           std::string(row[3]),
                           std::string(row[4]),
                           std::string(row[5]),
                           std::string(row[6])};
        auto stored = conn.Query(
            "SELECT name, kind, address, phone, opening_hours, region_code FROM holders WHERE code = ?", {h.code});
        if (!stored) return stored.error();
        if (!stored->empty()) {
            const db::Row& s = stored->rows.front();
            if (s.Text(0) == h.name && s.Text(1) == h.kind && s.Text(2) == h.address && s.Text(3) == h.phone &&
                s.Text(4) == h.opening_hours && s.Text(5) == h.region_code) {
                return Outcome::kUnchanged;
            }
        }
        auto upserted = archives::UpsertHolder(conn, clock_, h);
        if (!upserted) return upserted.error();
        return stored->empty() ? Outcome::kCreated : Outcome::kUpdated;
    }

    // branches: code, name, kind, address, phone, opening_hours, services ("a;b" or "a、b")
    Result<Outcome> Branch(db::Connection& conn, const Row& row) {
        auto kind = archives::ParseCode(archives::BranchKinds(), row[2], "kind");
        if (!kind) return kind.error();
        std::vector<std::string> services;
        std::string joined;
        for (std::string_view item : SplitList(row[6])) {
            auto code = archives::ParseCode(archives::BranchServices(), item, "services");
            if (!code) return code.error();
            services.push_back(*code);
            if (!joined.empty()) joined += ',';
            joined += *code;
        }
        archives::Branch b{"",
                           std::string(row[0]),
                           std::string(row[1]),
                           *kind,
                           std::string(row[3]),
                           std::string(row[4]),
                           std::string(row[5]),
                           services,
                           ""};
        auto stored = conn.Query(
            "SELECT name, kind, address, phone, opening_hours, services FROM branches WHERE code = ?", {b.code});
        if (!stored) return stored.error();
        if (!stored->empty()) {
            const db::Row& s = stored->rows.front();
            if (s.Text(0) == b.name && s.Text(1) == b.kind && s.Text(2) == b.address && s.Text(3) == b.phone &&
                s.Text(4) == b.opening_hours && s.Text(5) == joined) {
                return Outcome::kUnchanged;
            }
        }
        auto upserted = archives::UpsertBranch(conn, clock_, b);
        if (!upserted) return upserted.error();
        return stored->empty() ? Outcome::kCreated : Outcome::kUpdated;
    }

    const core::Keyring& keys_;
    const core::Clock& clock_;
    ImportKind kind_;
};

// ---- the file ---------------------------------------------------------------------------

// Maps the header to the kind's columns: for each column the index of its cell, or -1.
Result<std::vector<int>> MapHeader(const CsvRecord& header, ImportKind kind, std::vector<std::string>& ignored) {
    const auto& columns = ImportColumns(kind);
    std::vector<int> at(columns.size(), -1);
    for (std::size_t cell = 0; cell < header.fields.size(); ++cell) {
        const std::string key = HeaderKey(header.fields[cell]);
        if (key.empty()) continue;
        bool known = false;
        for (std::size_t c = 0; c < columns.size() && !known; ++c) {
            const ImportColumn& column = columns[c];
            bool match = key == column.field || key == column.zh;
            for (std::string_view alias : column.aliases) match = match || key == alias;
            if (!match) continue;
            known = true;
            if (at[c] >= 0) {
                return MakeError(ErrorCode::kInvalidArgument,
                                 fmt::format("表头中“{}”（{}）列出现了两次", column.zh, column.field), "",
                                 "duplicate_column");
            }
            at[c] = static_cast<int>(cell);
        }
        if (!known) ignored.push_back(std::string(core::TrimSpaces(header.fields[cell])));
    }
    std::string missing;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (at[c] >= 0 || !columns[c].required) continue;
        missing += fmt::format("{}{}（{}）", missing.empty() ? "" : "、", columns[c].zh, columns[c].field);
    }
    if (!missing.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "文件缺少必需的列：" + missing + "。未导入任何数据。", "",
                         "missing_columns");
    }
    return at;
}

// True when a statement of the transaction has failed, so that nothing more can run in it.
bool Aborted(db::Connection& conn) { return !conn.Query("SELECT 1").ok(); }

struct RowResult {
    std::size_t line = 0;
    std::optional<Outcome> outcome;
    std::optional<Error> problem;
};

void Count(ImportReport& report, const RowResult& r) {
    if (r.problem) {
        ++report.refused;
        report.problems.push_back(ImportProblem{r.line, r.problem->field, r.problem->message});
        return;
    }
    switch (*r.outcome) {
        case Outcome::kCreated:
            ++report.created;
            break;
        case Outcome::kUpdated:
            ++report.updated;
            break;
        case Outcome::kUnchanged:
            ++report.unchanged;
            break;
    }
}

// Applies `rows` in one transaction. Row problems are collected in `results`; a database
// error that aborts the transaction is returned (and the transaction rolled back). With
// `all_or_nothing`, any row problem rolls back too, as does `refused_before` (problems found
// before the write, such as repeated keys).
Status ApplyBatch(db::Database& db, Importer& importer, const std::vector<Row>& rows, bool all_or_nothing,
                  std::vector<RowResult>& results, bool refused_before = false, Progress* progress = nullptr) {
    return db.Transaction([&](db::Connection& conn) -> Status {
        results.clear();
        bool problems = false;
        for (const Row& row : rows) {
            if (progress != nullptr && results.size() % 1000 == 0) progress->Update(results.size(), results.size());
            RowResult r{row.line, std::nullopt, std::nullopt};
            auto outcome = importer.Apply(conn, row);
            if (outcome) {
                r.outcome = *outcome;
            } else {
                if (Aborted(conn)) return outcome.error();
                r.problem = outcome.error();
                problems = true;
            }
            results.push_back(std::move(r));
        }
        if (all_or_nothing && (problems || refused_before)) {
            return MakeError(ErrorCode::kInvalidArgument, "有错误，已全部撤销", "", "strict_refused");
        }
        return Ok();
    });
}

}  // namespace

Result<ImportKind> ParseImportKind(std::string_view s) {
    if (s == "persons" || s == "人员") return ImportKind::kPersons;
    if (s == "records" || s == "档案") return ImportKind::kRecords;
    if (s == "holders" || s == "保管机构") return ImportKind::kHolders;
    if (s == "branches" || s == "网点") return ImportKind::kBranches;
    return MakeError(ErrorCode::kInvalidArgument, "导入类型应为 persons、records、holders 或 branches", "kind",
                     "invalid_kind");
}

const std::vector<ImportColumn>& ImportColumns(ImportKind kind) {
    static const std::vector<ImportColumn> persons{
        {"id_number", "身份证号码", true, {"身份证号", "公民身份号码", "证件号码"}},
        {"name", "姓名", true, {}},
        {"mobile", "手机号码", true, {"手机号", "手机"}},
    };
    static const std::vector<ImportColumn> records{
        {"archival_code", "档号", true, {}},
        {"id_number", "身份证号码", true, {"身份证号", "公民身份号码", "证件号码"}},
        {"kind", "档案类别", true, {"档案种类", "类别"}},
        {"holder_code", "保管机构代码", true, {"保管单位代码", "机构代码"}},
        {"shelf_location", "存放位置", true, {"库位", "存放地点"}},
        {"status", "状态", false, {"档案状态"}},
        {"filed_year", "归档年度", true, {"年度"}},
        {"retention", "保管期限", true, {}},
    };
    static const std::vector<ImportColumn> holders{
        {"code", "机构代码", true, {"代码"}},
        {"name", "机构名称", true, {"名称"}},
        {"kind", "机构类别", true, {"类别"}},
        {"address", "地址", true, {}},
        {"phone", "电话", true, {"联系电话"}},
        {"opening_hours", "办公时间", true, {"开放时间"}},
        {"region_code", "行政区划代码", true, {"区划代码"}},
    };
    static const std::vector<ImportColumn> branches{
        {"code", "网点代码", true, {"代码"}},     {"name", "网点名称", true, {"名称"}},
        {"kind", "网点类别", true, {"类别"}},     {"address", "地址", true, {}},
        {"phone", "电话", true, {"联系电话"}},    {"opening_hours", "办公时间", true, {"营业时间", "开放时间"}},
        {"services", "服务项目", true, {"服务"}},
    };
    switch (kind) {
        case ImportKind::kPersons:
            return persons;
        case ImportKind::kRecords:
            return records;
        case ImportKind::kHolders:
            return holders;
        case ImportKind::kBranches:
            return branches;
    }
    return persons;
}

Result<ImportReport> Import(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                            std::string_view file_bytes, const ImportOptions& options, Progress* progress) {
    auto text = DecodeToUtf8(file_bytes);
    if (!text) return text.error();
    ImportReport report;
    report.encoding = text->encoding;
    report.strict = options.strict;

    // Read the whole file first: syntax errors and missing columns refuse it before any write.
    CsvReader reader(text->utf8);
    CsvRecord header;
    auto got = reader.Next(header);
    if (!got) return got.error();
    if (!*got) return MakeError(ErrorCode::kInvalidArgument, "文件是空的，没有表头", "", "empty_file");
    auto at = MapHeader(header, options.kind, report.ignored_columns);
    if (!at) return at.error();

    Importer importer(keys, clock, options.kind);
    std::vector<Row> rows;
    std::vector<RowResult> early;  // rows refused before any write (duplicates)
    std::map<std::string, std::size_t> first_line;
    const auto& columns = ImportColumns(options.kind);
    for (CsvRecord record;;) {
        auto more = reader.Next(record);
        if (!more) return more.error();
        if (!*more) break;
        if (std::all_of(record.fields.begin(), record.fields.end(),
                        [](const std::string& f) { return core::TrimSpaces(f).empty(); })) {
            continue;  // a line of empty cells, as spreadsheets leave at the end
        }
        Row row{record.line, {}};
        for (int cell : *at) {
            row.values.push_back(cell >= 0 && static_cast<std::size_t>(cell) < record.fields.size()
                                     ? std::move(record.fields[static_cast<std::size_t>(cell)])
                                     : std::string());
        }
        ++report.rows;
        const std::string key = importer.Key(row);
        if (!key.empty()) {
            auto [it, inserted] = first_line.emplace(key, row.line);
            if (!inserted) {
                const ImportColumn& key_column = columns.front();
                early.push_back(RowResult{
                    row.line, std::nullopt,
                    Problem(key_column.field, fmt::format("{}与第 {} 行重复，本行未导入", key_column.zh, it->second))});
                continue;
            }
        }
        rows.push_back(std::move(row));
    }

    std::vector<RowResult> results;
    if (progress != nullptr) progress->SetTotal(rows.size());
    if (options.strict) {
        Status s = ApplyBatch(db, importer, rows, true, results, !early.empty(), progress);
        if (!s && s.error().reason != "strict_refused") {
            // A database error aborted the transaction at the row after the last result.
            const std::size_t line = results.size() < rows.size() ? rows[results.size()].line : 0;
            results.push_back(RowResult{line, std::nullopt, s.error()});
        }
        report.loaded = s.ok();
    } else {
        for (std::size_t begin = 0; begin < rows.size(); begin += options.batch) {
            const std::vector<Row> batch(
                rows.begin() + static_cast<std::ptrdiff_t>(begin),
                rows.begin() + static_cast<std::ptrdiff_t>(std::min(rows.size(), begin + options.batch)));
            std::vector<RowResult> batch_results;
            if (!ApplyBatch(db, importer, batch, false, batch_results)) {
                // A database error spoiled the batch: each row alone, so that only its row fails.
                batch_results.clear();
                for (const Row& row : batch) {
                    std::vector<RowResult> one;
                    Status s = ApplyBatch(db, importer, {row}, false, one);
                    if (!s) one = {RowResult{row.line, std::nullopt, s.error()}};
                    batch_results.push_back(one.front());
                }
            }
            results.insert(results.end(), batch_results.begin(), batch_results.end());
            if (progress != nullptr) progress->Update(results.size(), results.size());
        }
    }
    if (progress != nullptr) progress->Finish();

    results.insert(results.end(), early.begin(), early.end());
    std::sort(results.begin(), results.end(), [](const RowResult& a, const RowResult& b) { return a.line < b.line; });
    for (const RowResult& r : results) Count(report, r);
    if (options.strict && !report.loaded) {
        // Nothing was written: every row that passed is reported as not loaded either.
        report.created = report.updated = report.unchanged = 0;
    }
    return report;
}

std::string FormatReport(const ImportReport& report, std::string_view file_name) {
    std::string out = fmt::format("导入文件：{}（编码 {}{}）\n", file_name, report.encoding,
                                  report.encoding == "GB18030" ? "，已转换为 UTF-8" : "");
    if (!report.ignored_columns.empty()) {
        std::string names;
        for (const std::string& n : report.ignored_columns) {
            if (!names.empty()) names += "、";
            names += n;
        }
        out += fmt::format("已忽略不认识的列：{}\n", names);
    }
    for (const ImportProblem& p : report.problems) {
        out += fmt::format("第 {} 行，{}：{}\n", p.line, p.field.empty() ? "整行" : p.field, p.message);
    }
    if (report.strict && !report.loaded) {
        out += fmt::format("共 {} 行，其中 {} 行有错误。严格模式：未导入任何数据，请改正后重新导入。\n",
                           Grouped(report.rows), Grouped(report.refused));
        return out;
    }
    out += fmt::format("共 {} 行：新增 {}，更新 {}，未变 {}，拒绝 {}\n", Grouped(report.rows), Grouped(report.created),
                       Grouped(report.updated), Grouped(report.unchanged), Grouped(report.refused));
    return out;
}

}  // namespace dangan::bulk
