#pragma once

// The PostgreSQL BulkWriter (see db/bulk.hpp): COPY … FROM STDIN in text format. libpq-fe.h
// stays inside the .cpp file.

#include <memory>
#include <string>
#include <vector>

#include "db/bulk.hpp"

namespace dangan::db {

Result<std::unique_ptr<BulkWriter>> OpenPostgresBulkWriter(const std::string& url, std::vector<BulkTable> tables);

// One value in COPY text format, appended to `out`: \N for NULL, backslash escapes for
// backslash, newline, carriage return and tab, bytea as \\x followed by hex digits.
void AppendCopyValue(std::string& out, const BulkValue& value);

}  // namespace dangan::db
