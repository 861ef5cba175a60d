#include "audit/register.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/group_commit_log.hpp"
#include "audit/query.hpp"
#include "audit/verify.hpp"
#include "core/clock.hpp"
#include "http/app.hpp"

namespace dangan::audit {
namespace {

std::string AtIso(std::int64_t at_ms) { return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(at_ms))); }

nlohmann::json ItemJson(const ListedRow& listed) {
    const StoredRow& r = listed.row;
    const Entry& e = r.entry;
    return {{"seq", r.seq},
            {"at", AtIso(r.at_ms)},
            {"actor_kind", e.actor_kind},
            {"actor_id", e.actor_id},
            {"actor_name", listed.actor_name},
            {"action", e.action},
            {"subject_person_id", e.subject_person_id},
            {"target", e.target},
            {"purpose", e.purpose},
            {"channel", e.channel},
            {"address", e.address},
            {"request_id", e.request_id}};
}

nlohmann::json FiltersJson(const ListQuery& q) {
    nlohmann::json f = nlohmann::json::object();
    if (!q.person_id.empty()) f["person_id"] = q.person_id;
    if (!q.actor_id.empty()) f["actor_id"] = q.actor_id;
    if (!q.action.empty()) f["action"] = q.action;
    if (q.from_ms) f["from_ms"] = *q.from_ms;
    if (q.to_ms) f["to_ms"] = *q.to_ms;
    if (q.before_seq) f["cursor"] = *q.before_seq;
    f["limit"] = q.limit;
    return f;
}

http::Response ListHandler(http::App& app, http::Request& request) {
    auto query = ParseListQuery([&](std::string_view name) { return request.QueryParam(name); });
    if (!query) return http::Response::FromError(query.error());
    auto page = List(*app.db, *query);
    if (!page) return http::Response::FromError(page.error());
    Entry entry = EntryFor(request, "audit.read");
    entry.subject_person_id = query->person_id;
    entry.detail_json = FiltersJson(*query).dump();
    if (auto s = app.audit->Record(std::move(entry)); !s) return http::Response::FromError(s.error());
    nlohmann::json items = nlohmann::json::array();
    for (const ListedRow& listed : page->items) items.push_back(ItemJson(listed));
    return http::Response::Json(
        {{"items", std::move(items)},
         {"next_cursor", page->next_cursor ? nlohmann::json(std::to_string(*page->next_cursor)) : nlohmann::json()}});
}

http::Response VerifyHandler(http::App& app, http::Request& request) {
    auto result = Verify(*app.db);
    if (!result) return http::Response::FromError(result.error());
    Entry entry = EntryFor(request, "audit.verify");
    entry.detail_json = nlohmann::json{{"ok", result->ok}, {"rows", result->rows}}.dump();
    if (auto s = app.audit->Record(std::move(entry)); !s) return http::Response::FromError(s.error());
    nlohmann::json body = {{"ok", result->ok}, {"rows", result->rows}};
    if (!result->ok) {
        body["first_broken_seq"] = result->first_broken_seq;
        body["reason"] = result->reason;
        body["message"] = result->message;
    }
    return http::Response::Json(body);
}

}  // namespace

Status Record(http::App& app, Entry entry) {
    if (!app.audit) {
        spdlog::error("audit entry {} lost: no audit log", entry.action);
        return MakeError(ErrorCode::kUnavailable, "审计服务暂不可用，请稍后再试", "", "audit_unavailable");
    }
    return app.audit->Record(std::move(entry));
}

void Start(http::App& app) {
    if (app.audit) return;
    GroupCommitOptions options;
    options.batch_max = app.config.audit.batch_max;
    options.batch_wait = std::chrono::milliseconds(app.config.audit.batch_wait_ms);
    app.audit = std::make_shared<GroupCommitLog>(*app.db, *app.clock, options);
}

void Register(http::App& app) {
    Start(app);
    const auto auditor = http::Access::Roles({"auditor"});
    app.router.Add(http::Method::kGet, "/api/v1/audit", auditor,
                   [&app](http::Request& request) { return ListHandler(app, request); });
    app.router.Add(http::Method::kGet, "/api/v1/audit/verify", auditor,
                   [&app](http::Request& request) { return VerifyHandler(app, request); });
}

}  // namespace dangan::audit
