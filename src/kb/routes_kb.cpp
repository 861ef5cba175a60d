// The knowledge-base routes (docs/api-kb.md "Knowledge base (staff)", "Public FAQ"). Handlers
// parse, check who may act, call store.hpp / unanswered.hpp and render JSON; the rules live there.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <memory>
#include <nlohmann/json.hpp>

#include "audit/register.hpp"
#include "core/clock.hpp"
#include "http/app.hpp"
#include "identity/accounts.hpp"
#include "kb/index.hpp"
#include "kb/register.hpp"
#include "kb/store.hpp"
#include "kb/unanswered.hpp"

namespace dangan::kb {

namespace {

using nlohmann::json;

struct Module {
    std::shared_ptr<Index> index;
};

http::Response Fail(const Error& e) { return http::Response::FromError(e); }

http::Response Private(http::Response r) {
    r.Header("Cache-Control", "no-store");
    return r;
}

std::int64_t NowMs(http::App& app) { return core::UnixMillis(app.clock->Now()); }

std::string Iso(std::int64_t ms) { return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(ms))); }

json OrNull(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json EntryJson(const Entry& e) {
    const EntryFields& f = e.newest.fields;
    return {{"id", e.id},
            {"status", e.status},
            {"status_label", std::string(StatusLabel(e.status))},
            {"version", e.version},
            {"published_version", e.published_version ? json(*e.published_version) : json(nullptr)},
            {"question", f.question},
            {"similar", f.similar},
            {"answer", f.answer},
            {"phone_answer", OrNull(f.phone_answer)},
            {"category", f.category},
            {"tags", f.tags},
            {"channels", f.channels},
            {"author", e.newest.author},
            {"approver", OrNull(e.newest.approver)},
            {"return_reason", OrNull(e.newest.return_reason)},
            {"updated_at", Iso(e.updated_at_ms)},
            {"published_at", e.published_at_ms ? json(Iso(*e.published_at_ms)) : json(nullptr)}};
}

// The acting staff user's username (the author/approver the workflow compares).
Result<std::string> Actor(http::App& app, const http::Request& request) {
    return identity::UsernameOf(app, request.principal->subject_id);
}

Status Audit(http::App& app, const http::Request& request, std::string action, const std::string& target,
             json detail = json::object()) {
    audit::Entry entry = audit::EntryFor(request, std::move(action));
    entry.target = target;
    if (!detail.empty()) entry.detail_json = detail.dump();
    return audit::Record(app, std::move(entry));
}

// Rebuilds this node's matcher after a change it sees (other nodes follow within 2 s).
void Rebuild(Module& m) {
    if (Status s = m.index->Refresh(); !s) spdlog::warn("kb: rebuilding the matcher failed: {}", s.error().message);
}

Result<json> Body(const http::Request& request) {
    auto body = request.Json();
    if (!body) return body.error();
    if (!body->is_object()) return MakeError(ErrorCode::kInvalidArgument, "请求体须为 JSON 对象", "body", "invalid_body");
    return std::move(*body);
}

Result<int> VersionOf(const json& body) {
    auto it = body.find("version");
    if (it == body.end() || !it->is_number_integer() || it->get<std::int64_t>() < 0 ||
        it->get<std::int64_t>() > 1'000'000'000) {
        return MakeError(ErrorCode::kInvalidArgument, "请提供正在编辑的版本号（version）", "version", "invalid_version");
    }
    return static_cast<int>(it->get<std::int64_t>());
}

int IntParam(const http::Request& request, std::string_view name, int fallback, int lo, int hi) {
    auto v = request.QueryParam(name);
    if (!v || v->empty()) return fallback;
    int n = 0;
    auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || p != v->data() + v->size()) return fallback;
    return std::clamp(n, lo, hi);
}

// Renders a workflow result and audits it.
http::Response Written(http::App& app, const http::Request& request, const char* action, Result<Entry> entry,
                       int status = 200, json detail = json::object()) {
    if (!entry) return Fail(entry.error());
    detail["version"] = entry->version;
    if (Status s = Audit(app, request, action, "kb:" + entry->id, std::move(detail)); !s) return Fail(s.error());
    return Private(http::Response::Json(EntryJson(*entry), status));
}

// --- entries -------------------------------------------------------------------------------

http::Response List(Module&, http::App& app, http::Request& request) {
    ListQuery q;
    q.q = request.QueryParam("q").value_or("");
    q.status = request.QueryParam("status").value_or("");
    q.category = request.QueryParam("category").value_or("");
    q.page = IntParam(request, "page", 1, 1, 100000);
    q.size = IntParam(request, "size", 20, 1, 200);
    auto page = ListEntries(*app.db, q);
    if (!page) return Fail(page.error());
    json items = json::array();
    for (const Entry& e : page->items) items.push_back(EntryJson(e));
    return Private(http::Response::Json({{"items", items}, {"total", page->total}, {"categories", page->categories}}));
}

