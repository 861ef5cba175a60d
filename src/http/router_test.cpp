#include "http/router.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace dangan::http {
namespace {

// A handler that answers with its own name, so tests can tell which route ran.
Handler Named(std::string name) {
    return [name](Request&) { return Response::Text(name, "text/plain"); };
}

std::string Answer(const RouteMatch& match) {
    if (match.route == nullptr) return "<none>";
    Request request;
    return match.route->handler(request).body;
}

TEST(Router, MatchesLiteralPath) {
    Router router;
    router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("info"));
    router.Add(Method::kGet, "/api/v1/persons", Access::Public(), Named("persons"));
    EXPECT_EQ(Answer(router.Find(Method::kGet, "/api/v1/info")), "info");
    EXPECT_EQ(Answer(router.Find(Method::kGet, "/api/v1/persons")), "persons");
    RouteMatch none = router.Find(Method::kGet, "/api/v1/nothing");
    EXPECT_EQ(none.route, nullptr);
    EXPECT_TRUE(none.allowed.empty());
}

TEST(Router, RootPattern) {
    Router router;
    router.Add(Method::kGet, "/", Access::Public(), Named("root"));
    EXPECT_EQ(Answer(router.Find(Method::kGet, "/")), "root");
    EXPECT_EQ(router.Find(Method::kGet, "/x").route, nullptr);
}

TEST(Router, CapturesParameters) {
    Router router;
    router.Add(Method::kGet, "/api/v1/persons/:id/files/:file_id", Access::Public(), Named("file"));
    RouteMatch match = router.Find(Method::kGet, "/api/v1/persons/p-1/files/f-2");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.params.size(), 2u);
    EXPECT_EQ(match.params["id"], "p-1");
    EXPECT_EQ(match.params["file_id"], "f-2");
}

TEST(Router, ParametersArePercentDecodedButPlusIsKept) {
    Router router;
    router.Add(Method::kGet, "/api/v1/search/:q", Access::Public(), Named("search"));
    RouteMatch match = router.Find(Method::kGet, "/api/v1/search/%E6%A1%A3%E6%A1%88%2Fa+b");
    ASSERT_NE(match.route, nullptr);
    EXPECT_EQ(match.params["q"], "档案/a+b");
}

TEST(Router, EncodedSlashDoesNotSplitASegment) {
    Router router;
    router.Add(Method::kGet, "/a/:x", Access::Public(), Named("one"));
    router.Add(Method::kGet, "/a/:x/:y", Access::Public(), Named("two"));
    RouteMatch match = router.Find(Method::kGet, "/a/b%2Fc");
    EXPECT_EQ(Answer(match), "one");
    EXPECT_EQ(match.params["x"], "b/c");
}

TEST(Router, EmptySegmentDoesNotMatchAParameter) {
    Router router;
    router.Add(Method::kGet, "/api/v1/persons/:id", Access::Public(), Named("person"));
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1/persons/").route, nullptr);
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1/persons").route, nullptr);
}

TEST(Router, NoTrailingSlashFolding) {
    Router router;
    router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("info"));
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1/info/").route, nullptr);
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1//info").route, nullptr);
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1/info/x").route, nullptr);
    EXPECT_EQ(router.Find(Method::kGet, "/api/v1").route, nullptr);
}

TEST(Router, PathWithoutLeadingSlashMatchesNothing) {
    Router router;
    router.Add(Method::kGet, "/info", Access::Public(), Named("info"));
    EXPECT_EQ(router.Find(Method::kGet, "info").route, nullptr);
    EXPECT_EQ(router.Find(Method::kGet, "").route, nullptr);
}

TEST(Router, ParametersOfFailedCandidatesAreNotLeftBehind) {
    Router router;
    router.Add(Method::kGet, "/a/:x/b", Access::Public(), Named("b"));
    router.Add(Method::kGet, "/a/:y/c", Access::Public(), Named("c"));
    RouteMatch match = router.Find(Method::kGet, "/a/1/c");
    EXPECT_EQ(Answer(match), "c");
    EXPECT_EQ(match.params.count("x"), 0u);
    EXPECT_EQ(match.params["y"], "1");
}

