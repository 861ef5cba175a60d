#include "kiosk/card_reader.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/app.hpp"
#include "http/server.hpp"

namespace dangan::kiosk {
namespace {

// The simulator's App as `dangan card-reader-sim` builds it, driven through http::Dispatch.
class CardReaderTest : public testing::Test {
protected:
    CardReaderTest() {
        app_.config.server.web_root.clear();
        RegisterCardReaderRoutes(app_, slot_);
        std::vector<std::string> labels;
        for (const auto& route : app_.router.routes()) labels.push_back(route.Label());
        app_.metrics.SetRoutes(labels);
    }

    http::Response Send(http::Method method, const std::string& path, std::string body = {}) {
        http::Request request;
        request.method = method;
        request.path = path;
        request.body = std::move(body);
        request.headers.emplace_back("content-type", "application/json");
        request.headers.emplace_back("origin", "http://kiosk.example");
        return http::Dispatch(app_, request);
    }

    static std::string Header(const http::Response& r, const std::string& name) {
        for (const auto& [n, v] : r.headers) {
            if (n == name) return v;
        }
        return "<absent>";
    }

    CardSlot slot_;
    http::App app_;
};

TEST_F(CardReaderTest, NoCardIs404WithCors) {
    http::Response r = Send(http::Method::kGet, "/card");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"error", "no_card"}}));
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
}

TEST_F(CardReaderTest, PlacedCardIsReadUntilRemoved) {
    http::Response put = Send(http::Method::kPut, "/card", R"({"id_number":"220102198503150015","name":"张伟"})");
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(Header(put, "Access-Control-Allow-Origin"), "*");

    http::Response get = Send(http::Method::kGet, "/card");
    ASSERT_EQ(get.status, 200);
    auto card = nlohmann::json::parse(get.body);
    EXPECT_EQ(card["id_number"], "220102198503150015");
    EXPECT_EQ(card["name"], "张伟");
    EXPECT_EQ(card["gender"], "男");
    EXPECT_EQ(card["birth_date"], "1985-03-15");
    for (const char* field : {"nation", "address", "issuer", "valid_from", "valid_to"}) {
        EXPECT_TRUE(card[field].is_string() && !card[field].get<std::string>().empty()) << field;
    }
    EXPECT_EQ(Header(get, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(Header(get, "Cache-Control"), "no-store");

    EXPECT_EQ(Send(http::Method::kDelete, "/card").status, 204);
    EXPECT_EQ(Send(http::Method::kGet, "/card").status, 404);
    EXPECT_EQ(Send(http::Method::kDelete, "/card").status, 204);  // removing nothing is fine
}

TEST_F(CardReaderTest, BadCardIsRefusedInChineseAndTheOldCardStays) {
    slot_.Place(
        *MakeIdCard("220203197804050461", "赵丽",
                    std::chrono::year_month_day{std::chrono::year{2026}, std::chrono::month{1}, std::chrono::day{1}}));
    http::Response wrong = Send(http::Method::kPut, "/card", R"({"id_number":"220102198503150016","name":"张伟"})");
    EXPECT_EQ(wrong.status, 422);
    auto error = nlohmann::json::parse(wrong.body)["error"];
    EXPECT_EQ(error["field"], "id_number");
    EXPECT_EQ(Header(wrong, "Access-Control-Allow-Origin"), "*");

    http::Response broken = Send(http::Method::kPut, "/card", "{not json");
    EXPECT_EQ(broken.status, 400);
    EXPECT_EQ(Header(broken, "Access-Control-Allow-Origin"), "*");

    EXPECT_EQ(slot_.Get()->name, "赵丽");
}

TEST_F(CardReaderTest, PreflightAllowsAnyOriginAndThePrivateNetwork) {
    http::Response r = Send(http::Method::kOptions, "/card");
    EXPECT_EQ(r.status, 204);
    EXPECT_EQ(Header(r, "Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(Header(r, "Access-Control-Allow-Private-Network"), "true");
    EXPECT_NE(Header(r, "Access-Control-Allow-Methods").find("PUT"), std::string::npos);
    EXPECT_EQ(Header(r, "Access-Control-Allow-Headers"), "Content-Type");
}

TEST_F(CardReaderTest, OtherPathsAreJson404WithoutFiles) {
    http::Response r = Send(http::Method::kGet, "/");
    EXPECT_EQ(r.status, 404);
    EXPECT_TRUE(r.file_path.empty());
}

}  // namespace
}  // namespace dangan::kiosk