http::Response One(Module&, http::App& app, http::Request& request) {
    auto entry = GetEntry(*app.db, request.Param("id"));
    if (!entry) return Fail(entry.error());
    auto versions = GetVersions(*app.db, entry->id);
    if (!versions) return Fail(versions.error());
    json view = EntryJson(*entry);
    json list = json::array();
    for (const VersionInfo& v : *versions) {
        list.push_back({{"version", v.version},
                        {"status", v.status},
                        {"status_label", std::string(StatusLabel(v.status))},
                        {"question", v.fields.question},
                        {"answer", v.fields.answer},
                        {"author", v.author},
                        {"approver", OrNull(v.approver)},
                        {"return_reason", OrNull(v.return_reason)},
                        {"created_at", Iso(v.created_at_ms)}});
    }
    view["versions"] = list;
    return Private(http::Response::Json(view));
}

http::Response Create(Module&, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto fields = FieldsFromJson(*body);
    if (!fields) return Fail(fields.error());
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    return Written(app, request, "kb.create", CreateEntry(*app.db, *fields, *actor, NowMs(app)), 201);
}

http::Response Update(Module&, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto version = VersionOf(*body);
    if (!version) return Fail(version.error());
    auto fields = FieldsFromJson(*body);
    if (!fields) return Fail(fields.error());
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    return Written(app, request, "kb.update",
                   UpdateEntry(*app.db, request.Param("id"), *version, *fields, *actor, NowMs(app)));
}

http::Response Submit(Module&, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto version = VersionOf(*body);
    if (!version) return Fail(version.error());
    return Written(app, request, "kb.submit", SubmitEntry(*app.db, request.Param("id"), *version, NowMs(app)));
}

http::Response Approve(Module& m, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto version = VersionOf(*body);
    if (!version) return Fail(version.error());
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    auto entry = ApproveEntry(*app.db, request.Param("id"), *version, *actor, NowMs(app));
    if (entry) Rebuild(m);
    return Written(app, request, "kb.approve", std::move(entry));
}

http::Response Return(Module&, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto version = VersionOf(*body);
    if (!version) return Fail(version.error());
    auto reason = http::TextMember(*body, "reason", 2000);
    if (!reason) return Fail(reason.error());
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    return Written(app, request, "kb.return",
                   ReturnEntry(*app.db, request.Param("id"), *version, *actor, *reason, NowMs(app)), 200,
                   {{"reason", *reason}});
}

http::Response Archive(Module& m, http::App& app, http::Request& request) {
    auto entry = ArchiveEntry(*app.db, request.Param("id"), NowMs(app));
    if (entry) Rebuild(m);
    return Written(app, request, "kb.archive", std::move(entry));
}

// --- lexicon -------------------------------------------------------------------------------

json LexiconJson(const StoredLexicon& l) {
    return {{"synonyms", l.lexicon.synonyms}, {"stop_phrases", l.lexicon.stop_phrases}, {"version", l.version}};
}

http::Response GetLexiconRoute(Module&, http::App& app, http::Request&) {
    auto l = GetLexicon(*app.db);
    if (!l) return Fail(l.error());
    return Private(http::Response::Json(LexiconJson(*l)));
}

http::Response PutLexiconRoute(Module& m, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto version = VersionOf(*body);
    if (!version) return Fail(version.error());
    Lexicon lexicon;
    const json& groups = body->contains("synonyms") ? (*body)["synonyms"] : json::array();
    auto bad_synonyms = [] {
        return MakeError(ErrorCode::kInvalidArgument, "同义词须为词组的列表，每组是若干个词", "synonyms",
                         "invalid_synonyms");
    };
    if (!groups.is_array()) return Fail(bad_synonyms());
    for (const json& g : groups) {
        if (!g.is_array()) return Fail(bad_synonyms());
        std::vector<std::string> terms;
        for (const json& t : g) {
            if (!t.is_string()) return Fail(bad_synonyms());
            terms.push_back(t.get<std::string>());
        }
        lexicon.synonyms.push_back(std::move(terms));
    }
    const json& stops = body->contains("stop_phrases") ? (*body)["stop_phrases"] : json::array();
    if (!stops.is_array()) {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "停用语须为文字的列表", "stop_phrases", "invalid_stop_phrases"));
    }
    for (const json& s : stops) {
        if (!s.is_string()) {
            return Fail(MakeError(ErrorCode::kInvalidArgument, "停用语须为文字的列表", "stop_phrases",
                                  "invalid_stop_phrases"));
        }
        lexicon.stop_phrases.push_back(s.get<std::string>());
    }
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    auto stored = PutLexicon(*app.db, lexicon, *version, *actor, NowMs(app));
    if (!stored) return Fail(stored.error());
    Rebuild(m);
    if (Status s = Audit(app, request, "kb.lexicon", "kb:lexicon",
                         {{"version", stored->version},
                          {"groups", stored->lexicon.synonyms.size()},
                          {"stop_phrases", stored->lexicon.stop_phrases.size()}});
        !s) {
        return Fail(s.error());
    }
    return Private(http::Response::Json(LexiconJson(*stored)));
}

