// The knowledge base in the database (store.hpp): entries, versions, workflow and import/export
// (the lexicon: lexicon_store.cpp). Every write runs in one transaction; conflicts between nodes are caught by
// conditional UPDATEs on the expected version, never by an in-process lock.

#include "kb/store.hpp"

#include "kb/store_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/text.hpp"

namespace dangan::kb {

namespace store_detail {

using nlohmann::json;

Error Invalid(std::string reason, std::string field, std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field), std::move(reason));
}

Error VersionConflict() {
    return MakeError(ErrorCode::kConflict, "该条目已被他人修改，请刷新后再操作", "version", "version_conflict");
}

// Trims ASCII white space and the ideographic space at both ends.
std::string Trim(std::string_view s) {
    auto starts = [&](std::string_view p) { return s.substr(0, p.size()) == p; };
    auto ends = [&](std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; };
    for (bool changed = true; changed;) {
        changed = false;
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
            s.remove_prefix(1), changed = true;
        }
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
            s.remove_suffix(1), changed = true;
        }
        if (starts("\u3000")) s.remove_prefix(3), changed = true;
        if (ends("\u3000")) s.remove_suffix(3), changed = true;
    }
    return std::string(s);
}

std::size_t Chars(const std::string& s) { return core::CountCharacters(s); }

std::string ToJsonArray(const std::vector<std::string>& v) { return json(v).dump(); }

std::vector<std::string> FromJsonArray(const std::string& text) {
    std::vector<std::string> out;
    json j = json::parse(text, nullptr, false);
    if (!j.is_array()) return out;
    for (const json& x : j) {
        if (x.is_string()) out.push_back(x.get<std::string>());
    }
    return out;
}

Status BumpState(db::Connection& conn) {
    auto rs = conn.Query("UPDATE kb_state SET version = version + 1 WHERE id = 1");
    if (!rs) return rs.error();
    if (rs->affected == 0) {
        auto ins = conn.Query("INSERT INTO kb_state (id, version) VALUES (1, 1)");
        if (!ins) return ins.error();
    }
    return {};
}

}  // namespace store_detail

using namespace store_detail;

namespace {

using nlohmann::json;

Error NotFound() { return MakeError(ErrorCode::kNotFound, "没有找到这个知识条目", "id", "entry_not_found"); }

Error InvalidState(std::string message) {
    return MakeError(ErrorCode::kConflict, std::move(message), "status", "invalid_state");
}

// A list of strings from a JSON member: absent/null → empty; anything but an array of strings → error.
Result<std::vector<std::string>> StringList(const json& body, const char* name, const std::string& reason,
                                            const std::string& message) {
    std::vector<std::string> out;
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return out;
    if (!it->is_array()) return Invalid(reason, name, message);
    for (const json& x : *it) {
        if (!x.is_string()) return Invalid(reason, name, message);
        out.push_back(x.get<std::string>());
    }
    return out;
}

Result<std::string> StringMember(const json& body, const char* name, const std::string& reason,
                                 const std::string& message, bool* present = nullptr) {
    auto it = body.find(name);
    if (present) *present = it != body.end() && !it->is_null();
    if (it == body.end() || it->is_null()) return std::string();
    if (!it->is_string()) return Invalid(reason, name, message);
    return it->get<std::string>();
}

const char* kQuestionMsg = "问题须为 2–100 个字";
const char* kSimilarMsg = "相似问法最多 30 条，每条不超过 100 个字";
const char* kAnswerMsg = "答案须为 2–2000 个字";
const char* kPhoneMsg = "电话答案不能超过 300 个字";
const char* kCategoryMsg = "分类须为 1–20 个字";
const char* kTagsMsg = "标签最多 10 个，每个不超过 20 个字";
const char* kChannelsMsg = "渠道须从 web、wechat、kiosk、phone 中至少选择一个";

// Removes empty and repeated strings (after trimming), keeping the first occurrence.
std::vector<std::string> CleanList(const std::vector<std::string>& in) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const std::string& raw : in) {
        std::string s = Trim(raw);
        if (s.empty() || !seen.insert(s).second) continue;
        out.push_back(std::move(s));
    }
    return out;
}

constexpr const char* kEntryColumns =
    "e.id, e.status, e.version, e.published_version, e.updated_at_ms, e.published_at_ms, "
    "v.version, v.status, v.question, v.similar_json, v.answer, v.phone_answer, v.category, v.tags_json, "
    "v.channels_json, v.author, v.approver, v.return_reason, v.created_at_ms";

