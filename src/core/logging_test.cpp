#include "core/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace dangan::core {
namespace {

// Installs the service logger for one test and puts the previous default logger back.
class ScopedLogging {
public:
    ScopedLogging() : previous_(spdlog::default_logger()) {}
    ~ScopedLogging() { spdlog::set_default_logger(previous_); }
    ScopedLogging(const ScopedLogging&) = delete;
    ScopedLogging& operator=(const ScopedLogging&) = delete;

private:
    std::shared_ptr<spdlog::logger> previous_;
};

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

TEST(Logging, JsonEscapeEscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(JsonEscape("plain"), "plain");
    EXPECT_EQ(JsonEscape("say \"hi\""), "say \\\"hi\\\"");
    EXPECT_EQ(JsonEscape("C:\\dir"), "C:\\\\dir");
    EXPECT_EQ(JsonEscape("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(JsonEscape(std::string_view("\x01\x1f", 2)), "\\u0001\\u001f");
    EXPECT_EQ(JsonEscape(std::string_view("a\0b", 3)), "a\\u0000b");
    EXPECT_EQ(JsonEscape("档案 / 查询"), "档案 / 查询");  // UTF-8 and '/' pass through
    EXPECT_EQ(JsonEscape(""), "");
}

TEST(Logging, JsonEscapeOutputParsesBackToTheInput) {
    std::string all_ascii;
    for (int c = 0; c < 0x80; ++c) all_ascii += static_cast<char>(c);
    for (const std::string& s : {all_ascii, std::string("档案馆\n\"引号\"\\"), std::string("\x7f end")}) {
        nlohmann::json parsed = nlohmann::json::parse("\"" + JsonEscape(s) + "\"");
        EXPECT_EQ(parsed.get<std::string>(), s);
    }
}

TEST(Logging, RequestIdScopeSetsAndRestores) {
    EXPECT_EQ(CurrentRequestId(), "");
    {
        RequestIdScope outer("req-outer");
        EXPECT_EQ(CurrentRequestId(), "req-outer");
        {
            RequestIdScope inner("req-inner");
            EXPECT_EQ(CurrentRequestId(), "req-inner");
        }
        EXPECT_EQ(CurrentRequestId(), "req-outer");
    }
    EXPECT_EQ(CurrentRequestId(), "");
}

TEST(Logging, RequestIdIsPerThread) {
    RequestIdScope scope("main-thread");
    std::string seen_before;
    std::string seen_inside;
    std::thread other([&] {
        seen_before = CurrentRequestId();
        RequestIdScope own("other-thread");
        seen_inside = CurrentRequestId();
    });
    other.join();
    EXPECT_EQ(seen_before, "");
    EXPECT_EQ(seen_inside, "other-thread");
    EXPECT_EQ(CurrentRequestId(), "main-thread");
}

TEST(Logging, InitLoggingRejectsUnknownLevelAndFormat) {
    ScopedLogging restore;
    Status level = InitLogging("verbose", "plain");
    ASSERT_FALSE(level.ok());
    EXPECT_EQ(level.error().field, "log.level");
    EXPECT_EQ(level.error().code, ErrorCode::kInvalidArgument);

    Status format = InitLogging("info", "xml");
    ASSERT_FALSE(format.ok());
    EXPECT_EQ(format.error().field, "log.format");
}

TEST(Logging, JsonFormatWritesOneObjectPerLineWithRequestId) {
    ScopedLogging restore;
    ASSERT_TRUE(InitLogging("info", "json").ok());
    testing::internal::CaptureStderr();
    spdlog::debug("below the level");
    spdlog::info("outside a request");
    {
        RequestIdScope scope("rid-\"42\"");
        spdlog::warn("quote \" and\nnewline 档案");
    }
    spdlog::default_logger()->flush();
    std::vector<std::string> lines = Lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(lines.size(), 2u);

    nlohmann::json first = nlohmann::json::parse(lines[0]);
    EXPECT_EQ(first["level"], "info");
    EXPECT_EQ(first["msg"], "outside a request");
    EXPECT_FALSE(first.contains("request_id"));
    std::string time = first["time"];
    EXPECT_EQ(time.size(), 29u) << time;  // 2026-11-26T18:30:00.123+08:00
    EXPECT_EQ(time.substr(23), "+08:00") << time;

    nlohmann::json second = nlohmann::json::parse(lines[1]);
    EXPECT_EQ(second["request_id"], "rid-\"42\"");
    EXPECT_EQ(second["msg"], "quote \" and\nnewline 档案");
}

TEST(Logging, PlainFormatShowsLevelRequestIdAndMessage) {
    ScopedLogging restore;
    ASSERT_TRUE(InitLogging("warn", "plain").ok());
    testing::internal::CaptureStderr();
    spdlog::info("below the level");
    {
        RequestIdScope scope("abc123");
        spdlog::error("disk full");
    }
    spdlog::default_logger()->flush();
    std::vector<std::string> lines = Lines(testing::internal::GetCapturedStderr());
    ASSERT_EQ(lines.size(), 1u);
    const std::string& line = lines[0];
    EXPECT_EQ(line.substr(23, 6), "+08:00") << line;
    EXPECT_NE(line.find(" error [abc123] disk full"), std::string::npos) << line;
}

}  // namespace
}  // namespace dangan::core