TEST(Router, MethodMismatchListsAllowedMethods) {
    Router router;
    router.Add(Method::kPost, "/api/v1/persons/:id", Access::Public(), Named("post"));
    router.Add(Method::kDelete, "/api/v1/persons/:id", Access::Public(), Named("delete"));
    router.Add(Method::kPatch, "/api/v1/persons/:id/name", Access::Public(), Named("other path"));
    RouteMatch match = router.Find(Method::kGet, "/api/v1/persons/7");
    EXPECT_EQ(match.route, nullptr);
    EXPECT_EQ(match.allowed, (std::vector<Method>{Method::kPost, Method::kDelete}));
    EXPECT_TRUE(match.params.empty());
}

TEST(Router, AllowedIsEmptyWhenTheMethodMatches) {
    Router router;
    router.Add(Method::kPost, "/api/v1/things", Access::Public(), Named("post"));
    router.Add(Method::kGet, "/api/v1/things", Access::Public(), Named("get"));
    RouteMatch match = router.Find(Method::kGet, "/api/v1/things");
    EXPECT_EQ(Answer(match), "get");
    EXPECT_TRUE(match.allowed.empty());
}

TEST(Router, AllowedListHasNoDuplicates) {
    Router router;
    router.Add(Method::kPost, "/a/:x", Access::Public(), Named("1"));
    router.Add(Method::kPost, "/a/b", Access::Public(), Named("2"));
    RouteMatch match = router.Find(Method::kGet, "/a/b");
    EXPECT_EQ(match.allowed, std::vector<Method>{Method::kPost});
}

TEST(Router, HeadMatchesGet) {
    Router router;
    router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("info"));
    router.Add(Method::kPost, "/api/v1/things", Access::Public(), Named("post"));
    RouteMatch head = router.Find(Method::kHead, "/api/v1/info");
    ASSERT_NE(head.route, nullptr);
    EXPECT_EQ(head.route->method, Method::kGet);

    RouteMatch head_on_post = router.Find(Method::kHead, "/api/v1/things");
    EXPECT_EQ(head_on_post.route, nullptr);
    EXPECT_EQ(head_on_post.allowed, std::vector<Method>{Method::kPost});
}

TEST(Router, LiteralRouteBeatsParameterWhateverTheOrder) {
    for (bool literal_first : {true, false}) {
        Router router;
        if (literal_first) router.Add(Method::kGet, "/api/v1/persons/search", Access::Public(), Named("search"));
        router.Add(Method::kGet, "/api/v1/persons/:id", Access::Public(), Named("person"));
        if (!literal_first) router.Add(Method::kGet, "/api/v1/persons/search", Access::Public(), Named("search"));
        EXPECT_EQ(Answer(router.Find(Method::kGet, "/api/v1/persons/search")), "search");
        EXPECT_EQ(Answer(router.Find(Method::kGet, "/api/v1/persons/42")), "person");
    }
}

TEST(Router, DuplicateRouteThrows) {
    Router router;
    router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("info"));
    EXPECT_THROW(router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("again")), std::logic_error);
    EXPECT_NO_THROW(
        router.Add(Method::kPost, "/api/v1/info", Access::Public(), Named("post")));  // other method is fine
    EXPECT_EQ(router.routes().size(), 2u);
}

TEST(Router, PatternMustStartWithSlash) {
    Router router;
    EXPECT_THROW(router.Add(Method::kGet, "api/v1/info", Access::Public(), Named("x")), std::logic_error);
    EXPECT_THROW(router.Add(Method::kGet, "", Access::Public(), Named("x")), std::logic_error);
    EXPECT_TRUE(router.routes().empty());
}

TEST(Router, RoutesKeepIdsSegmentsAndLabels) {
    Router router;
    router.Add(Method::kGet, "/api/v1/info", Access::Public(), Named("info"));
    router.Add(Method::kPut, "/api/v1/persons/:id", Access::Public(), Named("put"));
    ASSERT_EQ(router.routes().size(), 2u);
    const Route& put = router.routes()[1];
    EXPECT_EQ(put.id, 1u);
    EXPECT_EQ(put.Label(), "PUT /api/v1/persons/:id");
    EXPECT_EQ(put.segments, (std::vector<std::string>{"api", "v1", "persons", ":id"}));
    EXPECT_EQ(router.routes()[0].Label(), "GET /api/v1/info");
    EXPECT_EQ(router.Find(Method::kPut, "/api/v1/persons/1").route, &put);
}

}  // namespace
}  // namespace dangan::http