VersionInfo VersionFromRow(const db::Row& r, std::size_t at) {
    VersionInfo v;
    v.version = static_cast<int>(r.Int(at));
    v.status = r.Text(at + 1);
    v.fields.question = r.Text(at + 2);
    v.fields.similar = FromJsonArray(r.Text(at + 3));
    v.fields.answer = r.Text(at + 4);
    v.fields.phone_answer = r.OptText(at + 5);
    v.fields.category = r.Text(at + 6);
    v.fields.tags = FromJsonArray(r.Text(at + 7));
    v.fields.channels = FromJsonArray(r.Text(at + 8));
    v.author = r.Text(at + 9);
    v.approver = r.OptText(at + 10);
    v.return_reason = r.OptText(at + 11);
    v.created_at_ms = r.Int(at + 12);
    return v;
}

Entry EntryFromRow(const db::Row& r) {
    Entry e;
    e.id = r.Text(0);
    e.status = r.Text(1);
    e.version = static_cast<int>(r.Int(2));
    if (auto p = r.OptInt(3)) e.published_version = static_cast<int>(*p);
    e.updated_at_ms = r.Int(4);
    e.published_at_ms = r.OptInt(5);
    e.newest = VersionFromRow(r, 6);
    return e;
}

Result<std::vector<Entry>> LoadEntries(db::Connection* conn, db::Database* database, const std::string& where,
                                       const db::Params& params) {
    const std::string sql = fmt::format(
        "SELECT {} FROM kb_entries e JOIN kb_entry_versions v ON v.entry_id = e.id AND v.version = e.version {} "
        "ORDER BY e.id",
        kEntryColumns, where);
    auto rs = conn ? conn->Query(sql, params) : database->Query(sql, params);
    if (!rs) return rs.error();
    std::vector<Entry> out;
    for (const db::Row& r : rs->rows) out.push_back(EntryFromRow(r));
    return out;
}

Result<std::optional<Entry>> LoadEntry(db::Connection& conn, const std::string& id) {
    auto rows = LoadEntries(&conn, nullptr, "WHERE e.id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return std::optional<Entry>();
    return std::optional<Entry>(std::move(rows->front()));
}

Status InsertVersion(db::Connection& conn, const std::string& id, int version, const std::string& status,
                     const EntryFields& f, const std::string& author, const std::optional<std::string>& approver,
                     std::int64_t now_ms) {
    db::Value phone = f.phone_answer ? db::Value(*f.phone_answer) : db::Value(nullptr);
    db::Value appr = approver ? db::Value(*approver) : db::Value(nullptr);
    db::Value reviewed = approver ? db::Value(now_ms) : db::Value(nullptr);
    auto rs = conn.Query(
        "INSERT INTO kb_entry_versions (entry_id, version, status, question, similar_json, answer, phone_answer, "
        "category, tags_json, channels_json, author, approver, return_reason, created_at_ms, reviewed_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        {id, std::int64_t{version}, status, f.question, ToJsonArray(f.similar), f.answer, phone, f.category,
         ToJsonArray(f.tags), ToJsonArray(f.channels), author, appr, now_ms, reviewed});
    if (!rs) return rs.error();
    return {};
}

// Retires the newest version when it is an unpublished draft or review (a newer draft replaces it).
Status SupersedeUnpublished(db::Connection& conn, const std::string& id, int version) {
    auto rs = conn.Query(
        "UPDATE kb_entry_versions SET status = 'superseded' WHERE entry_id = ? AND version = ? "
        "AND status IN ('draft', 'review')",
        {id, std::int64_t{version}});
    if (!rs) return rs.error();
    return {};
}

// Publishes `version` of `id` (already a row), retiring the previously published one.
Status PublishVersion(db::Connection& conn, const std::string& id, int version, std::int64_t now_ms) {
    auto old = conn.Query(
        "UPDATE kb_entry_versions SET status = 'superseded' WHERE entry_id = ? AND status = 'published' "
        "AND version <> ?",
        {id, std::int64_t{version}});
    if (!old) return old.error();
    auto e = conn.Query(
        "UPDATE kb_entries SET status = 'published', published_version = ?, published_at_ms = ?, updated_at_ms = ? "
        "WHERE id = ? AND version = ?",
        {std::int64_t{version}, now_ms, now_ms, id, std::int64_t{version}});
    if (!e) return e.error();
    if (e->affected != 1) return VersionConflict();
    return BumpState(conn);
}

