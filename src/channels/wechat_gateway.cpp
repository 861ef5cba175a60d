#include "channels/wechat_gateway.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace dangan::channels {

namespace {

using nlohmann::json;

size_t Collect(char* data, size_t size, size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    if (out->size() < (1 << 20)) out->append(data, size * n);
    return size * n;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// One call; `body` empty → GET. Returns the answer's body for a 2xx.
Result<std::string> Call(const std::string& url, const std::string& body) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) return MakeError(ErrorCode::kInternal, "libcurl 初始化失败");
    std::unique_ptr<curl_slist, ListDeleter> headers(curl_slist_append(nullptr, "Content-Type: application/json"));
    std::string answer;
    char error_buffer[CURL_ERROR_SIZE] = {0};
    CURL* c = curl.get();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
    if (!body.empty()) {
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK) {
        return MakeError(ErrorCode::kUnavailable,
                         std::string("微信接口调用失败：") + (error_buffer[0] ? error_buffer : curl_easy_strerror(rc)));
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status >= 300) {
        return MakeError(ErrorCode::kUnavailable, "微信接口返回 HTTP " + std::to_string(status));
    }
    return answer;
}

std::string Escape(const std::string& s) {
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    char* e = curl_easy_escape(curl.get(), s.c_str(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

std::string Base(std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base;
}

}  // namespace

std::string CustomerServiceBody(const std::string& openid, const std::string& text) {
    return json{{"touser", openid}, {"msgtype", "text"}, {"text", {{"content", text}}}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

Status FileCustomerService::SendText(const std::string& openid, const std::string& text) {
    json line = json::parse(CustomerServiceBody(openid, text));
    line["at"] = core::FormatIso8601(clock_.Now());
    std::lock_guard lock(mutex_);
    std::error_code ec;
    const auto folder = std::filesystem::path(path_).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    out << line.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
    out.flush();
    if (!out) return MakeError(ErrorCode::kUnavailable, "无法写入 wechat.outbox_file：" + path_);
    return Ok();
}

Result<std::string> HttpCustomerService::Token(bool refresh) {
    std::lock_guard lock(mutex_);
    if (!refresh && !token_.empty() && clock_.Now() < token_expires_) return token_;
    auto answer = Call(Base(api_base_) + "/cgi-bin/token?grant_type=client_credential&appid=" + Escape(app_id_) +
                           "&secret=" + Escape(app_secret_),
                       "");
    if (!answer) return answer.error();
    const json j = json::parse(*answer, nullptr, false);
    if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string()) {
        return MakeError(ErrorCode::kUnavailable, "获取微信 access_token 失败：" + answer->substr(0, 200));
    }
    token_ = j["access_token"].get<std::string>();
    const long expires = j.contains("expires_in") && j["expires_in"].is_number_integer()
                             ? j["expires_in"].get<long>()
                             : 7200L;
    token_expires_ = clock_.Now() + std::chrono::seconds(std::max(60L, expires - 300));
    return token_;
}

Status HttpCustomerService::SendText(const std::string& openid, const std::string& text) {
    const std::string body = CustomerServiceBody(openid, text);
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto token = Token(attempt > 0);
        if (!token) return token.error();
        auto answer = Call(Base(api_base_) + "/cgi-bin/message/custom/send?access_token=" + Escape(*token), body);
        if (!answer) return answer.error();
        const json j = json::parse(*answer, nullptr, false);
        const long code = !j.is_object()                                                   ? -1L
                          : !j.contains("errcode")                                         ? 0L
                          : j["errcode"].is_number_integer() ? j["errcode"].get<long>() : -1L;
        if (code == 0) return Ok();
        if (code == 40001 || code == 40014 || code == 42001) continue;  // token invalid or expired
        return MakeError(ErrorCode::kUnavailable, "微信客服消息发送失败：" + answer->substr(0, 200));
    }
    return MakeError(ErrorCode::kUnavailable, "微信 access_token 无效");
}

std::unique_ptr<CustomerServiceGateway> MakeCustomerService(const core::Config::Wechat& wechat,
                                                            const core::Clock& clock) {
    if (!wechat.outbox_file.empty()) return std::make_unique<FileCustomerService>(wechat.outbox_file, clock);
    if (wechat.app_id.empty() || wechat.app_secret.empty()) return nullptr;
    return std::make_unique<HttpCustomerService>(wechat.api_base, wechat.app_id, wechat.app_secret, clock);
}

}  // namespace dangan::channels
