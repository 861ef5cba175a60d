#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

namespace dangan::http {
namespace {

namespace fs = std::filesystem;

// A built web app in a temp dir: the portal, the three sub-apps, a hashed asset and a plain
// file, plus a secret beside (outside) the web root. Removed when the test ends.
class WebRoot {
public:
    WebRoot() {
        std::random_device rd;
        base_ = fs::temp_directory_path() / ("dangan_static_test_" + std::to_string(rd()) + std::to_string(rd()));
        root_ = base_ / "dist";
        fs::create_directories(root_ / "assets");
        Write("index.html", "<!doctype html><title>portal</title>");
        Write("robots.txt", "User-agent: *\n");
        Write("assets/app-3f9a1c.js", "console.log(1)");
        Write("assets/app-3f9a1c.css", "body{}");
        for (const char* app : {"kiosk", "staff", "v"}) {
            fs::create_directories(root_ / app);
            Write(std::string(app) + "/index.html", std::string("<title>") + app + "</title>");
        }
        std::ofstream(base_ / "secret.txt") << "outside the web root";
    }
    ~WebRoot() {
        std::error_code ec;
        fs::remove_all(base_, ec);
    }
    WebRoot(const WebRoot&) = delete;
    WebRoot& operator=(const WebRoot&) = delete;

    void Write(const std::string& relative, const std::string& text) const {
        std::ofstream(root_ / relative, std::ios::binary) << text;
    }
    void Remove(const std::string& relative) const { fs::remove(root_ / relative); }

