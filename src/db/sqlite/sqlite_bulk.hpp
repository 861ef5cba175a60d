#pragma once

// The SQLite BulkWriter (see db/bulk.hpp). sqlite3.h stays inside the .cpp file.

#include <memory>
#include <string>
#include <vector>

#include "db/bulk.hpp"

namespace dangan::db {

Result<std::unique_ptr<BulkWriter>> OpenSqliteBulkWriter(const std::string& url, const std::string& path,
                                                         std::vector<BulkTable> tables, const BulkOptions& options);

}  // namespace dangan::db
