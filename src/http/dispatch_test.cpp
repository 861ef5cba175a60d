#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/app.hpp"
#include "http/server.hpp"

namespace dangan::http {
namespace {

namespace fs = std::filesystem;

// A web root holding only the portal index, removed when the test ends.
class TempWebRoot {
public:
    TempWebRoot() {
        std::random_device rd;
        path_ = fs::temp_directory_path() / ("dangan_dispatch_test_" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path_);
        std::ofstream(path_ / "index.html") << "<!doctype html><title>portal</title>";
    }
    ~TempWebRoot() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempWebRoot(const TempWebRoot&) = delete;
    TempWebRoot& operator=(const TempWebRoot&) = delete;

    std::string path() const { return path_.string(); }

private:
    fs::path path_;
};

// An App with no database and a few simple routes.
class DispatchTest : public testing::Test {
protected:
    DispatchTest() {
        app_.config.server.web_root = web_.path();
        app_.config.server.max_body_bytes = 2048;
        app_.router.Add(Method::kGet, "/api/v1/ping", Access::Public(), [](Request&) {
            return Response::Json({{"pong", true}});
        });
        app_.router.Add(Method::kGet, "/api/v1/persons/:id", Access::Public(), [](Request& r) {
            return Response::Json({{"id", r.Param("id")}});
        });
        app_.router.Add(Method::kPost, "/api/v1/echo", Access::Public(), [](Request& r) {
            Result<nlohmann::json> body = r.Json();
            if (!body.ok()) return Response::FromError(body.error());
            return Response::Json(*body, 201);
        });
        app_.router.Add(Method::kDelete, "/api/v1/echo", Access::Public(),
                        [](Request&) { return Response::Json({}, 204); });
        app_.router.Add(Method::kPost, "/api/v1/fail", Access::Public(), [](Request&) -> Response {
            throw std::runtime_error("secret detail: connection string postgresql://u:pw@h/db");
        });
        app_.router.Add(Method::kPost, "/api/v1/upload", Access::Public(),
                        [](Request& r) { return Response::Json({{"bytes", r.body.size()}}); });
        app_.router.SetBodyLimit(Method::kPost, "/api/v1/upload", 8192);
        app_.router.Add(Method::kGet, "/api/v1/framed", Access::Public(), [](Request&) {
            Response r = Response::Text("%PDF-1.5", "application/pdf");
            r.Header("X-Frame-Options", "SAMEORIGIN");
            return r;
        });
        app_.router.Add(Method::kPost, "/api/v1/fail-oddly", Access::Public(), [](Request&) -> Response { throw 42; });
        app_.router.Add(Method::kGet, "/api/v1/secret", Access::Roles({"system_admin"}), [](Request&) {
            return Response::Json({{"secret", true}});
        });
        std::vector<std::string> labels;
        for (const auto& route : app_.router.routes()) labels.push_back(route.Label());
        app_.metrics.SetRoutes(labels);
    }

    Response Send(Method method, const std::string& path, std::string body = {},
                  std::string content_type = "application/json") {
        Request request;
        request.method = method;
        request.path = path;
        request.body = std::move(body);
        if (!content_type.empty()) request.headers.emplace_back("content-type", std::move(content_type));
        request.request_id = "req-" + std::to_string(++counter_);
        last_request_id_ = request.request_id;
        return Dispatch(app_, request);
    }

    static std::vector<std::string> Headers(const Response& r, const std::string& name) {
        std::vector<std::string> values;
        for (const auto& [n, v] : r.headers) {
            if (n == name) values.push_back(v);
        }
        return values;
    }

    static std::string Header(const Response& r, const std::string& name) {
        auto values = Headers(r, name);
        return values.empty() ? "<absent>" : values.front();
    }

    static nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.body, nullptr, false); }

    TempWebRoot web_;
    App app_;
    int counter_ = 0;
    std::string last_request_id_;
};

TEST_F(DispatchTest, RoutesToTheHandler) {
    Response r = Send(Method::kGet, "/api/v1/ping");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(Body(r), (nlohmann::json{{"pong", true}}));
}

TEST_F(DispatchTest, PathParametersReachTheHandler) {
    Response r = Send(Method::kGet, "/api/v1/persons/%E5%BC%A0");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(Body(r)["id"], "张");
}

