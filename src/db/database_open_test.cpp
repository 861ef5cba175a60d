// Opening databases: bad paths and unreachable servers, URL redaction, embedded migrations.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "db/database.hpp"
#include "db/migrations.hpp"
#include "db/testing.hpp"

namespace dangan::db {
namespace {

using testutil::UniqueName;

TEST(Database, BadSqlitePathIsUnavailable) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() / UniqueName("dangan_bad_");
    std::filesystem::create_directories(dir);
    const std::string not_a_db = (dir / "notes.txt").string();
    {
        std::ofstream out(not_a_db);
        for (int i = 0; i < 100; ++i) {
            out << "this is a text file and not a database at all\n";
        }
    }
    for (const std::string& url : {std::string("sqlite:/nonexistent-dangan-dir/sub/archive.db"), "sqlite:" + not_a_db,
                                   "sqlite:" + dir.string()}) {
        auto db = Open(url);
        ASSERT_FALSE(db.ok()) << url;
        EXPECT_EQ(db.error().code, ErrorCode::kUnavailable) << url;
        EXPECT_NE(db.error().message.find("无法打开数据库"), std::string::npos) << db.error().message;
        EXPECT_NE(db.error().message.find(url), std::string::npos) << db.error().message;
    }
    EXPECT_NE(Open("sqlite:" + not_a_db).error().message.find("不是 SQLite 数据库"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST(Database, UnreachablePostgresIsUnavailableWithoutPassword) {
    auto db = Open("postgresql://dangan:s3cret-pw@127.0.0.1:1/archive?connect_timeout=2");
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(db.error().message.find("postgresql://dangan@127.0.0.1:1/archive"), std::string::npos)
        << db.error().message;
    EXPECT_EQ(db.error().message.find("s3cret"), std::string::npos) << db.error().message;
}

TEST(Database, UnknownSchemeIsInvalidArgument) {
    auto db = Open("mysql://root:pw@localhost/x");
    ASSERT_FALSE(db.ok());
    EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(db.error().message.find(":pw@"), std::string::npos);
}

TEST(Database, RedactUrlRemovesPasswords) {
    EXPECT_EQ(RedactUrl("postgresql://u:p%40ss@db.local:5432/dangan?sslmode=require"),
              "postgresql://u@db.local:5432/dangan?sslmode=require");
    EXPECT_EQ(RedactUrl("postgresql://db.local/dangan?password=x&sslmode=require"),
              "postgresql://db.local/dangan?sslmode=require");
    EXPECT_EQ(RedactUrl("postgresql://u@h/d?password=x"), "postgresql://u@h/d");
    EXPECT_EQ(RedactUrl("sqlite:/var/lib/dangan/dangan.db"), "sqlite:/var/lib/dangan/dangan.db");
    EXPECT_EQ(BackendName(Backend::kSqlite), "sqlite");
    EXPECT_EQ(BackendName(Backend::kPostgres), "postgresql");
}

TEST(Database, MigrationsAreEmbeddedForEachBackend) {
    for (Backend backend : {Backend::kSqlite, Backend::kPostgres}) {
        const auto migrations = internal::EmbeddedMigrations(backend);
        ASSERT_FALSE(migrations.empty()) << BackendName(backend);
        EXPECT_EQ(migrations.front().version, 1);
        EXPECT_EQ(migrations.front().name, "meta");
        EXPECT_NE(migrations.front().sql.find("CREATE TABLE meta"), std::string_view::npos);
        for (std::size_t i = 1; i < migrations.size(); ++i) {
            EXPECT_LT(migrations[i - 1].version, migrations[i].version);
        }
    }
}

}  // namespace
}  // namespace dangan::db
