#include "notify/gateway.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/validators.hpp"

namespace dangan::notify {

namespace {

Error GatewayConfigError(std::string message, std::string field) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field), "invalid_sms_gateway");
}

Error SendError(std::string message) {
    return MakeError(ErrorCode::kUnavailable, std::move(message), {}, "sms_gateway_failed");
}

// The JSON string escape of `value` without the surrounding quotes.
std::string JsonEscape(std::string_view value) {
    std::string quoted =
        nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return quoted.substr(1, quoted.size() - 2);
}

// One line of the log file: tabs and line breaks inside the text become spaces.
std::string OneLine(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return out;
}

// The start of a provider's answer, safe to store and log: printable ASCII only (other bytes
// become '?', so a cut never leaves broken UTF-8 in outbox.last_error).
std::string Snippet(std::string_view body) {
    constexpr std::size_t kMax = 200;
    std::string out;
    for (char c : body.substr(0, kMax)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
    }
    return true;
}

std::size_t CollectBody(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    const std::size_t n = size * count;
    if (body->size() < 1024) body->append(data, std::min(n, 1024 - body->size()));
    return n;  // read (and drop) the rest, so the transfer completes
}

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

std::string FillBodyTemplate(std::string_view body_template, std::string_view to, std::string_view text) {
    static constexpr std::string_view kTo = "{{to}}";
    static constexpr std::string_view kText = "{{text}}";
    std::string out;
    std::size_t i = 0;
    while (i < body_template.size()) {
        std::string_view rest = body_template.substr(i);
        if (rest.starts_with(kTo)) {
            out += JsonEscape(to);
            i += kTo.size();
        } else if (rest.starts_with(kText)) {
            out += JsonEscape(text);
            i += kText.size();
        } else {
            out += body_template[i++];
        }
    }
    return out;
}

Status LogGateway::Send(const std::string& recipient, const std::string& text) {
    const std::string line = core::FormatIso8601(clock_.Now()) + "\t" + OneLine(recipient) + "\t" + OneLine(text);
    {
        std::lock_guard lock(mutex_);
        const auto parent = std::filesystem::path(path_).parent_path();
        std::error_code ec;
        if (!parent.empty()) std::filesystem::create_directories(parent, ec);
        std::ofstream out(path_, std::ios::app | std::ios::binary);
        if (!out) {
            return SendError("无法打开短信日志文件 " + path_ + "：" + std::strerror(errno));
        }
        out << line << '\n';
        out.flush();
        if (!out) return SendError("无法写入短信日志文件 " + path_);
    }
    spdlog::info("sms to {} (log gateway, {}): {}", core::MaskMobile(recipient), path_, OneLine(text));
    return Ok();
}

Result<std::unique_ptr<HttpGateway>> HttpGateway::Create(HttpGatewayOptions options) {
    if (!StartsWithNoCase(options.url, "http://") && !StartsWithNoCase(options.url, "https://")) {
        return GatewayConfigError("notify.http_url 必须是 http:// 或 https:// 开头的短信服务地址", "notify.http_url");
    }
    if (options.body_template.empty()) {
        return GatewayConfigError("notify.http_body_template 不能为空", "notify.http_body_template");
    }
    const auto& header = options.auth_header;
    if (!header.empty()) {
        const auto colon = header.find(':');
        if (colon == std::string::npos || colon == 0 || header.find_first_of("\r\n") != std::string::npos) {
            return GatewayConfigError("notify.http_auth_header 应为一行 \"名称: 值\"", "notify.http_auth_header");
        }
    }
    if (options.timeout_ms <= 0) {
        return GatewayConfigError("notify.http_timeout_ms 必须大于 0", "notify.http_timeout_ms");
    }
    static std::once_flag curl_init;
    std::call_once(curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    return std::unique_ptr<HttpGateway>(new HttpGateway(std::move(options)));
}

Status HttpGateway::Send(const std::string& recipient, const std::string& text) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return SendError("短信网关调用失败：无法初始化 libcurl");
    const std::string body = FillBodyTemplate(options_.body_template, recipient, text);

    curl_slist* raw_headers = curl_slist_append(nullptr, "Content-Type: application/json");
    raw_headers = curl_slist_append(raw_headers, "Expect:");
    if (!options_.auth_header.empty()) raw_headers = curl_slist_append(raw_headers, options_.auth_header.c_str());
    std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
    if (!headers) return SendError("短信网关调用失败：内存不足");

    std::string answer;
    char error_buffer[CURL_ERROR_SIZE] = {};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, CollectBody);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        std::string why = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
        return SendError("短信网关调用失败：" + Snippet(why));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        return SendError("短信网关返回 HTTP " + std::to_string(status) + "：" + Snippet(answer));
    }
    return Ok();
}

Result<std::unique_ptr<Gateway>> MakeGateway(const core::Config::Notify& notify, const core::Clock& clock) {
    if (notify.sms_gateway == "log") {
        return std::unique_ptr<Gateway>(std::make_unique<LogGateway>(notify.sms_log, clock));
    }
    if (notify.sms_gateway == "http") {
        auto gateway = HttpGateway::Create({notify.http_url, notify.http_body_template, notify.http_auth_header,
                                            static_cast<long>(notify.http_timeout_ms)});
        if (!gateway) return gateway.error();
        return std::unique_ptr<Gateway>(std::move(*gateway));
    }
    return GatewayConfigError("notify.sms_gateway 只能是 log 或 http", "notify.sms_gateway");
}

}  // namespace dangan::notify
