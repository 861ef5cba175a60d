#include "kiosk/card_reader.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/app.hpp"
#include "http/server.hpp"

namespace dangan::kiosk {
namespace {

constexpr int kPort = 8765;
constexpr const char* kKiosk = "http://kiosk.example";  // the allowed origin of the kiosk pages

struct Headers {
    std::optional<std::string> host = "127.0.0.1:8765";
    std::optional<std::string> origin;
};

// The simulator's App as `dangan card-reader-sim` builds it, driven through http::Dispatch.
class CardReaderTest : public testing::Test {
protected:
    CardReaderTest() {
        app_.config.server.web_root.clear();
        RegisterCardReaderRoutes(app_, slot_, BridgePolicy{.port = kPort, .allowed_origins = {kKiosk}});
        std::vector<std::string> labels;
        for (const auto& route : app_.router.routes()) labels.push_back(route.Label());
        app_.metrics.SetRoutes(labels);
    }

    http::Response Send(http::Method method, const std::string& path, std::string body = {}, Headers headers = {}) {
        http::Request request;
        request.method = method;
        request.path = path;
        request.body = std::move(body);
        request.headers.emplace_back("content-type", "application/json");
        if (headers.host) request.headers.emplace_back("host", *headers.host);
        if (headers.origin) request.headers.emplace_back("origin", *headers.origin);
        return http::Dispatch(app_, request);
    }
    // A read by the kiosk page.
    http::Response FromKiosk(http::Method method) { return Send(method, "/card", {}, {.origin = kKiosk}); }
    http::Response PutCard(const std::string& body, Headers headers = {}) {
        return Send(http::Method::kPut, "/card", body, std::move(headers));
    }

    static std::string Header(const http::Response& r, const std::string& name) {
        for (const auto& [n, v] : r.headers) {
            if (n == name) return v;
        }
        return "<absent>";
    }
    static bool HasCors(const http::Response& r) {
        for (const auto& [n, v] : r.headers) {
            if (n.rfind("Access-Control-", 0) == 0) return true;
        }
        return false;
    }
    static std::string Reason(const http::Response& r) {
        return nlohmann::json::parse(r.body)["error"]["code"].get<std::string>();
    }

    CardSlot slot_;
    http::App app_;
};

constexpr const char* kZhang = R"({"id_number":"220102198503150015","name":"张伟"})";

TEST_F(CardReaderTest, NoCardIs404ForTheAllowedOriginOnly) {
    http::Response r = FromKiosk(http::Method::kGet);
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"error", "no_card"}}));
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), kKiosk);
    EXPECT_EQ(Header(r, "Vary"), "Origin");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Private-Network"), "<absent>");
}

TEST_F(CardReaderTest, PlacedCardIsReadUntilRemoved) {
    http::Response put = PutCard(kZhang);
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_FALSE(HasCors(put));

    http::Response get = FromKiosk(http::Method::kGet);
    ASSERT_EQ(get.status, 200);
    auto card = nlohmann::json::parse(get.body);
    EXPECT_EQ(card["id_number"], "220102198503150015");
    EXPECT_EQ(card["name"], "张伟");
    EXPECT_EQ(card["gender"], "男");
    EXPECT_EQ(card["birth_date"], "1985-03-15");
    for (const char* field : {"nation", "address", "issuer", "valid_from", "valid_to"}) {
        EXPECT_TRUE(card[field].is_string() && !card[field].get<std::string>().empty()) << field;
    }
    EXPECT_EQ(Header(get, "Access-Control-Allow-Origin"), kKiosk);
    EXPECT_EQ(Header(get, "Vary"), "Origin");
    EXPECT_EQ(Header(get, "Cache-Control"), "no-store");

    http::Response removed = Send(http::Method::kDelete, "/card");
    EXPECT_EQ(removed.status, 204);
    EXPECT_FALSE(HasCors(removed));
    EXPECT_EQ(FromKiosk(http::Method::kGet).status, 404);
    EXPECT_EQ(Send(http::Method::kDelete, "/card").status, 204);  // removing nothing is fine
}

TEST_F(CardReaderTest, ARequestWithoutOriginIsAnsweredWithoutCors) {
    ASSERT_EQ(PutCard(kZhang).status, 200);
    http::Response r = Send(http::Method::kGet, "/card");  // curl, or a same-origin read
    EXPECT_EQ(r.status, 200);
    EXPECT_FALSE(HasCors(r));
}

TEST_F(CardReaderTest, AnotherOriginCannotReadTheCard) {
    ASSERT_EQ(PutCard(kZhang).status, 200);
    for (const char* origin : {"http://evil.example", "null", "http://kiosk.example:8080", "http://kiosk.example/",
                               "https://kiosk.example"}) {
        http::Response r = Send(http::Method::kGet, "/card", {}, {.origin = origin});
        EXPECT_EQ(r.status, 403) << origin;
        EXPECT_EQ(Reason(r), "origin_not_allowed") << origin;
        EXPECT_EQ(r.body.find("220102"), std::string::npos) << origin;
        EXPECT_FALSE(HasCors(r)) << origin;

        http::Response preflight = Send(http::Method::kOptions, "/card", {}, {.origin = origin});
        EXPECT_EQ(preflight.status, 403) << origin;
        EXPECT_FALSE(HasCors(preflight)) << origin;
    }
}

