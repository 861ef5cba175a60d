#include "http/message.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace dangan::http {

std::string_view MethodName(Method m) {
    switch (m) {
        case Method::kGet: return "GET";
        case Method::kHead: return "HEAD";
        case Method::kPost: return "POST";
        case Method::kPut: return "PUT";
        case Method::kPatch: return "PATCH";
        case Method::kDelete: return "DELETE";
        case Method::kOptions: return "OPTIONS";
        case Method::kOther: return "OTHER";
    }
    return "OTHER";
}

Method ParseMethod(std::string_view name) {
    for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch, Method::kDelete,
                     Method::kOptions}) {
        if (MethodName(m) == name) return m;
    }
    return Method::kOther;
}

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name) return std::string_view(value);
    }
    return std::nullopt;
}

const std::string& Request::Param(const std::string& name) const {
    static const std::string kEmpty;
    auto it = path_params.find(name);
    return it == path_params.end() ? kEmpty : it->second;
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
    auto header = Header("cookie");
    if (!header) return std::nullopt;
    std::string_view rest = *header;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        std::string_view pair = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
    return std::nullopt;
}

std::string Request::Channel() const {
    auto c = Header("x-dangan-channel");
    for (std::string_view known : {"web", "mobile", "kiosk", "staff", "phone", "wechat"}) {
        if (c && *c == known) return std::string(known);
    }
    return "web";
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
        auto eq = pair.find('=');
        std::string key = PercentDecode(pair.substr(0, eq), true);
        if (key == name) {
            return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
        }
    }
    return std::nullopt;
}

Result<nlohmann::json> Request::Json() const {
    if (max_body_bytes != 0 && body.size() > max_body_bytes) {
        return MakeError(ErrorCode::kPayloadTooLarge,
                         "请求体过大，最多 " + std::to_string(max_body_bytes / 1024) + " KB", "body",
                         "payload_too_large");
    }
    auto type = Header("content-type");
    if (!type || type->find("application/json") == std::string_view::npos) {
        return MakeError(ErrorCode::kUnsupportedMediaType, "请求体应为 JSON（Content-Type: application/json）",
                         "content-type", "unsupported_media_type");
    }
    if (body.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请求体为空，应为 JSON", "body", "malformed_json");
    }
    if (JsonNestingDepth(body) > max_json_depth) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "JSON 嵌套层数超过 " + std::to_string(max_json_depth) + " 层", "body", "json_too_deep");
    }
    try {
        return nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "请求体不是有效的 JSON：第 " + std::to_string(e.byte) + " 个字节附近有错误", "body",
                         "malformed_json");
    }
}

Response Response::Json(const nlohmann::json& value, int status) {
    Response r;
    r.status = status;
    r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    r.Header("Content-Type", "application/json; charset=utf-8");
    return r;
}

Response Response::FromError(const Error& error) {
    nlohmann::json inner = {{"code", error.reason.empty() ? std::string(CodeName(error.code)) : error.reason},
                            {"message", error.message}};
    if (!error.field.empty()) inner["field"] = error.field;
    return Json({{"error", inner}}, StatusFor(error.code));
}

Response Response::Text(std::string body, std::string content_type, int status) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.Header("Content-Type", std::move(content_type));
    return r;
}

int StatusFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return 400;
        case ErrorCode::kUnauthenticated: return 401;
        case ErrorCode::kForbidden: return 403;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kMethodNotAllowed: return 405;
        case ErrorCode::kConflict: return 409;
        case ErrorCode::kPayloadTooLarge: return 413;
        case ErrorCode::kUnsupportedMediaType: return 415;
        case ErrorCode::kUnprocessable: return 422;
        case ErrorCode::kTooManyRequests: return 429;
        case ErrorCode::kInternal: return 500;
        case ErrorCode::kUnavailable: return 503;
    }
    return 500;
}

std::string_view CodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument: return "invalid_argument";
        case ErrorCode::kUnauthenticated: return "unauthenticated";
        case ErrorCode::kForbidden: return "forbidden";
        case ErrorCode::kNotFound: return "not_found";
        case ErrorCode::kMethodNotAllowed: return "method_not_allowed";
        case ErrorCode::kConflict: return "conflict";
        case ErrorCode::kPayloadTooLarge: return "payload_too_large";
        case ErrorCode::kUnsupportedMediaType: return "unsupported_media_type";
        case ErrorCode::kUnprocessable: return "unprocessable";
        case ErrorCode::kTooManyRequests: return "too_many_requests";
        case ErrorCode::kInternal: return "internal";
        case ErrorCode::kUnavailable: return "unavailable";
    }
    return "internal";
}

std::string PercentDecode(std::string_view s, bool plus_as_space) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_as_space) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out;
}

int JsonNestingDepth(std::string_view text) {
    int depth = 0;
    int deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

}  // namespace dangan::http

namespace dangan::http {
std::string_view ReasonPhrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 202: return "Accepted";
        case 204: return "No Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 304: return "Not Modified";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 422: return "Unprocessable Entity";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "";
    }
}
Result<std::string> TextMember(const nlohmann::json& body, const char* name, std::size_t max_bytes) {
    if (!body.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "body", "invalid_body");
    }
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::string();
    if (!it->is_string()) {
        return MakeError(ErrorCode::kInvalidArgument, std::string("字段 ") + name + " 应为文本", name, "invalid_field");
    }
    const auto& text = it->get_ref<const std::string&>();
    if (text.size() > max_bytes) {
        return MakeError(ErrorCode::kInvalidArgument, std::string("字段 ") + name + " 过长", name, "too_long");
    }
    return text;
}

}  // namespace dangan::http