// --- import / export -------------------------------------------------------------------------

http::Response Export(Module&, http::App& app, http::Request& request) {
    auto text = ExportJsonl(*app.db);
    if (!text) return Fail(text.error());
    if (Status s = Audit(app, request, "kb.export", "kb:export"); !s) return Fail(s.error());
    http::Response r = http::Response::Text(std::move(*text), "application/x-ndjson; charset=utf-8");
    r.Header("Content-Disposition", "attachment; filename=\"kb.jsonl\"");
    return Private(std::move(r));
}

http::Response Import(Module&, http::App& app, http::Request& request) {
    std::string type(request.Header("content-type").value_or(""));
    type = type.substr(0, type.find(';'));
    if (type != "application/x-ndjson" && type != "application/jsonl" && type != "application/json" &&
        type != "text/plain") {
        return Fail(MakeError(ErrorCode::kUnsupportedMediaType, "请上传 JSON Lines 文件（application/x-ndjson）", "file",
                              "unsupported_media_type"));
    }
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    auto counts = ImportJsonl(*app.db, request.body, *actor, NowMs(app));
    if (!counts) return Fail(counts.error());
    json out{{"created", counts->created}, {"updated", counts->updated}, {"unchanged", counts->unchanged}};
    if (Status s = Audit(app, request, "kb.import", "kb:import", out); !s) return Fail(s.error());
    return Private(http::Response::Json(out));
}

// --- try, FAQ ------------------------------------------------------------------------------

bool ValidChannel(std::string_view c) {
    return c == "web" || c == "wechat" || c == "kiosk" || c == "phone" || c == "mobile";
}

Error InvalidChannel() {
    return MakeError(ErrorCode::kInvalidArgument, "渠道须为 web、wechat、kiosk、phone 或 mobile", "channel",
                     "invalid_channel");
}

std::string_view VerdictName(Verdict v) {
    return v == Verdict::kAnswer ? "answer" : v == Verdict::kUnsure ? "unsure" : "none";
}

http::Response Try(Module& m, http::App&, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    auto q = http::TextMember(*body, "q", 2000);
    if (!q) return Fail(q.error());
    auto channel = http::TextMember(*body, "channel", 20);
    if (!channel) return Fail(channel.error());
    if (channel->empty()) *channel = "web";
    if (!ValidChannel(*channel)) return Fail(InvalidChannel());
    bool blank = true;
    for (char c : *q) blank = blank && (c == ' ' || c == '\t' || c == '\n' || c == '\r');
    if (blank) return Fail(MakeError(ErrorCode::kInvalidArgument, "请输入要试问的问题", "q", "question_required"));
    auto snap = m.index->Current();
    MatchResult r = snap->Match(*q, *channel, 3);
    json candidates = json::array();
    for (const Candidate& c : r.top) {
        const PublishedEntry* e = snap->Find(c.id);
        candidates.push_back({{"id", c.id}, {"question", e ? e->question : ""}, {"score", c.score}});
    }
    return Private(http::Response::Json(
        {{"normalised", r.normalised}, {"verdict", std::string(VerdictName(r.verdict))}, {"candidates", candidates}}));
}

http::Response Faq(Module& m, http::App&, http::Request& request) {
    std::string channel = request.QueryParam("channel").value_or("web");
    if (channel.empty()) channel = "web";
    if (!ValidChannel(channel)) return Fail(InvalidChannel());
    const std::string category = request.QueryParam("category").value_or("");
    auto snap = m.index->Current();
    json items = json::array();
    std::set<std::string> categories;
    for (const auto& [id, e] : snap->entries) {
        if (!ServesChannel(e, channel)) continue;
        categories.insert(e.category);
        if (!category.empty() && e.category != category) continue;
        items.push_back({{"id", e.id}, {"question", e.question}, {"answer", AnswerFor(e, channel)}, {"category", e.category}});
    }
    http::Response r = http::Response::Json({{"items", items}, {"categories", categories}});
    r.Header("Cache-Control", "no-cache");
    return r;
}

// --- unanswered ----------------------------------------------------------------------------

