#include "http/static_files.hpp"

#include <array>
#include <filesystem>
#include <utility>

namespace dangan::http {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

bool IsSafe(std::string_view decoded) {
    if (decoded.empty() || decoded[0] != '/') return false;
    if (decoded.find('\0') != std::string_view::npos || decoded.find('\\') != std::string_view::npos) return false;
    std::size_t start = 1;
    while (start <= decoded.size()) {
        auto slash = decoded.find('/', start);
        if (slash == std::string_view::npos) slash = decoded.size();
        auto seg = decoded.substr(start, slash - start);
        if (seg == ".." || seg == ".") return false;
        // "//etc/passwd" would make root / "/etc/passwd" == "/etc/passwd": no empty segments.
        if (seg.empty() && slash != decoded.size()) return false;
        start = slash + 1;
    }
    return true;
}

bool IsRegularFile(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

Response FileResponse(const fs::path& file, std::string_view cache_control) {
    Response r;
    r.file_path = file.string();
    r.Header("Content-Type", ContentTypeFor(file.filename().string()));
    r.Header("Cache-Control", std::string(cache_control));
    return r;
}

// The index.html of the app that owns `path`.
std::string AppIndexFor(std::string_view path) {
    for (std::string_view app : {"/kiosk", "/staff", "/v"}) {
        if (path == app || (path.size() > app.size() && path.substr(0, app.size()) == app &&
                            path[app.size()] == '/')) {
            return std::string(app.substr(1)) + "/index.html";
        }
    }
    return "index.html";
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
    static const std::array<std::pair<std::string_view, std::string_view>, 16> kTypes{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".webp", "image/webp"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".woff", "font/woff"},
        {".txt", "text/plain; charset=utf-8"},
        {".pdf", "application/pdf"},
    }};
    auto dot = name.rfind('.');
    if (dot != std::string_view::npos) {
        auto ext = name.substr(dot);
        for (const auto& [e, type] : kTypes) {
            if (e == ext) return std::string(type);
        }
    }
    return "application/octet-stream";
}

std::optional<Response> ServeStatic(const std::string& web_root, std::string_view raw_path) {
    if (raw_path == "/api" || raw_path.rfind("/api/", 0) == 0) return std::nullopt;
    std::string path = PercentDecode(raw_path, false);
    if (!IsSafe(path)) {
        return Response::FromError(MakeError(ErrorCode::kNotFound, "找不到该页面", "", "not_found"));
    }
    const fs::path root(web_root);
    if (path.back() != '/') {
        fs::path candidate = root / fs::path(path.substr(1)).relative_path();
        if (IsRegularFile(candidate)) {
            bool hashed = path.rfind("/assets/", 0) == 0;
            return FileResponse(candidate, hashed ? kImmutable : kRevalidate);
        }
        // A missing asset is a real 404, not the app: a stale page must not get HTML for JS.
        auto last_slash = path.rfind('/');
        if (path.rfind("/assets/", 0) == 0 || path.find('.', last_slash) != std::string::npos) {
            return Response::FromError(MakeError(ErrorCode::kNotFound, "找不到该文件", "", "not_found"));
        }
    }
    fs::path index = root / AppIndexFor(path);
    if (!IsRegularFile(index)) {
        return Response::Text("网页尚未构建：请运行 ./run.sh（或在 web/ 中运行 npm run build）。\n",
                              "text/plain; charset=utf-8", 503);
    }
    return FileResponse(index, kRevalidate);
}

}  // namespace dangan::http