TEST_F(DispatchTest, HeadIsServedByTheGetRoute) {
    Response r = Send(Method::kHead, "/api/v1/ping");
    EXPECT_EQ(r.status, 200);
}

TEST_F(DispatchTest, UnknownApiPathIsJson404) {
    for (const char* path : {"/api/v1/nothing", "/api", "/api/", "/api/v1/ping/extra", "/api/v1/x.js"}) {
        Response r = Send(Method::kGet, path);
        EXPECT_EQ(r.status, 404) << path;
        EXPECT_EQ(Header(r, "Content-Type"), "application/json; charset=utf-8") << path;
        EXPECT_EQ(Body(r)["error"]["code"], "not_found") << path;
        EXPECT_TRUE(r.file_path.empty()) << path;
    }
    Response post = Send(Method::kPost, "/api/v1/nothing", "{}");
    EXPECT_EQ(post.status, 404);
}

TEST_F(DispatchTest, WrongMethodIs405WithAllow) {
    Response r = Send(Method::kPut, "/api/v1/echo", "{}");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(Header(r, "Allow"), "POST, DELETE");
    EXPECT_EQ(Body(r)["error"]["code"], "method_not_allowed");

    Response get_only = Send(Method::kPost, "/api/v1/ping", "{}");
    EXPECT_EQ(get_only.status, 405);
    EXPECT_EQ(Header(get_only, "Allow"), "GET, HEAD");
}

TEST_F(DispatchTest, PagesAreServedFromTheWebRoot) {
    Response r = Send(Method::kGet, "/persons/42", "", "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.file_path, (fs::path(web_.path()) / "index.html").string());
    EXPECT_EQ(Header(r, "X-Request-Id"), last_request_id_);
}

TEST_F(DispatchTest, NonGetOnAPageIs405) {
    Response r = Send(Method::kPost, "/persons/42", "{}");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(Header(r, "Allow"), "GET, HEAD");
    EXPECT_TRUE(r.file_path.empty());
}

TEST_F(DispatchTest, BodyOverTheLimitIs413) {
    std::string big = "[\"" + std::string(3000, 'x') + "\"]";
    Response r = Send(Method::kPost, "/api/v1/echo", big);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(Body(r)["error"]["code"], "payload_too_large");
    EXPECT_EQ(Header(r, "X-Request-Id"), last_request_id_);

    std::string fits = "[\"" + std::string(2048 - 4, 'x') + "\"]";
    ASSERT_EQ(fits.size(), 2048u);
    Response ok = Send(Method::kPost, "/api/v1/echo", fits);
    EXPECT_EQ(ok.status, 201);
}

TEST_F(DispatchTest, AnUploadRouteTakesMoreThanTheJsonLimit) {
    EXPECT_EQ(Send(Method::kPost, "/api/v1/upload", std::string(6000, 'x'), "application/pdf").status, 200);
    Response over = Send(Method::kPost, "/api/v1/upload", std::string(9000, 'x'), "application/pdf");
    EXPECT_EQ(over.status, 413);
    EXPECT_EQ(Send(Method::kPost, "/api/v1/echo", std::string(6000, 'x')).status, 413);
}

TEST_F(DispatchTest, AHandlersOwnFramingHeaderReplacesTheDefault) {
    Response r = Send(Method::kGet, "/api/v1/framed");
    EXPECT_EQ(Headers(r, "X-Frame-Options"), std::vector<std::string>{"SAMEORIGIN"});
    EXPECT_EQ(Headers(r, "X-Content-Type-Options"), std::vector<std::string>{"nosniff"});
}

TEST_F(DispatchTest, JsonDepthLimitComesFromConfig) {
    app_.config.server.max_json_depth = 3;
    EXPECT_EQ(Send(Method::kPost, "/api/v1/echo", "[[[1]]]").status, 201);
    Response deep = Send(Method::kPost, "/api/v1/echo", "[[[[1]]]]");
    EXPECT_EQ(deep.status, 400);
    EXPECT_EQ(Body(deep)["error"]["code"], "json_too_deep");
}

TEST_F(DispatchTest, HandlerExceptionIsJson500WithoutDetails) {
    Response r = Send(Method::kPost, "/api/v1/fail", "{}");
    EXPECT_EQ(r.status, 500);
    nlohmann::json body = Body(r);
    EXPECT_EQ(body["error"]["code"], "internal");
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << r.body;
    EXPECT_EQ(Header(r, "X-Request-Id"), last_request_id_);
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
}

TEST_F(DispatchTest, HandlerThrowingANonStandardExceptionIsJson500) {
    Response r;
    EXPECT_NO_THROW(r = Send(Method::kPost, "/api/v1/fail-oddly", "{}"));
    EXPECT_EQ(r.status, 500);
}

TEST_F(DispatchTest, EveryResponseCarriesSecurityHeadersAndRequestId) {
    std::vector<Response> responses;
    responses.push_back(Send(Method::kGet, "/api/v1/ping"));
    responses.push_back(Send(Method::kGet, "/api/v1/nothing"));
    responses.push_back(Send(Method::kPut, "/api/v1/echo", "{}"));
    responses.push_back(Send(Method::kGet, "/"));
    responses.push_back(Send(Method::kPost, "/api/v1/echo", std::string(5000, ' ')));
    for (std::size_t i = 0; i < responses.size(); ++i) {
        const Response& r = responses[i];
        for (const auto& [name, value] : SecurityHeaders(app_)) {
            EXPECT_EQ(Headers(r, name), std::vector<std::string>{value}) << "response " << i << " " << name;
        }
        EXPECT_EQ(Headers(r, "X-Request-Id"), std::vector<std::string>{"req-" + std::to_string(i + 1)})
            << "response " << i;
    }
}

TEST_F(DispatchTest, SecurityHeadersForbidFramingAndSniffing) {
    Response r = Send(Method::kGet, "/api/v1/ping");
    EXPECT_EQ(Header(r, "X-Frame-Options"), "DENY");
    EXPECT_EQ(Header(r, "X-Content-Type-Options"), "nosniff");
    std::string csp = Header(r, "Content-Security-Policy");
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("object-src 'none'"), std::string::npos) << csp;
}

