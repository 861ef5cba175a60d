#include "notify/gateway.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "db/testing.hpp"

namespace dangan::notify {
namespace {

using std::chrono::milliseconds;

// A one-request HTTP server on 127.0.0.1 for testing the http gateway: accepts one connection
// (waiting at most 10 s), reads the request, optionally waits, answers with `status` and closes.
class OneShotServer {
public:
    explicit OneShotServer(int status, milliseconds delay = milliseconds(0)) : status_(status), delay_(delay) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
        EXPECT_EQ(::listen(listener_, 4), 0);
        socklen_t len = sizeof addr;
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { Serve(); });
    }
    ~OneShotServer() {
        if (thread_.joinable()) thread_.join();
        ::close(listener_);
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms/send"; }
    // The raw request (head and body) once the server thread has ended.
    std::string request() {
        if (thread_.joinable()) thread_.join();
        return request_;
    }

private:
    void Serve() {
        pollfd waiting{listener_, POLLIN, 0};
        if (::poll(&waiting, 1, 10000) != 1) return;
        const int conn = ::accept(listener_, nullptr, nullptr);
        if (conn < 0) return;
        ReadRequest(conn);
        std::this_thread::sleep_for(delay_);
        const std::string body = status_ == 200 ? R"({"code":0})" : "provider down\r\n";
        const std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                                   " X\r\nContent-Length: " + std::to_string(body.size()) +
                                   "\r\nConnection: close\r\n\r\n" + body;
        (void)::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
        ::close(conn);
    }

    // Reads the head, then Content-Length bytes of body; gives up after 5 s or 64 KiB.
    void ReadRequest(int conn) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        char buffer[4096];
        while (request_.size() < (64 << 10) && std::chrono::steady_clock::now() < deadline) {
            const auto head_end = request_.find("\r\n\r\n");
            if (head_end != std::string::npos) {
                std::size_t length = 0;
                const auto at = request_.find("Content-Length: ");
                if (at != std::string::npos && at < head_end) length = std::stoul(request_.substr(at + 16));
                if (request_.size() >= head_end + 4 + length) return;
            }
            pollfd readable{conn, POLLIN, 0};
            if (::poll(&readable, 1, 100) != 1) continue;
            const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
            if (n <= 0) return;
            request_.append(buffer, static_cast<std::size_t>(n));
        }
    }

    int status_;
    milliseconds delay_;
    int listener_ = -1;
    int port_ = 0;
    std::string request_;
    std::thread thread_;
};

std::string BodyOf(const std::string& request) {
    const auto head_end = request.find("\r\n\r\n");
    return head_end == std::string::npos ? "" : request.substr(head_end + 4);
}

std::unique_ptr<HttpGateway> MakeHttp(const std::string& url, std::string body_template, std::string auth,
                                      long timeout_ms = 3000) {
    auto gateway = HttpGateway::Create({url, std::move(body_template), std::move(auth), timeout_ms});
    EXPECT_TRUE(gateway.ok()) << db::testutil::Why(gateway);
    return gateway.ok() ? std::move(*gateway) : nullptr;
}

TEST(FillBodyTemplate, ReplacesBothPlaceholdersWithJsonEscapes) {
    EXPECT_EQ(FillBodyTemplate(R"({"to":"{{to}}","text":"{{text}}"})", "13812345678", "验证码\"1\"\n"),
              R"({"to":"13812345678","text":"验证码\"1\"\n"})");
    // Values are inserted once: a placeholder inside a value is not filled again.
    EXPECT_EQ(FillBodyTemplate("{{text}}|{{to}}|{{to}}", "1", "{{to}}"), "{{to}}|1|1");
    EXPECT_EQ(FillBodyTemplate("{{ to }}{{tex", "1", "x"), "{{ to }}{{tex");
}

TEST(HttpGateway, PostsTheFilledTemplateWithTheAuthHeader) {
    OneShotServer server(200);
    auto gateway = MakeHttp(server.url(), R"({"mobile":"{{to}}","content":"{{text}}","sign":"社保档案"})",
                            "Authorization: Bearer s3cret-token");
    ASSERT_TRUE(gateway);
    Status s = gateway->Send("13812345678", "您的验证码为 \"123456\"\n请勿泄露");
    EXPECT_TRUE(s.ok()) << db::testutil::Why(s);
    const std::string request = server.request();
    EXPECT_EQ(request.rfind("POST /sms/send HTTP/1.1\r\n", 0), 0u) << request;
    EXPECT_NE(request.find("\r\nAuthorization: Bearer s3cret-token\r\n"), std::string::npos) << request;
    EXPECT_NE(request.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << request;
    auto body = nlohmann::json::parse(BodyOf(request), nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << request;
    EXPECT_EQ(body["mobile"], "13812345678");
    EXPECT_EQ(body["content"], "您的验证码为 \"123456\"\n请勿泄露");
    EXPECT_EQ(body["sign"], "社保档案");
}

TEST(HttpGateway, WithoutAuthHeaderSendsNone) {
    OneShotServer server(204);
    auto gateway = MakeHttp(server.url(), R"({"to":"{{to}}"})", "");
    ASSERT_TRUE(gateway);
    EXPECT_TRUE(gateway->Send("13812345678", "x").ok());
    EXPECT_EQ(server.request().find("Authorization"), std::string::npos);
}

TEST(HttpGateway, AServerErrorIsAFailureWithTheReason) {
    OneShotServer server(500);
    auto gateway = MakeHttp(server.url(), R"({"to":"{{to}}"})", "");
    ASSERT_TRUE(gateway);
    Status s = gateway->Send("13812345678", "x");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("HTTP 500"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("provider down"), std::string::npos) << s.error().message;
    EXPECT_EQ(s.error().message.find('\r'), std::string::npos);
    EXPECT_EQ(s.error().reason, "sms_gateway_failed");
}

TEST(HttpGateway, ATimeoutIsAFailure) {
    OneShotServer server(200, milliseconds(1500));
    auto gateway = MakeHttp(server.url(), R"({"to":"{{to}}"})", "", 300);
    ASSERT_TRUE(gateway);
    const auto start = std::chrono::steady_clock::now();
    Status s = gateway->Send("13812345678", "x");
    EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1200));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("imed out"), std::string::npos) << s.error().message;
}

