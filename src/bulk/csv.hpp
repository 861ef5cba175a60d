#pragma once

// A CSV reader after RFC 4180, for `dangan import`: fields separated by commas, records by
// CRLF or LF (a lone CR counts as a line break too, as old spreadsheet exports write it);
// a field in double quotes may hold commas, line breaks and doubled quotes (""). A quote
// inside an unquoted field is kept as an ordinary character (real files have 5" disks in
// them). Text after a closing quote, and a quote never closed, are errors naming the line.
// Empty lines are skipped. Hand-written: Debian's CSV libraries (libcsv, fast-cpp-csv-parser)
// do not report the line a record starts on, which the import report needs, or want the
// column count at compile time.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dangan::bulk {

struct CsvRecord {
    std::size_t line = 0;  // 1-based line on which the record starts
    std::vector<std::string> fields;
};

class CsvReader {
public:
    // `text` must outlive the reader.
    explicit CsvReader(std::string_view text) : text_(text) {}

    // Reads the next record into `out`. Returns false at the end of the text, or
    // kInvalidArgument (reason "malformed_csv") with the line for a broken record.
    Result<bool> Next(CsvRecord& out);

private:
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

// One record in CSV: fields quoted when they hold a comma, quote, CR or LF; ends with "\r\n"
// when `crlf`, else "\n". For tests and for writing files the reader reads back.
std::string CsvLine(const std::vector<std::string>& fields, bool crlf = false);

}  // namespace dangan::bulk
