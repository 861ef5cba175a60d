#pragma once

// `dangan import FILE.csv --kind persons|records|holders|branches`: loads a CSV file through
// the archives store's validated writes, with a report of every refused row (line, field,
// reason in Chinese).
//
// The file: UTF-8 (with or without BOM) or GBK/GB18030 (encoding.hpp), CSV after RFC 4180
// (csv.hpp), a header row naming the columns in English or Chinese (ImportColumns()); other
// columns are ignored and named in the report. File-level problems — an encoding that is
// neither, broken CSV syntax, a required column missing, a column given twice — are errors
// and load nothing.
//
// Rows: each is validated and written as the store writes it (persons: archives::CreatePerson,
// or UpdatePersonNameAndMobile when the ID number is known and name or mobile differ; records,
// holders, branches: the Upsert* of records.hpp by archival code or code). A row equal to what
// is stored counts as unchanged and is not written, so importing a file twice changes nothing.
// A key (ID number, archival code, code) seen earlier in the file is refused on its second
// occurrence. Lenient (default): good rows load in transactions of `batch` rows, bad rows are
// reported; strict: all rows in one transaction, and any problem loads nothing.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "bulk/progress.hpp"
#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::bulk {

enum class ImportKind { kPersons, kRecords, kHolders, kBranches };

// "persons" | "records" | "holders" | "branches" (or 人员, 档案, 保管机构, 网点).
Result<ImportKind> ParseImportKind(std::string_view s);

struct ImportColumn {
    std::string_view field;  // English name, also the field named in problems
    std::string_view zh;     // Chinese name
    bool required = true;
    std::vector<std::string_view> aliases;  // other accepted header names
};
const std::vector<ImportColumn>& ImportColumns(ImportKind kind);

struct ImportProblem {
    std::size_t line = 0;  // line of the file (1 = the header)
    std::string field;
    std::string message;
};

struct ImportReport {
    std::string encoding;  // how the file was read: "UTF-8", "UTF-8 (BOM)", "GB18030"
    std::vector<std::string> ignored_columns;
    std::size_t rows = 0;  // data rows read
    std::size_t created = 0, updated = 0, unchanged = 0, refused = 0;
    std::vector<ImportProblem> problems;  // in line order
    bool strict = false;
    bool loaded = true;  // false when strict mode refused the file
};

struct ImportOptions {
    ImportKind kind = ImportKind::kPersons;
    bool strict = false;
    std::size_t batch = 2000;  // rows per transaction when lenient
};

Result<ImportReport> Import(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                            std::string_view file_bytes, const ImportOptions& options, Progress* progress);

// The report for people: what was read, one line per problem, the counts.
std::string FormatReport(const ImportReport& report, std::string_view file_name);

}  // namespace dangan::bulk