bool SameFields(const EntryFields& a, const EntryFields& b) {
    return a.question == b.question && a.similar == b.similar && a.answer == b.answer &&
           a.phone_answer == b.phone_answer && a.category == b.category && a.tags == b.tags &&
           a.channels == b.channels;
}

int NumberOf(const std::string& id) {
    if (id.rfind("kb-", 0) != 0 || id.size() < 4 || id.size() > 12) return -1;
    int n = 0;
    auto [p, ec] = std::from_chars(id.data() + 3, id.data() + id.size(), n);
    if (ec != std::errc() || p != id.data() + id.size()) return -1;
    return n;
}

std::string IdOf(int n) { return fmt::format("kb-{:03d}", n); }

bool ValidId(const std::string& id) {
    if (id.empty() || id.size() > 40) return false;
    return std::all_of(id.begin(), id.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

// Runs `fn`, then re-reads the entry (outside the transaction).
template <typename Fn>
Result<Entry> WriteThenRead(db::Database& db, const std::string& id, Fn&& fn) {
    if (Status s = db.Transaction(std::forward<Fn>(fn)); !s) return s.error();
    return GetEntry(db, id);
}

}  // namespace

const std::vector<std::string>& Channels() {
    static const std::vector<std::string> kChannels{"web", "wechat", "kiosk", "phone"};
    return kChannels;
}

std::string_view StatusLabel(std::string_view status) {
    if (status == "draft") return "草稿";
    if (status == "review") return "待审核";
    if (status == "published") return "已发布";
    if (status == "archived") return "已下线";
    if (status == "superseded") return "已替换";
    return "";
}

bool IsEntryStatus(std::string_view status) {
    return status == "draft" || status == "review" || status == "published" || status == "archived";
}

Result<EntryFields> ValidateFields(EntryFields f) {
    f.question = Trim(f.question);
    if (Chars(f.question) < 2 || Chars(f.question) > 100) return Invalid("invalid_question", "question", kQuestionMsg);
    f.similar = CleanList(f.similar);
    std::erase(f.similar, f.question);
    if (f.similar.size() > 30) return Invalid("invalid_similar", "similar", kSimilarMsg);
    for (const std::string& s : f.similar) {
        if (Chars(s) > 100) return Invalid("invalid_similar", "similar", kSimilarMsg);
    }
    f.answer = Trim(f.answer);
    if (Chars(f.answer) < 2 || Chars(f.answer) > 2000) return Invalid("invalid_answer", "answer", kAnswerMsg);
    if (f.phone_answer) {
        *f.phone_answer = Trim(*f.phone_answer);
        if (f.phone_answer->empty()) {
            f.phone_answer.reset();
        } else if (Chars(*f.phone_answer) > 300) {
            return Invalid("invalid_phone_answer", "phone_answer", kPhoneMsg);
        }
    }
    f.category = Trim(f.category);
    if (Chars(f.category) < 1 || Chars(f.category) > 20) return Invalid("invalid_category", "category", kCategoryMsg);
    f.tags = CleanList(f.tags);
    if (f.tags.size() > 10) return Invalid("invalid_tags", "tags", kTagsMsg);
    for (const std::string& t : f.tags) {
        if (Chars(t) > 20) return Invalid("invalid_tags", "tags", kTagsMsg);
    }
    std::vector<std::string> channels = CleanList(f.channels);
    if (channels.empty()) return Invalid("invalid_channels", "channels", kChannelsMsg);
    for (const std::string& c : channels) {
        if (std::find(Channels().begin(), Channels().end(), c) == Channels().end()) {
            return Invalid("invalid_channels", "channels", kChannelsMsg);
        }
    }
    f.channels.clear();
    for (const std::string& c : Channels()) {
        if (std::find(channels.begin(), channels.end(), c) != channels.end()) f.channels.push_back(c);
    }
    return f;
}

Result<EntryFields> FieldsFromJson(const json& body) {
    if (!body.is_object()) return Invalid("invalid_body", "body", "请求体须为 JSON 对象");
    EntryFields f;
    auto question = StringMember(body, "question", "invalid_question", kQuestionMsg);
    if (!question) return question.error();
    f.question = *question;
    auto similar = StringList(body, "similar", "invalid_similar", kSimilarMsg);
    if (!similar) return similar.error();
    f.similar = *similar;
    auto answer = StringMember(body, "answer", "invalid_answer", kAnswerMsg);
    if (!answer) return answer.error();
    f.answer = *answer;
    bool has_phone = false;
    auto phone = StringMember(body, "phone_answer", "invalid_phone_answer", kPhoneMsg, &has_phone);
    if (!phone) return phone.error();
    if (has_phone) f.phone_answer = *phone;
    auto category = StringMember(body, "category", "invalid_category", kCategoryMsg);
    if (!category) return category.error();
    f.category = *category;
    auto tags = StringList(body, "tags", "invalid_tags", kTagsMsg);
    if (!tags) return tags.error();
    f.tags = *tags;
    if (body.contains("channels") && !body["channels"].is_null()) {
        auto channels = StringList(body, "channels", "invalid_channels", kChannelsMsg);
        if (!channels) return channels.error();
        f.channels = *channels;
    } else {
        f.channels = Channels();
    }
    return ValidateFields(std::move(f));
}

Result<ListPage> ListEntries(db::Database& db, const ListQuery& query) {
    if (!query.status.empty() && !IsEntryStatus(query.status)) {
        return Invalid("invalid_status", "status", "状态须为 draft、review、published 或 archived");
    }
    auto all = LoadEntries(nullptr, &db, "", {});
    if (!all) return all.error();
    ListPage page;
    std::set<std::string> categories;
    const std::string q = core::NormalizeForMatch(query.q);
    std::vector<Entry> matched;
    for (Entry& e : *all) {
        categories.insert(e.newest.fields.category);
        if (!query.status.empty() && e.status != query.status) continue;
        if (!query.category.empty() && e.newest.fields.category != query.category) continue;
        if (!q.empty()) {
            bool hit = core::NormalizeForMatch(e.id).find(q) != std::string::npos ||
                       core::NormalizeForMatch(e.newest.fields.question).find(q) != std::string::npos;
            for (const auto* list : {&e.newest.fields.similar, &e.newest.fields.tags}) {
                for (const std::string& s : *list) {
                    hit = hit || core::NormalizeForMatch(s).find(q) != std::string::npos;
                }
            }
            if (!hit) continue;
        }
        matched.push_back(std::move(e));
    }
    page.total = static_cast<int>(matched.size());
    const int size = std::clamp(query.size, 1, 200);
    const std::size_t from = static_cast<std::size_t>(std::max(query.page, 1) - 1) * static_cast<std::size_t>(size);
    for (std::size_t i = from; i < matched.size() && i < from + static_cast<std::size_t>(size); ++i) {
        page.items.push_back(std::move(matched[i]));
    }
    page.categories.assign(categories.begin(), categories.end());
    return page;
}

Result<Entry> GetEntry(db::Database& db, const std::string& id) {
    auto rows = LoadEntries(nullptr, &db, "WHERE e.id = ?", {id});
    if (!rows) return rows.error();
    if (rows->empty()) return NotFound();
    return std::move(rows->front());
}

Result<std::vector<VersionInfo>> GetVersions(db::Database& db, const std::string& id) {
    auto rs = db.Query(
        "SELECT version, status, question, similar_json, answer, phone_answer, category, tags_json, channels_json, "
        "author, approver, return_reason, created_at_ms FROM kb_entry_versions WHERE entry_id = ? "
        "ORDER BY version DESC",
        {id});
    if (!rs) return rs.error();
    std::vector<VersionInfo> out;
    for (const db::Row& r : rs->rows) out.push_back(VersionFromRow(r, 0));
    return out;
}

Result<std::string> NextEntryId(db::Connection& conn) {
    auto rs = conn.Query("SELECT id FROM kb_entries WHERE id LIKE 'kb-%'");
    if (!rs) return rs.error();
    int max = 0;
    for (const db::Row& r : rs->rows) max = std::max(max, NumberOf(r.Text(0)));
    return IdOf(max + 1);
}

Result<Entry> CreateEntry(db::Database& db, const EntryFields& fields, const std::string& author, std::int64_t now_ms) {
    auto valid = ValidateFields(fields);
    if (!valid) return valid.error();
    std::string id;
    for (int attempt = 0; attempt < 3; ++attempt) {
        Status s = db.Transaction([&](db::Connection& conn) -> Status {
            auto next = NextEntryId(conn);
            if (!next) return next.error();
            id = *next;
            auto rs = conn.Query(
                "INSERT INTO kb_entries (id, status, version, published_version, created_at_ms, updated_at_ms) "
                "VALUES (?, 'draft', 1, NULL, ?, ?)",
                {id, now_ms, now_ms});
            if (!rs) return rs.error();
            return InsertVersion(conn, id, 1, "draft", *valid, author, std::nullopt, now_ms);
        });
        if (s) return GetEntry(db, id);
        if (s.error().reason != "unique_violation") return s.error();  // another node took the id: retry
    }
    return MakeError(ErrorCode::kConflict, "新建条目冲突，请重试", "id", "version_conflict");
}

Result<Entry> UpdateEntry(db::Database& db, const std::string& id, int expected_version, const EntryFields& fields,
                          const std::string& author, std::int64_t now_ms) {
    auto valid = ValidateFields(fields);
    if (!valid) return valid.error();
    return WriteThenRead(db, id, [&](db::Connection& conn) -> Status {
        auto e = LoadEntry(conn, id);
        if (!e) return e.error();
        if (!*e) return NotFound();
        if ((*e)->version != expected_version) return VersionConflict();
        const int next = expected_version + 1;
        auto rs = conn.Query("UPDATE kb_entries SET status = 'draft', version = ?, updated_at_ms = ? "
                             "WHERE id = ? AND version = ?",
                             {std::int64_t{next}, now_ms, id, std::int64_t{expected_version}});
        if (!rs) return rs.error();
        if (rs->affected != 1) return VersionConflict();
        if (Status s = SupersedeUnpublished(conn, id, expected_version); !s) return s;
        return InsertVersion(conn, id, next, "draft", *valid, author, std::nullopt, now_ms);
    });
}

Result<Entry> SubmitEntry(db::Database& db, const std::string& id, int version, std::int64_t now_ms) {
    return WriteThenRead(db, id, [&](db::Connection& conn) -> Status {
        auto e = LoadEntry(conn, id);
        if (!e) return e.error();
        if (!*e) return NotFound();
        if ((*e)->version != version) return VersionConflict();
        if ((*e)->newest.status != "draft") return InvalidState("只有草稿可以提交审核");
        auto v = conn.Query("UPDATE kb_entry_versions SET status = 'review', return_reason = NULL "
                            "WHERE entry_id = ? AND version = ? AND status = 'draft'",
                            {id, std::int64_t{version}});
        if (!v) return v.error();
        if (v->affected != 1) return VersionConflict();
        auto rs = conn.Query("UPDATE kb_entries SET status = 'review', updated_at_ms = ? WHERE id = ? AND version = ?",
                             {now_ms, id, std::int64_t{version}});
        if (!rs) return rs.error();
        if (rs->affected != 1) return VersionConflict();
        return {};
    });
}

namespace {

// The checks shared by approve and return: the version is the newest, under review, not by `reviewer`.
Status CheckReviewable(db::Connection& conn, const std::string& id, int version, const std::string& reviewer) {
    auto e = LoadEntry(conn, id);
    if (!e) return e.error();
    if (!*e) return NotFound();
    if ((*e)->version != version) return VersionConflict();
    if ((*e)->newest.status != "review") return InvalidState("该版本不在待审核状态");
    if ((*e)->newest.author == reviewer) {
        return MakeError(ErrorCode::kForbidden, "不能审核自己编写的版本，请由其他人员审核", "version", "same_author");
    }
    return {};
}

}  // namespace

Result<Entry> ApproveEntry(db::Database& db, const std::string& id, int version, const std::string& approver,
                           std::int64_t now_ms) {
    return WriteThenRead(db, id, [&](db::Connection& conn) -> Status {
        if (Status s = CheckReviewable(conn, id, version, approver); !s) return s;
        auto v = conn.Query("UPDATE kb_entry_versions SET status = 'published', approver = ?, reviewed_at_ms = ?, "
                            "return_reason = NULL WHERE entry_id = ? AND version = ? AND status = 'review'",
                            {approver, now_ms, id, std::int64_t{version}});
        if (!v) return v.error();
        if (v->affected != 1) return VersionConflict();
        return PublishVersion(conn, id, version, now_ms);
    });
}

Result<Entry> ReturnEntry(db::Database& db, const std::string& id, int version, const std::string& reviewer,
                          const std::string& reason, std::int64_t now_ms) {
    const std::string why = Trim(reason);
    if (why.empty()) return Invalid("reason_required", "reason", "请填写退回原因");
    if (Chars(why) > 200) return Invalid("reason_required", "reason", "退回原因不能超过 200 个字");
    return WriteThenRead(db, id, [&](db::Connection& conn) -> Status {
        if (Status s = CheckReviewable(conn, id, version, reviewer); !s) return s;
        auto v = conn.Query("UPDATE kb_entry_versions SET status = 'draft', approver = ?, reviewed_at_ms = ?, "
                            "return_reason = ? WHERE entry_id = ? AND version = ? AND status = 'review'",
                            {reviewer, now_ms, why, id, std::int64_t{version}});
        if (!v) return v.error();
        if (v->affected != 1) return VersionConflict();
        auto rs = conn.Query("UPDATE kb_entries SET status = 'draft', updated_at_ms = ? WHERE id = ? AND version = ?",
                             {now_ms, id, std::int64_t{version}});
        if (!rs) return rs.error();
        if (rs->affected != 1) return VersionConflict();
        return {};
    });
}

Result<Entry> ArchiveEntry(db::Database& db, const std::string& id, std::int64_t now_ms) {
    return WriteThenRead(db, id, [&](db::Connection& conn) -> Status {
        auto e = LoadEntry(conn, id);
        if (!e) return e.error();
        if (!*e) return NotFound();
        if ((*e)->status == "archived") return InvalidState("该条目已下线");
        const bool was_published = (*e)->published_version.has_value();
        auto v = conn.Query("UPDATE kb_entry_versions SET status = 'archived' WHERE entry_id = ? "
                            "AND (status IN ('published', 'review', 'draft'))",
                            {id});
        if (!v) return v.error();
        auto rs = conn.Query("UPDATE kb_entries SET status = 'archived', published_version = NULL, updated_at_ms = ? "
                             "WHERE id = ? AND version = ? AND status <> 'archived'",
                             {now_ms, id, std::int64_t{(*e)->version}});
        if (!rs) return rs.error();
        if (rs->affected != 1) return VersionConflict();
        return was_published ? BumpState(conn) : Status{};
    });
}

Result<std::vector<PublishedEntry>> PublishedEntries(db::Database& db) {
    auto rs = db.Query(
        "SELECT e.id, v.question, v.similar_json, v.answer, v.phone_answer, v.category, v.tags_json, v.channels_json "
        "FROM kb_entries e JOIN kb_entry_versions v ON v.entry_id = e.id AND v.version = e.published_version "
        "WHERE e.published_version IS NOT NULL AND e.status <> 'archived' ORDER BY e.id");
    if (!rs) return rs.error();
    std::vector<PublishedEntry> out;
    for (const db::Row& r : rs->rows) {
        PublishedEntry p;
        p.id = r.Text(0);
        p.question = r.Text(1);
        p.similar = FromJsonArray(r.Text(2));
        p.answer = r.Text(3);
        p.phone_answer = r.OptText(4);
        p.category = r.Text(5);
        p.tags = FromJsonArray(r.Text(6));
        p.channels = FromJsonArray(r.Text(7));
        out.push_back(std::move(p));
    }
    return out;
}

Result<std::int64_t> StateVersion(db::Database& db) {
    auto rs = db.Query("SELECT version FROM kb_state WHERE id = 1");
    if (!rs) return rs.error();
    return rs->empty() ? std::int64_t{0} : rs->rows[0].Int(0);
}

// --- import / export ---------------------------------------------------------------------------

Result<std::string> ExportJsonl(db::Database& db) {
    auto entries = PublishedEntries(db);
    if (!entries) return entries.error();
    std::string out;
    for (const PublishedEntry& e : *entries) {
        nlohmann::ordered_json line;
        line["id"] = e.id;
        line["question"] = e.question;
        line["answer"] = e.answer;
        line["tags"] = e.tags;
        line["category"] = e.category;
        if (!e.similar.empty()) line["similar"] = e.similar;
        line["channels"] = e.channels;
        if (e.phone_answer) line["phone_answer"] = *e.phone_answer;
        out += line.dump(-1, ' ', false, json::error_handler_t::replace);
        out += '\n';
    }
    return out;
}

namespace {

struct ImportLine {
    int line = 0;
    std::optional<std::string> id;
    EntryFields fields;
};

Error LineError(int line, const Error& e) {
    std::string field = e.field.empty() ? "json" : e.field;
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("第 {} 行：{}", line, e.message),
                     fmt::format("line {}: {}", line, field), "invalid_line");
}

Result<std::vector<ImportLine>> ParseLines(std::string_view text) {
    std::vector<ImportLine> out;
    std::set<std::string> ids;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
        if (Trim(line).empty()) continue;
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            return LineError(line_no, Invalid("invalid_line", "json", "不是有效的 JSON 对象"));
        }
        ImportLine il;
        il.line = line_no;
        if (j.contains("id") && !j["id"].is_null()) {
            if (!j["id"].is_string() || !ValidId(j["id"].get<std::string>())) {
                return LineError(line_no, Invalid("invalid_line", "id", "编号只能由字母、数字、“-”和“_”组成，最长 40 个字符"));
            }
            il.id = j["id"].get<std::string>();
            if (!ids.insert(*il.id).second) {
                return LineError(line_no, Invalid("invalid_line", "id", fmt::format("编号 {} 在文件中重复出现", *il.id)));
            }
        }
        auto fields = FieldsFromJson(j);
        if (!fields) return LineError(line_no, fields.error());
        il.fields = std::move(*fields);
        out.push_back(std::move(il));
    }
    if (out.empty()) return LineError(1, Invalid("invalid_line", "json", "文件中没有任何条目"));
    return out;
}

}  // namespace

