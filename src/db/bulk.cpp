#include "db/bulk.hpp"

#include "db/database.hpp"
#include "db/postgres/pg_bulk.hpp"
#include "db/sqlite/sqlite_bulk.hpp"

namespace dangan::db {

Result<std::unique_ptr<BulkWriter>> OpenBulkWriter(const std::string& url, std::vector<BulkTable> tables,
                                                   const BulkOptions& options) {
    const std::string_view view(url);
    if (view.starts_with("sqlite:")) {
        std::string_view path = view.substr(7);
        if (path.starts_with("//")) path.remove_prefix(2);
        return OpenSqliteBulkWriter(url, std::string(path), std::move(tables), options);
    }
    if (view.starts_with("postgresql://") || view.starts_with("postgres://")) {
        return OpenPostgresBulkWriter(url, std::move(tables));
    }
    return MakeError(ErrorCode::kInvalidArgument,
                     "不支持的数据库地址 " + RedactUrl(url) + "：应以 sqlite: 或 postgresql:// 开头", {},
                     "unsupported_database_url");
}

}  // namespace dangan::db