http::Response Unanswered(Module& m, http::App& app, http::Request& request) {
    const int days = IntParam(request, "days", 30, 1, 365);
    const std::int64_t since = NowMs(app) - std::int64_t{days} * 86'400'000;
    auto items = ListUnanswered(*app.db, since);
    if (!items) return Fail(items.error());
    std::vector<UnansweredGroup> groups = GroupUnanswered(std::move(*items));
    AddSuggestions(groups, *m.index->Current());
    json out = json::array();
    for (const UnansweredGroup& g : groups) {
        json questions = json::array();
        for (const UnansweredItem& q : g.questions) {
            questions.push_back(
                {{"id", q.id}, {"text", q.text}, {"channel", q.channel}, {"reason", q.reason}, {"at", Iso(q.at_ms)}});
        }
        out.push_back({{"id", g.id},
                       {"representative", g.representative},
                       {"count", g.questions.size()},
                       {"channels", g.channels},
                       {"last_at", Iso(g.last_at_ms)},
                       {"questions", questions},
                       {"suggestion", g.suggestion_id ? json{{"id", *g.suggestion_id}, {"question", g.suggestion_question}}
                                                      : json(nullptr)}});
    }
    return Private(http::Response::Json({{"groups", out}}));
}

http::Response Resolve(Module&, http::App& app, http::Request& request) {
    auto body = Body(request);
    if (!body) return Fail(body.error());
    std::vector<std::string> ids;
    auto bad_ids = MakeError(ErrorCode::kInvalidArgument, "请选择要处理的问题（ids）", "ids", "invalid_ids");
    if (!body->contains("ids") || !(*body)["ids"].is_array()) return Fail(bad_ids);
    for (const json& id : (*body)["ids"]) {
        if (!id.is_string() || id.get<std::string>().size() > 64) return Fail(bad_ids);
        ids.push_back(id.get<std::string>());
    }
    std::optional<std::string> entry_id;
    if (body->contains("entry_id") && !(*body)["entry_id"].is_null()) {
        if (!(*body)["entry_id"].is_string()) {
            return Fail(MakeError(ErrorCode::kNotFound, "没有找到这个知识条目", "entry_id", "entry_not_found"));
        }
        entry_id = (*body)["entry_id"].get<std::string>();
    }
    auto actor = Actor(app, request);
    if (!actor) return Fail(actor.error());
    auto n = ResolveUnanswered(*app.db, ids, entry_id, *actor, NowMs(app));
    if (!n) return Fail(n.error());
    if (Status s = Audit(app, request, "kb.unanswered_resolve", entry_id ? "kb:" + *entry_id : "kb:unanswered",
                         {{"resolved", *n}, {"entry_id", OrNull(entry_id)}});
        !s) {
        return Fail(s.error());
    }
    return Private(http::Response::Json({{"resolved", *n}}));
}

}  // namespace

void Register(http::App& app) {
    auto m = std::make_shared<Module>(Module{IndexOf(app)});
    using Handler = http::Response (*)(Module&, http::App&, http::Request&);
    auto route = [&app, m](http::Method method, const char* path, http::Access access, Handler handler) {
        http::App* a = &app;
        app.router.Add(method, path, std::move(access), [a, m, handler](http::Request& r) { return handler(*m, *a, r); });
    };
    using M = http::Method;
    const http::Access read = http::Access::Roles({"kb_editor", "content_approver", "callback_agent", "system_admin"});
    const http::Access write = http::Access::Roles({"kb_editor"});
    const http::Access review = http::Access::Roles({"kb_editor", "content_approver"});
    route(M::kGet, "/api/v1/kb/entries", read, List);
    route(M::kPost, "/api/v1/kb/entries", write, Create);
    route(M::kGet, "/api/v1/kb/entries/:id", read, One);
    route(M::kPut, "/api/v1/kb/entries/:id", write, Update);
    route(M::kPost, "/api/v1/kb/entries/:id/submit", write, Submit);
    route(M::kPost, "/api/v1/kb/entries/:id/approve", review, Approve);
    route(M::kPost, "/api/v1/kb/entries/:id/return", review, Return);
    route(M::kPost, "/api/v1/kb/entries/:id/archive", write, Archive);
    route(M::kGet, "/api/v1/kb/lexicon", read, GetLexiconRoute);
    route(M::kPut, "/api/v1/kb/lexicon", write, PutLexiconRoute);
    route(M::kGet, "/api/v1/kb/export", read, Export);
    route(M::kPost, "/api/v1/kb/import", write, Import);
    app.router.SetBodyLimit(M::kPost, "/api/v1/kb/import", 5 * 1024 * 1024);
    route(M::kPost, "/api/v1/kb/try", read, Try);
    route(M::kGet, "/api/v1/kb/unanswered", read, Unanswered);
    route(M::kPost, "/api/v1/kb/unanswered/resolve", write, Resolve);
    route(M::kGet, "/api/v1/kb/faq", http::Access::Public(), Faq);
}

}  // namespace dangan::kb