Result<ImportCounts> ImportJsonl(db::Database& db, std::string_view text, const std::string& by, std::int64_t now_ms,
                                 bool publish) {
    auto lines = ParseLines(text);
    if (!lines) return lines.error();
    ImportCounts counts;
    Status s = db.Transaction([&](db::Connection& conn) -> Status {
        counts = ImportCounts{};
        auto existing = LoadEntries(&conn, nullptr, "", {});
        if (!existing) return existing.error();
        std::map<std::string, const Entry*> by_id;
        int max_number = 0;
        for (const Entry& e : *existing) {
            by_id[e.id] = &e;
            max_number = std::max(max_number, NumberOf(e.id));
        }
        for (const ImportLine& l : *lines) {
            if (l.id) max_number = std::max(max_number, NumberOf(*l.id));
        }
        bool bump = false;
        const std::string status = publish ? "published" : "draft";
        const std::optional<std::string> approver = publish ? std::optional<std::string>("system") : std::nullopt;
        for (const ImportLine& l : *lines) {
            const std::string id = l.id ? *l.id : IdOf(++max_number);
            auto found = by_id.find(id);
            if (found == by_id.end()) {
                auto rs = conn.Query(
                    "INSERT INTO kb_entries (id, status, version, published_version, created_at_ms, updated_at_ms) "
                    "VALUES (?, 'draft', 1, NULL, ?, ?)",
                    {id, now_ms, now_ms});
                if (!rs) return rs.error();
                if (Status v = InsertVersion(conn, id, 1, status, l.fields, by, approver, now_ms); !v) return v;
                if (publish) {
                    if (Status p = PublishVersion(conn, id, 1, now_ms); !p) return p;
                    bump = true;
                }
                ++counts.created;
                continue;
            }
            const Entry& e = *found->second;
            const bool same = SameFields(e.newest.fields, l.fields);
            if (same && (!publish || e.published_version == e.version)) {
                ++counts.unchanged;
                continue;
            }
            const int next = e.version + 1;
            auto rs = conn.Query("UPDATE kb_entries SET status = 'draft', version = ?, updated_at_ms = ? "
                                 "WHERE id = ? AND version = ?",
                                 {std::int64_t{next}, now_ms, id, std::int64_t{e.version}});
            if (!rs) return rs.error();
            if (rs->affected != 1) return VersionConflict();
            if (Status v = SupersedeUnpublished(conn, id, e.version); !v) return v;
            if (Status v = InsertVersion(conn, id, next, status, l.fields, by, approver, now_ms); !v) return v;
            if (publish) {
                if (Status p = PublishVersion(conn, id, next, now_ms); !p) return p;
                bump = true;
            }
            ++counts.updated;
        }
        (void)bump;
        return {};
    });
    if (!s) return s.error();
    return counts;
}

}  // namespace dangan::kb
