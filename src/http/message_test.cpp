#include "http/message.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dangan::http {
namespace {

Request JsonRequest(std::string body) {
    Request r;
    r.method = Method::kPost;
    r.path = "/api/v1/things";
    r.headers = {{"content-type", "application/json"}};
    r.body = std::move(body);
    return r;
}

std::string Nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string HeaderValue(const Response& r, const std::string& name) {
    for (const auto& [n, v] : r.headers) {
        if (n == name) return v;
    }
    return "<absent>";
}

TEST(Message, MethodNamesRoundTrip) {
    for (Method m : {Method::kGet, Method::kHead, Method::kPost, Method::kPut, Method::kPatch, Method::kDelete,
                     Method::kOptions}) {
        EXPECT_EQ(ParseMethod(MethodName(m)), m) << MethodName(m);
    }
    EXPECT_EQ(MethodName(Method::kDelete), "DELETE");
    EXPECT_EQ(ParseMethod("get"), Method::kOther);  // methods are case-sensitive
    EXPECT_EQ(ParseMethod("TRACE"), Method::kOther);
    EXPECT_EQ(ParseMethod(""), Method::kOther);
}

TEST(Message, HeaderReturnsTheFirstWithThatName) {
    Request r;
    r.headers = {{"x-a", "1"}, {"x-b", "2"}, {"x-a", "3"}};
    ASSERT_TRUE(r.Header("x-a").has_value());
    EXPECT_EQ(*r.Header("x-a"), "1");
    EXPECT_EQ(*r.Header("x-b"), "2");
    EXPECT_FALSE(r.Header("x-c").has_value());
}

TEST(Message, ParamIsEmptyWhenAbsent) {
    Request r;
    r.path_params = {{"id", "42"}};
    EXPECT_EQ(r.Param("id"), "42");
    EXPECT_EQ(r.Param("other"), "");
}

TEST(Message, QueryParamDecodes) {
    Request r;
    r.query = "q=%E6%A1%A3%E6%A1%88+%E6%9F%A5%E8%AF%A2&page=2&flag&empty=&plus=a%2Bb&na%6De=v";
    EXPECT_EQ(r.QueryParam("q"), "档案 查询");
    EXPECT_EQ(r.QueryParam("page"), "2");
    EXPECT_EQ(r.QueryParam("flag"), "");
    EXPECT_EQ(r.QueryParam("empty"), "");
    EXPECT_EQ(r.QueryParam("plus"), "a+b");
    EXPECT_EQ(r.QueryParam("name"), "v");  // the name is decoded too
    EXPECT_EQ(r.QueryParam("missing"), std::nullopt);
    EXPECT_EQ(r.QueryParam("pag"), std::nullopt);  // no prefix matching
}

TEST(Message, QueryParamFirstOccurrenceAndEmptyQuery) {
    Request r;
    r.query = "a=1&a=2&&b=3";
    EXPECT_EQ(r.QueryParam("a"), "1");
    EXPECT_EQ(r.QueryParam("b"), "3");
    r.query = "";
    EXPECT_EQ(r.QueryParam("a"), std::nullopt);
    r.query = "x=a=b";
    EXPECT_EQ(r.QueryParam("x"), "a=b");  // only the first '=' separates
}

TEST(Message, PercentDecode) {
    EXPECT_EQ(PercentDecode("%41%42c", false), "ABc");
    EXPECT_EQ(PercentDecode("%e6%a1%a3", false), "档");  // lower-case hex
    EXPECT_EQ(PercentDecode("a+b", false), "a+b");
    EXPECT_EQ(PercentDecode("a+b", true), "a b");
    EXPECT_EQ(PercentDecode("%2B", true), "+");
    EXPECT_EQ(PercentDecode("100%", false), "100%");  // invalid escapes are kept
    EXPECT_EQ(PercentDecode("%4", false), "%4");
    EXPECT_EQ(PercentDecode("%zz%4g", false), "%zz%4g");
    EXPECT_EQ(PercentDecode("%%41", false), "%A");
    EXPECT_EQ(PercentDecode("%00", false), std::string(1, '\0'));
    EXPECT_EQ(PercentDecode("", true), "");
}

TEST(Message, JsonNestingDepth) {
    EXPECT_EQ(JsonNestingDepth("1"), 0);
    EXPECT_EQ(JsonNestingDepth("\"text\""), 0);
    EXPECT_EQ(JsonNestingDepth("{}"), 1);
    EXPECT_EQ(JsonNestingDepth("[[[]]]"), 3);
    EXPECT_EQ(JsonNestingDepth("[[],[[]],{}]"), 3);
    EXPECT_EQ(JsonNestingDepth(R"({"a":{"b":[1,2,{"c":null}]}})"), 4);
    EXPECT_EQ(JsonNestingDepth(R"({"a":"[[[[{{{{"})"), 1);           // brackets in strings do not count
    EXPECT_EQ(JsonNestingDepth(R"({"a\"[[[":"\\","b":[[1]]})"), 3);  // nor after escaped quotes
}

TEST(Message, JsonParsesAValidBody) {
    Request r = JsonRequest(R"({"name":"张三","ids":[1,2]})");
    Result<nlohmann::json> json = r.Json();
    ASSERT_TRUE(json.ok()) << json.error().message;
    EXPECT_EQ((*json)["name"], "张三");
    EXPECT_EQ((*json)["ids"].size(), 2u);
}

TEST(Message, JsonAcceptsContentTypeWithCharset) {
    Request r = JsonRequest("[1]");
    r.headers = {{"content-type", "application/json; charset=utf-8"}};
    EXPECT_TRUE(r.Json().ok());
}

TEST(Message, JsonWithoutJsonContentTypeIsRejected) {
    for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
        Request r = JsonRequest("{}");
        r.headers = {{"content-type", type}};
        Result<nlohmann::json> json = r.Json();
        ASSERT_FALSE(json.ok()) << type;
        EXPECT_EQ(json.error().reason, "unsupported_media_type");
        EXPECT_EQ(json.error().code, ErrorCode::kUnsupportedMediaType);  // 415
        EXPECT_EQ(json.error().field, "content-type");
        EXPECT_FALSE(json.error().message.empty());
    }
    Request none = JsonRequest("{}");
    none.headers.clear();
    Result<nlohmann::json> json = none.Json();
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().reason, "unsupported_media_type");
}

TEST(Message, JsonEmptyOrMalformedBodyIs400) {
    for (const char* body : {"", "{", "{\"a\":}", "[1,]", "nul", "{} {}", "{'a':1}"}) {
        Result<nlohmann::json> json = JsonRequest(body).Json();
        ASSERT_FALSE(json.ok()) << body;
        EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument) << body;
        EXPECT_EQ(StatusFor(json.error().code), 400) << body;
        EXPECT_EQ(json.error().reason, "malformed_json") << body;
        EXPECT_EQ(json.error().field, "body") << body;
    }
}

TEST(Message, JsonInvalidUtf8Is400NotAnException) {
    Result<nlohmann::json> json = JsonRequest("{\"a\":\"\xff\xfe\"}").Json();
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().reason, "malformed_json");
}

TEST(Message, JsonBodyOverTheLimitIs413) {
    Request r = JsonRequest("[\"" + std::string(2000, 'x') + "\"]");
    r.max_body_bytes = 1024;
    Result<nlohmann::json> json = r.Json();
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().code, ErrorCode::kPayloadTooLarge);
    EXPECT_EQ(StatusFor(json.error().code), 413);
    EXPECT_EQ(json.error().reason, "payload_too_large");

    r.max_body_bytes = r.body.size();  // exactly at the limit is fine
    EXPECT_TRUE(r.Json().ok());
    r.max_body_bytes = 0;  // no limit
    EXPECT_TRUE(r.Json().ok());
}

TEST(Message, JsonDeeperThanTheLimitIsRejected) {
    Request r = JsonRequest(Nested(5));
    r.max_json_depth = 5;
    EXPECT_TRUE(r.Json().ok());
    r.max_json_depth = 4;
    Result<nlohmann::json> json = r.Json();
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(json.error().reason, "json_too_deep");
    EXPECT_EQ(json.error().field, "body");
}

TEST(Message, JsonVeryDeepBodyIsRejectedWithoutParsing) {
    Request r = JsonRequest(Nested(100000));  // would exhaust the stack of a recursive parser
    Result<nlohmann::json> json = r.Json();
    ASSERT_FALSE(json.ok());
    EXPECT_EQ(json.error().reason, "json_too_deep");
}

TEST(Message, StatusForEveryErrorCode) {
    EXPECT_EQ(StatusFor(ErrorCode::kInvalidArgument), 400);
    EXPECT_EQ(StatusFor(ErrorCode::kUnauthenticated), 401);
    EXPECT_EQ(StatusFor(ErrorCode::kForbidden), 403);
    EXPECT_EQ(StatusFor(ErrorCode::kNotFound), 404);
    EXPECT_EQ(StatusFor(ErrorCode::kMethodNotAllowed), 405);
    EXPECT_EQ(StatusFor(ErrorCode::kConflict), 409);
    EXPECT_EQ(StatusFor(ErrorCode::kPayloadTooLarge), 413);
    EXPECT_EQ(StatusFor(ErrorCode::kUnprocessable), 422);
    EXPECT_EQ(StatusFor(ErrorCode::kTooManyRequests), 429);
    EXPECT_EQ(StatusFor(ErrorCode::kInternal), 500);
    EXPECT_EQ(StatusFor(ErrorCode::kUnavailable), 503);
}

TEST(Message, CodeNamesAreDistinctSnakeCase) {
    std::vector<ErrorCode> codes{ErrorCode::kInvalidArgument, ErrorCode::kUnprocessable,   ErrorCode::kUnauthenticated,
                                 ErrorCode::kForbidden,       ErrorCode::kNotFound,        ErrorCode::kMethodNotAllowed,
                                 ErrorCode::kConflict,        ErrorCode::kPayloadTooLarge, ErrorCode::kTooManyRequests,
                                 ErrorCode::kUnavailable,     ErrorCode::kInternal};
    std::vector<std::string_view> names;
    for (ErrorCode c : codes) {
        std::string_view name = CodeName(c);
        EXPECT_FALSE(name.empty());
        for (char ch : name) EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '_') << name;
        for (auto seen : names) EXPECT_NE(seen, name);
        names.push_back(name);
    }
    EXPECT_EQ(CodeName(ErrorCode::kNotFound), "not_found");
}

TEST(Message, FromErrorBodyHasCodeMessageAndField) {
    Response r = Response::FromError(
        MakeError(ErrorCode::kUnprocessable, "身份证号码校验位不正确", "id_number", "invalid_id_number"));
    EXPECT_EQ(r.status, 422);
    EXPECT_EQ(HeaderValue(r, "Content-Type"), "application/json; charset=utf-8");
    nlohmann::json body = nlohmann::json::parse(r.body);
    ASSERT_TRUE(body.contains("error"));
    EXPECT_EQ(body.size(), 1u);
    EXPECT_EQ(body["error"]["code"], "invalid_id_number");
    EXPECT_EQ(body["error"]["message"], "身份证号码校验位不正确");
    EXPECT_EQ(body["error"]["field"], "id_number");
}

TEST(Message, FromErrorCodeDefaultsToTheCodeName) {
    Response r = Response::FromError(MakeError(ErrorCode::kTooManyRequests, "请求过于频繁"));
    EXPECT_EQ(r.status, 429);
    nlohmann::json body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["error"]["code"], "too_many_requests");
    EXPECT_EQ(body["error"]["message"], "请求过于频繁");
}

TEST(Message, ResponseJsonAndText) {
    Response json = Response::Json({{"ok", true}}, 201);
    EXPECT_EQ(json.status, 201);
    EXPECT_EQ(nlohmann::json::parse(json.body), (nlohmann::json{{"ok", true}}));
    EXPECT_EQ(HeaderValue(json, "Content-Type"), "application/json; charset=utf-8");

    Response text = Response::Text("hello", "text/plain; charset=utf-8", 503);
    EXPECT_EQ(text.status, 503);
    EXPECT_EQ(text.body, "hello");
    EXPECT_EQ(HeaderValue(text, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_TRUE(text.file_path.empty());
}

TEST(Message, ResponseJsonReplacesInvalidUtf8InsteadOfThrowing) {
    Response r;
    EXPECT_NO_THROW(r = Response::Json({{"name", std::string("a\xff")}}));
    EXPECT_TRUE(nlohmann::json::accept(r.body)) << r.body;
}

TEST(Message, ReasonPhrase) {
    EXPECT_EQ(ReasonPhrase(200), "OK");
    EXPECT_EQ(ReasonPhrase(404), "Not Found");
    EXPECT_EQ(ReasonPhrase(413), "Payload Too Large");
    EXPECT_EQ(ReasonPhrase(599), "");
    for (ErrorCode c :
         {ErrorCode::kInvalidArgument, ErrorCode::kUnprocessable, ErrorCode::kUnauthenticated, ErrorCode::kForbidden,
          ErrorCode::kNotFound, ErrorCode::kMethodNotAllowed, ErrorCode::kConflict, ErrorCode::kPayloadTooLarge,
          ErrorCode::kTooManyRequests, ErrorCode::kUnavailable, ErrorCode::kInternal}) {
        EXPECT_NE(ReasonPhrase(StatusFor(c)), "") << StatusFor(c);  // every mapped status has a phrase
    }
}

}  // namespace
}  // namespace dangan::http