TEST_F(DispatchTest, CspConnectsOnlyToSelfAndTheCardReader) {
    app_.config.kiosk.card_reader_url = "http://127.0.0.1:9123/bridge";
    std::string csp = Header(Send(Method::kGet, "/api/v1/ping"), "Content-Security-Policy");
    EXPECT_NE(csp.find("connect-src 'self' http://127.0.0.1:9123;"), std::string::npos) << csp;
    EXPECT_NE(csp.find("default-src 'self';"), std::string::npos) << csp;
    EXPECT_NE(csp.find("script-src 'self';"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << csp;
    EXPECT_EQ(csp.find("/bridge"), std::string::npos) << csp;
}

TEST_F(DispatchTest, WithoutAWebRootEveryUnmatchedPathIsJson404) {
    app_.config.server.web_root.clear();
    for (const char* path : {"/", "/persons/42", "/index.html", "/api/v1/nothing"}) {
        Response r = Send(Method::kGet, path, "", "");
        EXPECT_EQ(r.status, 404) << path;
        EXPECT_EQ(Body(r)["error"]["code"], "not_found") << path;
        EXPECT_TRUE(r.file_path.empty()) << path;
    }
}

TEST_F(DispatchTest, RecordsMetricsPerRoute) {
    Send(Method::kGet, "/api/v1/ping");
    Send(Method::kGet, "/api/v1/ping");
    Send(Method::kPost, "/api/v1/fail", "{}");
    Send(Method::kGet, "/api/v1/nothing");
    Send(Method::kPut, "/api/v1/echo", "{}");
    Send(Method::kGet, "/persons/1");
    std::string text = app_.metrics.RenderPrometheus("");
    EXPECT_NE(text.find("dangan_http_requests_total{route=\"GET /api/v1/ping\",status=\"2xx\"} 2\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("dangan_http_requests_total{route=\"POST /api/v1/fail\",status=\"5xx\"} 1\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("dangan_http_requests_total{route=\"unmatched\",status=\"4xx\"} 2\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("dangan_http_requests_total{route=\"static\",status=\"2xx\"} 1\n"), std::string::npos) << text;
}

TEST_F(DispatchTest, NonPublicRouteWithoutGuardIsDenied) {
    Response r = Send(Method::kGet, "/api/v1/secret");
    EXPECT_EQ(r.status, 403);
    EXPECT_EQ(r.body.find("secret\":true"), std::string::npos);
}

}  // namespace
}  // namespace dangan::http