TEST(HttpGateway, ARefusedConnectionIsAFailure) {
    // A loopback port that was free a moment ago and has no listener.
    const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(probe);
    auto gateway = MakeHttp("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", "{}", "");
    ASSERT_TRUE(gateway);
    Status s = gateway->Send("13812345678", "x");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().reason, "sms_gateway_failed");
}

TEST(HttpGateway, RefusesAnUnusableConfiguration) {
    EXPECT_FALSE(HttpGateway::Create({"", "{}", "", 1000}).ok());
    EXPECT_FALSE(HttpGateway::Create({"ftp://example.org/", "{}", "", 1000}).ok());
    EXPECT_FALSE(HttpGateway::Create({"file:///etc/passwd", "{}", "", 1000}).ok());
    EXPECT_FALSE(HttpGateway::Create({"http://127.0.0.1/", "{}", "Authorization Bearer x", 1000}).ok());
    EXPECT_FALSE(HttpGateway::Create({"http://127.0.0.1/", "{}", "X-A: 1\r\nX-B: 2", 1000}).ok());
    EXPECT_FALSE(HttpGateway::Create({"http://127.0.0.1/", "", "", 1000}).ok());
    EXPECT_TRUE(HttpGateway::Create({"HTTPS://sms.example.org/send", "{}", "X-Key: 1", 1000}).ok());
}

TEST(LogGateway, AppendsOneLinePerMessageWithTheFullNumber) {
    const auto dir = std::filesystem::temp_directory_path() / db::testutil::UniqueName("dangan_sms_");
    const auto path = dir / "nested" / "sms.log";
    core::FixedClock clock(
        core::FromShanghai(std::chrono::local_days{std::chrono::year{2026} / 3 / 2} + std::chrono::hours{10}));
    LogGateway gateway(path.string(), clock);
    ASSERT_TRUE(gateway.Send("13812345678", "【社保档案】您的登录验证码为 123456，5分钟内有效。").ok());
    clock.Advance(std::chrono::seconds(1));
    ASSERT_TRUE(gateway.Send("13900000001", "第一行\n第二行\t完").ok());
    std::ifstream in(path);
    std::stringstream content;
    content << in.rdbuf();
    EXPECT_EQ(content.str(),
              "2026-03-02T10:00:00.000+08:00\t13812345678\t【社保档案】您的登录验证码为 123456，5分钟内有效。\n"
              "2026-03-02T10:00:01.000+08:00\t13900000001\t第一行 第二行 完\n");
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

TEST(LogGateway, AnUnwritableFileIsAFailure) {
    core::SystemClock clock;
    LogGateway gateway("/proc/dangan-no-such-dir/sms.log", clock);
    EXPECT_FALSE(gateway.Send("13812345678", "x").ok());
}

TEST(MakeGateway, ChoosesByConfiguration) {
    core::SystemClock clock;
    core::Config::Notify notify;
    notify.sms_log = (std::filesystem::temp_directory_path() / "unused-sms.log").string();
    auto log = MakeGateway(notify, clock);
    ASSERT_TRUE(log.ok());
    EXPECT_NE(dynamic_cast<LogGateway*>(log->get()), nullptr);
    notify.sms_gateway = "http";
    auto no_url = MakeGateway(notify, clock);
    ASSERT_FALSE(no_url.ok());
    EXPECT_EQ(no_url.error().field, "notify.http_url");
    notify.http_url = "https://sms.example.org/send";
    auto http = MakeGateway(notify, clock);
    ASSERT_TRUE(http.ok());
    EXPECT_NE(dynamic_cast<HttpGateway*>(http->get()), nullptr);
    notify.sms_gateway = "pigeon";
    EXPECT_FALSE(MakeGateway(notify, clock).ok());
}

}  // namespace
}  // namespace dangan::notify