// A DNS-rebinding page reaches 127.0.0.1 under its own name, from its own origin or none.
TEST_F(CardReaderTest, AnyHostButTheLoopbackNamesIsRefused) {
    ASSERT_EQ(PutCard(kZhang).status, 200);
    for (std::optional<std::string> host : std::initializer_list<std::optional<std::string>>{
             "evil.example:8765", "127.0.0.1", "127.0.0.1:8080", "localhost:80", "127.0.0.2:8765", "", std::nullopt}) {
        const std::string what = host.value_or("<no Host>");
        for (auto method : {http::Method::kGet, http::Method::kOptions, http::Method::kDelete}) {
            http::Response r = Send(method, "/card", {}, {.host = host, .origin = kKiosk});
            EXPECT_EQ(r.status, 403) << what;
            EXPECT_EQ(Reason(r), "host_not_allowed") << what;
            EXPECT_FALSE(HasCors(r)) << what;
        }
        EXPECT_EQ(PutCard(R"({"id_number":"220203197804050461","name":"赵丽"})", {.host = host, .origin = std::nullopt})
                      .status,
                  403)
            << what;
    }
    EXPECT_EQ(slot_.Get()->name, "张伟");  // neither replaced nor removed
    EXPECT_EQ(Send(http::Method::kGet, "/card", {}, {.host = "localhost:8765", .origin = kKiosk}).status, 200);
    EXPECT_EQ(Send(http::Method::kGet, "/card", {}, {.host = "LOCALHOST:8765", .origin = std::nullopt}).status, 200);
}

TEST_F(CardReaderTest, PreflightAllowsOnlyReadingByTheAllowedOrigin) {
    http::Response r = FromKiosk(http::Method::kOptions);
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), kKiosk);
    EXPECT_EQ(Header(r, "Vary"), "Origin");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Private-Network"), "true");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Methods"), "GET");

    http::Response plain = Send(http::Method::kOptions, "/card");  // not a preflight
    EXPECT_EQ(plain.status, 204);
    EXPECT_FALSE(HasCors(plain));
}

// Placing and taking cards is for curl and the tests: even the kiosk page may not.
TEST_F(CardReaderTest, PagesCannotPlaceOrRemoveCards) {
    ASSERT_EQ(PutCard(kZhang).status, 200);
    for (const char* origin : {kKiosk, "http://evil.example"}) {
        http::Response put = PutCard(R"({"id_number":"220203197804050461","name":"赵丽"})", {.origin = origin});
        EXPECT_EQ(put.status, 403) << origin;
        EXPECT_FALSE(HasCors(put)) << origin;
        http::Response del = Send(http::Method::kDelete, "/card", {}, {.origin = origin});
        EXPECT_EQ(del.status, 403) << origin;
        EXPECT_FALSE(HasCors(del)) << origin;
    }
    EXPECT_EQ(slot_.Get()->name, "张伟");
    // The bridge's own origin (a page it served, were there one) is same-origin.
    EXPECT_EQ(Send(http::Method::kDelete, "/card", {}, {.origin = "http://127.0.0.1:8765"}).status, 204);
    EXPECT_FALSE(slot_.Get().has_value());
}

TEST_F(CardReaderTest, BadCardIsRefusedInChineseAndTheOldCardStays) {
    slot_.Place(
        *MakeIdCard("220203197804050461", "赵丽",
                    std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{1}, std::chrono::day{1}}));
    http::Response wrong = PutCard(R"({"id_number":"220102198503150016","name":"张伟"})");
    EXPECT_EQ(wrong.status, 422);
    auto error = nlohmann::json::parse(wrong.body)["error"];
    EXPECT_EQ(error["field"], "id_number");
    EXPECT_FALSE(HasCors(wrong));

    http::Response broken = PutCard("{not json");
    EXPECT_EQ(broken.status, 400);
    EXPECT_FALSE(HasCors(broken));

    EXPECT_EQ(slot_.Get()->name, "赵丽");
}

TEST_F(CardReaderTest, OtherPathsAreJson404WithoutFiles) {
    http::Response r = Send(http::Method::kGet, "/");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(r.file_path.empty());
}

TEST(CardReaderOrigins, DefaultsAreTheServersDefaultAddress) {
    EXPECT_EQ(DefaultAllowedOrigins(), (std::vector<std::string>{"http://127.0.0.1:8080", "http://localhost:8080"}));
}

TEST(CardReaderOrigins, AnOriginIsSchemeHostAndPortOnly) {
    EXPECT_EQ(*ParseAllowedOrigin("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    EXPECT_EQ(*ParseAllowedOrigin("HTTPS://Dangan.Example.CN"), "https://dangan.example.cn");
    EXPECT_EQ(*ParseAllowedOrigin("http://[::1]:8080"), "http://[::1]:8080");
    for (const char* bad : {"", "*", "null", "127.0.0.1:8080", "ftp://x", "http://", "http://x/", "http://x/kiosk",
                            "http://x?a", "http://x y", "http://user@x"}) {
        auto r = ParseAllowedOrigin(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().field, "allow_origin") << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    }
}

}  // namespace
}  // namespace dangan::kiosk