    std::string root() const { return root_.string(); }
    std::string File(const std::string& relative) const { return (root_ / relative).string(); }
    std::string Secret() const { return (base_ / "secret.txt").string(); }

private:
    fs::path base_;
    fs::path root_;
};

std::string HeaderValue(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "<absent>";
}

// Asserts `r` is the JSON 404 body and sends no file.
void ExpectNotFound(const std::optional<Response>& r, const std::string& path) {
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_TRUE(r->file_path.empty()) << path << " served " << r->file_path;
    nlohmann::json body = nlohmann::json::parse(r->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << path;
    EXPECT_EQ(body["error"]["code"], "not_found") << path;
}

TEST(StaticFiles, ApiPathsAreLeftToTheRouter) {
    WebRoot web;
    EXPECT_FALSE(ServeStatic(web.root(), "/api").has_value());
    EXPECT_FALSE(ServeStatic(web.root(), "/api/").has_value());
    EXPECT_FALSE(ServeStatic(web.root(), "/api/v1/nothing").has_value());
    EXPECT_FALSE(ServeStatic(web.root(), "/api/v1/x.js").has_value());
    // Only the /api segment is reserved, not every path that starts with the letters.
    std::optional<Response> apiary = ServeStatic(web.root(), "/apiary");
    ASSERT_TRUE(apiary.has_value());
    EXPECT_EQ(apiary->file_path, web.File("index.html"));
}

TEST(StaticFiles, RootServesThePortalIndexRevalidated) {
    WebRoot web;
    std::optional<Response> r = ServeStatic(web.root(), "/");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->file_path, web.File("index.html"));
    EXPECT_EQ(HeaderValue(*r, "Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(HeaderValue(*r, "Cache-Control"), "no-cache");
}

TEST(StaticFiles, HashedAssetsAreImmutable) {
    WebRoot web;
    std::optional<Response> js = ServeStatic(web.root(), "/assets/app-3f9a1c.js");
    ASSERT_TRUE(js.has_value());
    EXPECT_EQ(js->status, 200);
    EXPECT_EQ(js->file_path, web.File("assets/app-3f9a1c.js"));
    EXPECT_EQ(HeaderValue(*js, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(HeaderValue(*js, "Content-Type"), "text/javascript; charset=utf-8");

    std::optional<Response> css = ServeStatic(web.root(), "/assets/app-3f9a1c.css");
    ASSERT_TRUE(css.has_value());
    EXPECT_EQ(HeaderValue(*css, "Content-Type"), "text/css; charset=utf-8");
}

TEST(StaticFiles, OtherFilesAreRevalidated) {
    WebRoot web;
    std::optional<Response> r = ServeStatic(web.root(), "/robots.txt");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->file_path, web.File("robots.txt"));
    EXPECT_EQ(HeaderValue(*r, "Cache-Control"), "no-cache");
    EXPECT_EQ(HeaderValue(*r, "Content-Type"), "text/plain; charset=utf-8");

    std::optional<Response> index = ServeStatic(web.root(), "/kiosk/index.html");
    ASSERT_TRUE(index.has_value());
    EXPECT_EQ(index->file_path, web.File("kiosk/index.html"));
    EXPECT_EQ(HeaderValue(*index, "Cache-Control"), "no-cache");
}

TEST(StaticFiles, PercentEncodedFileNamesAreDecoded) {
    WebRoot web;
    web.Write("assets/档案 1.png", "png");
    std::optional<Response> r = ServeStatic(web.root(), "/assets/%E6%A1%A3%E6%A1%88%201.png");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->file_path, web.File("assets/档案 1.png"));
    EXPECT_EQ(HeaderValue(*r, "Content-Type"), "image/png");
}

TEST(StaticFiles, SpaFallbackPerApp) {
    WebRoot web;
    const std::pair<const char*, const char*> cases[] = {
        {"/kiosk", "kiosk/index.html"},
        {"/kiosk/", "kiosk/index.html"},
        {"/kiosk/queue/3", "kiosk/index.html"},
        {"/staff/persons/42", "staff/index.html"},
        {"/staff", "staff/index.html"},
        {"/v/0190e1f2-7a3b", "v/index.html"},
        {"/v/", "v/index.html"},
        {"/persons/42", "index.html"},
        {"/login", "index.html"},
        {"/kiosks/x", "index.html"},
        {"/vv/x", "index.html"},
        {"/staffroom", "index.html"},
    };
    for (const auto& [path, index] : cases) {
        std::optional<Response> r = ServeStatic(web.root(), path);
        ASSERT_TRUE(r.has_value()) << path;
        EXPECT_EQ(r->status, 200) << path;
        EXPECT_EQ(r->file_path, web.File(index)) << path;
        EXPECT_EQ(HeaderValue(*r, "Cache-Control"), "no-cache") << path;
        EXPECT_EQ(HeaderValue(*r, "Content-Type"), "text/html; charset=utf-8") << path;
    }
}

TEST(StaticFiles, MissingAssetIs404NotTheApp) {
    WebRoot web;
    ExpectNotFound(ServeStatic(web.root(), "/assets/app-000000.js"), "/assets/app-000000.js");
    ExpectNotFound(ServeStatic(web.root(), "/assets/chunk"), "/assets/chunk");
    ExpectNotFound(ServeStatic(web.root(), "/favicon.ico"), "/favicon.ico");
    ExpectNotFound(ServeStatic(web.root(), "/kiosk/missing.js"), "/kiosk/missing.js");
}

TEST(StaticFiles, TraversalIs404) {
    WebRoot web;
    for (const char* path :
         {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/%2E%2E/%2E%2E/secret.txt",
          "/..%2fsecret.txt", "/assets/..%2F..%2Fsecret.txt", "/./index.html", "/..", "/kiosk/..", "/..\\secret.txt",
          "/%5c..%5csecret.txt", "/index.html%00.js", "/%00"}) {
        ExpectNotFound(ServeStatic(web.root(), path), path);
    }
}

TEST(StaticFiles, AbsolutePathAfterDoubleSlashStaysInsideTheWebRoot) {
    // "//etc/passwd" must not become root / "/etc/passwd", which std::filesystem reads as
    // the absolute path /etc/passwd.
    WebRoot web;
    for (const std::string& path : {"/" + web.Secret(), "/%2F" + web.Secret().substr(1), std::string("//etc/passwd")}) {
        std::optional<Response> r = ServeStatic(web.root(), path);
        ASSERT_TRUE(r.has_value()) << path;
        EXPECT_TRUE(r->file_path.empty() || r->file_path.rfind(web.root(), 0) == 0)
            << path << " served " << r->file_path;
        EXPECT_NE(r->file_path, web.Secret()) << path;
    }
}

TEST(StaticFiles, DirectoryIsNotServedAsAFile) {
    WebRoot web;
    std::optional<Response> r = ServeStatic(web.root(), "/assets");
    ASSERT_TRUE(r.has_value());
    EXPECT_NE(r->file_path, web.File("assets"));
}

TEST(StaticFiles, MissingIndexIs503) {
    WebRoot web;
    web.Remove("kiosk/index.html");
    std::optional<Response> kiosk = ServeStatic(web.root(), "/kiosk/queue");
    ASSERT_TRUE(kiosk.has_value());
    EXPECT_EQ(kiosk->status, 503);
    EXPECT_TRUE(kiosk->file_path.empty());
    EXPECT_EQ(HeaderValue(*kiosk, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_FALSE(kiosk->body.empty());

    // Other apps are unaffected.
    std::optional<Response> staff = ServeStatic(web.root(), "/staff/x");
    ASSERT_TRUE(staff.has_value());
    EXPECT_EQ(staff->status, 200);
}

TEST(StaticFiles, NonexistentWebRootIs503) {
    WebRoot web;
    std::string nowhere = web.root() + "/does-not-exist";
    std::optional<Response> r = ServeStatic(nowhere, "/");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 503);
    EXPECT_FALSE(ServeStatic(nowhere, "/api/v1/x").has_value());
}

TEST(StaticFiles, ContentTypeByExtension) {
    EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("app.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("app.mjs"), "text/javascript; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("site.webmanifest.json"), "application/json; charset=utf-8");
    EXPECT_EQ(ContentTypeFor("logo.svg"), "image/svg+xml");
    EXPECT_EQ(ContentTypeFor("photo.jpeg"), "image/jpeg");
    EXPECT_EQ(ContentTypeFor("photo.jpg"), "image/jpeg");
    EXPECT_EQ(ContentTypeFor("font.woff2"), "font/woff2");
    EXPECT_EQ(ContentTypeFor("proof.pdf"), "application/pdf");
    EXPECT_EQ(ContentTypeFor("archive.tar.gz"), "application/octet-stream");
    EXPECT_EQ(ContentTypeFor("Makefile"), "application/octet-stream");
    EXPECT_EQ(ContentTypeFor("dir.v2/file"), "application/octet-stream");
}

}  // namespace
}  // namespace dangan::http
