// The knowledge base's lexicon in the database (store.hpp): the synonym groups and stop phrases,
// one row with its own version; a change bumps kb_state so every node rebuilds its matcher.

#include <fmt/format.h>

#include <set>

#include "core/text.hpp"
#include "kb/store.hpp"
#include "kb/store_internal.hpp"

namespace dangan::kb {

using namespace store_detail;
using nlohmann::json;

Result<StoredLexicon> GetLexicon(db::Database& db) {
    auto rs = db.Query("SELECT synonyms_json, stop_phrases_json, version FROM kb_lexicon WHERE id = 1");
    if (!rs) return rs.error();
    StoredLexicon out;
    if (rs->empty()) {
        out.lexicon = DefaultLexicon();
        return out;
    }
    const db::Row& r = rs->rows[0];
    json groups = json::parse(r.Text(0), nullptr, false);
    if (groups.is_array()) {
        for (const json& g : groups) {
            std::vector<std::string> terms;
            if (g.is_array()) {
                for (const json& t : g) {
                    if (t.is_string()) terms.push_back(t.get<std::string>());
                }
            }
            out.lexicon.synonyms.push_back(std::move(terms));
        }
    }
    out.lexicon.stop_phrases = FromJsonArray(r.Text(1));
    out.version = static_cast<int>(r.Int(2));
    return out;
}

Result<Lexicon> ValidateLexicon(Lexicon lexicon) {
    Lexicon out;
    std::set<std::string> seen;
    if (lexicon.synonyms.size() > 2000) return Invalid("invalid_synonyms", "synonyms", "同义词最多 2000 组");
    for (std::size_t i = 0; i < lexicon.synonyms.size(); ++i) {
        std::vector<std::string> group;
        for (const std::string& raw : lexicon.synonyms[i]) {
            std::string t = Trim(raw);
            if (t.empty()) continue;
            if (Chars(t) > 20) {
                return Invalid("invalid_synonyms", "synonyms", fmt::format("第 {} 组：“{}”超过 20 个字", i + 1, t));
            }
            if (!seen.insert(t).second) {
                return Invalid("invalid_synonyms", "synonyms",
                               fmt::format("第 {} 组：“{}”已出现在其他同义词组中", i + 1, t));
            }
            group.push_back(std::move(t));
        }
        if (group.size() < 2) {
            return Invalid("invalid_synonyms", "synonyms", fmt::format("第 {} 组同义词至少需要 2 个词", i + 1));
        }
        out.synonyms.push_back(std::move(group));
    }
    std::set<std::string> stops;
    if (lexicon.stop_phrases.size() > 500) return Invalid("invalid_stop_phrases", "stop_phrases", "停用语最多 500 个");
    for (const std::string& raw : lexicon.stop_phrases) {
        std::string t = Trim(raw);
        if (t.empty()) continue;
        if (Chars(t) > 20) {
            return Invalid("invalid_stop_phrases", "stop_phrases", fmt::format("停用语“{}”超过 20 个字", t));
        }
        if (stops.insert(t).second) out.stop_phrases.push_back(std::move(t));
    }
    return out;
}

namespace {

Status StoreLexicon(db::Connection& conn, const Lexicon& lexicon, int expected_version, const std::string& by,
                    std::int64_t now_ms) {
    const std::string groups = json(lexicon.synonyms).dump();
    const std::string stops = json(lexicon.stop_phrases).dump();
    db::Value who = by.empty() ? db::Value(nullptr) : db::Value(by);
    if (expected_version == 0) {
        auto rs = conn.Query("INSERT INTO kb_lexicon (id, synonyms_json, stop_phrases_json, version, updated_at_ms, "
                             "updated_by) VALUES (1, ?, ?, 1, ?, ?)",
                             {groups, stops, now_ms, who});
        if (!rs) return rs.error().reason == "unique_violation" ? Status(VersionConflict()) : Status(rs.error());
    } else {
        auto rs = conn.Query("UPDATE kb_lexicon SET synonyms_json = ?, stop_phrases_json = ?, version = version + 1, "
                             "updated_at_ms = ?, updated_by = ? WHERE id = 1 AND version = ?",
                             {groups, stops, now_ms, who, std::int64_t{expected_version}});
        if (!rs) return rs.error();
        if (rs->affected != 1) return VersionConflict();
    }
    return BumpState(conn);
}

}  // namespace

Result<StoredLexicon> PutLexicon(db::Database& db, const Lexicon& lexicon, int expected_version, const std::string& by,
                                 std::int64_t now_ms) {
    auto valid = ValidateLexicon(lexicon);
    if (!valid) return valid.error();
    if (Status s = db.Transaction([&](db::Connection& conn) { return StoreLexicon(conn, *valid, expected_version, by, now_ms); });
        !s) {
        return s.error();
    }
    return GetLexicon(db);
}

Status EnsureLexicon(db::Database& db, std::int64_t now_ms) {
    auto rs = db.Query("SELECT version FROM kb_lexicon WHERE id = 1");
    if (!rs) return rs.error();
    if (!rs->empty()) return {};
    Status s = db.Transaction([&](db::Connection& conn) { return StoreLexicon(conn, DefaultLexicon(), 0, "", now_ms); });
    if (!s && s.error().reason == "version_conflict") return {};  // another node stored it meanwhile
    return s;
}

}  // namespace dangan::kb
