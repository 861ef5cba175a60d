#pragma once

// The knowledge base in the database: entries and their versions, the editing workflow
// (draft → review → published; the author never approves their own version; return with a
// reason; archive), the lexicon, and import/export in the faq.jsonl format. Plain functions
// over db::Database; the routes (routes_kb.cpp) only parse, check roles and render.
//
// Every change the matcher sees (publish, archive, lexicon) bumps kb_state.version in the same
// transaction (kb::Index watches it).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "db/database.hpp"
#include "kb/index.hpp"
#include "kb/matcher.hpp"

namespace dangan::kb {

// The channels an entry may answer on, in display order.
const std::vector<std::string>& Channels();

// What an editor writes (entry fields without id and workflow state).
struct EntryFields {
    std::string question;
    std::vector<std::string> similar;
    std::string answer;
    std::optional<std::string> phone_answer;
    std::string category;
    std::vector<std::string> tags;
    std::vector<std::string> channels;
};

// Checks the contract's limits; kInvalidArgument with a Chinese message, `field` and reason
// (invalid_question, invalid_similar…). Trims texts, drops empty similar questions and tags,
// de-duplicates, orders channels as Channels().
Result<EntryFields> ValidateFields(EntryFields fields);
// Parses entry fields from a JSON object (types checked, then ValidateFields).
Result<EntryFields> FieldsFromJson(const nlohmann::json& body);

struct VersionInfo {
    int version = 0;
    std::string status;  // draft, review, published, superseded, archived
    EntryFields fields;
    std::string author;
    std::optional<std::string> approver;
    std::optional<std::string> return_reason;
    std::int64_t created_at_ms = 0;
};

struct Entry {
    std::string id;
    std::string status;  // draft, review, published, archived
    int version = 0;     // the newest
    std::optional<int> published_version;
    VersionInfo newest;  // the fields of `version`
    std::int64_t updated_at_ms = 0;
    std::optional<std::int64_t> published_at_ms;
};

std::string_view StatusLabel(std::string_view status);  // 草稿 待审核 已发布 已下线
bool IsEntryStatus(std::string_view status);

struct ListQuery {
    std::string q;
    std::string status;    // "" = any
    std::string category;  // "" = any
    int page = 1;
    int size = 20;
};
struct ListPage {
    std::vector<Entry> items;
    int total = 0;
    std::vector<std::string> categories;  // of all entries (newest versions), sorted
};
Result<ListPage> ListEntries(db::Database& db, const ListQuery& query);

// kNotFound entry_not_found.
Result<Entry> GetEntry(db::Database& db, const std::string& id);
Result<std::vector<VersionInfo>> GetVersions(db::Database& db, const std::string& id);  // newest first

// The next free "kb-NNN" id.
Result<std::string> NextEntryId(db::Connection& conn);

Result<Entry> CreateEntry(db::Database& db, const EntryFields& fields, const std::string& author, std::int64_t now_ms);
// A new draft version; `expected_version` must be the newest (409 version_conflict).
Result<Entry> UpdateEntry(db::Database& db, const std::string& id, int expected_version, const EntryFields& fields,
                          const std::string& author, std::int64_t now_ms);
Result<Entry> SubmitEntry(db::Database& db, const std::string& id, int version, std::int64_t now_ms);
// 403 same_author when `approver` wrote the version.
Result<Entry> ApproveEntry(db::Database& db, const std::string& id, int version, const std::string& approver,
                           std::int64_t now_ms);
Result<Entry> ReturnEntry(db::Database& db, const std::string& id, int version, const std::string& reviewer,
                          const std::string& reason, std::int64_t now_ms);
Result<Entry> ArchiveEntry(db::Database& db, const std::string& id, std::int64_t now_ms);

// Published (answering) entries, by id.
Result<std::vector<PublishedEntry>> PublishedEntries(db::Database& db);
Result<std::int64_t> StateVersion(db::Database& db);

// --- lexicon ---------------------------------------------------------------------------------

struct StoredLexicon {
    Lexicon lexicon;
    int version = 0;  // 0 = none stored yet (the default applies)
};
Result<StoredLexicon> GetLexicon(db::Database& db);  // the default when none is stored
Result<Lexicon> ValidateLexicon(Lexicon lexicon);    // invalid_synonyms / invalid_stop_phrases
Result<StoredLexicon> PutLexicon(db::Database& db, const Lexicon& lexicon, int expected_version,
                                 const std::string& by, std::int64_t now_ms);
// Stores DefaultLexicon() when no lexicon is stored (idempotent).
Status EnsureLexicon(db::Database& db, std::int64_t now_ms);

// --- import / export (faq.jsonl) ---------------------------------------------------------------

// One published entry a line: {"id","question","answer","tags","category"} plus "similar",
// "channels", "phone_answer" when set.
Result<std::string> ExportJsonl(db::Database& db);

struct ImportCounts {
    int created = 0;
    int updated = 0;
    int unchanged = 0;
};
// Each line becomes a new draft version of the entry with its id (or a new entry); a line equal
// to the newest version is unchanged. All or nothing: 400 invalid_line with field "line N: x".
// `publish` (demo seeding): the versions are published at once, approved by "system".
Result<ImportCounts> ImportJsonl(db::Database& db, std::string_view text, const std::string& by, std::int64_t now_ms,
                                 bool publish = false);

}  // namespace dangan::kb
