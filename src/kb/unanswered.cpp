// Unanswered questions (unanswered.hpp): logging, listing, grouping, resolving.

#include "kb/unanswered.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "core/ids.hpp"
#include "kb/index.hpp"

namespace dangan::kb {

namespace {

bool ValidReason(const std::string& r) { return r == "none" || r == "unsure" || r == "handoff"; }

// The first `max_chars` code points of UTF-8 text.
std::string Clip(const std::string& s, std::size_t max_chars) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (chars == max_chars) return s.substr(0, i);
            ++chars;
        }
    }
    return s;
}

std::vector<char32_t> Letters(const std::string& s) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        int len = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            cp = c & 0x1F, len = 2;
        } else if ((c & 0xF0) == 0xE0) {
            cp = c & 0x0F, len = 3;
        } else {
            cp = c & 0x07, len = 4;
        }
        for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3F);
        }
        i += static_cast<std::size_t>(len);
        const bool ascii_alnum = cp < 0x80 && std::isalnum(static_cast<int>(cp));
        const bool han = (cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) || cp >= 0x20000;
        if (ascii_alnum) {
            out.push_back(static_cast<char32_t>(std::tolower(static_cast<int>(cp))));
        } else if (han) {
            out.push_back(cp);
        }
    }
    return out;
}

std::set<std::uint64_t> Bigrams(const std::string& s) {
    const std::vector<char32_t> l = Letters(s);
    std::set<std::uint64_t> out;
    if (l.size() == 1) out.insert(static_cast<std::uint64_t>(l[0]));
    for (std::size_t i = 0; i + 1 < l.size(); ++i) {
        out.insert((static_cast<std::uint64_t>(l[i]) << 32) | static_cast<std::uint64_t>(l[i + 1]));
    }
    return out;
}

double Jaccard(const std::set<std::uint64_t>& a, const std::set<std::uint64_t>& b) {
    if (a.empty() && b.empty()) return 1.0;
    std::size_t common = 0;
    for (std::uint64_t x : a) common += b.count(x);
    const std::size_t all = a.size() + b.size() - common;
    return all == 0 ? 0.0 : static_cast<double>(common) / static_cast<double>(all);
}

}  // namespace

Status LogUnanswered(db::Connection& conn, const core::Clock& clock, const UnansweredQuestion& q) {
    if (!ValidReason(q.reason)) {
        return MakeError(ErrorCode::kInvalidArgument, "未解答原因须为 none、unsure 或 handoff", "reason", "invalid_reason");
    }
    db::Value session = q.session_id ? db::Value(*q.session_id) : db::Value(nullptr);
    auto rs = conn.Query(
        "INSERT INTO kb_unanswered (id, text, normalised, channel, reason, session_id, created_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {core::NewId(clock), Clip(q.text, 300), Clip(q.normalised, 300), q.channel, q.reason, session, q.at_ms});
    if (!rs) return rs.error();
    return {};
}

Status LogUnanswered(db::Database& db, const core::Clock& clock, const UnansweredQuestion& q) {
    return db.Transaction([&](db::Connection& conn) { return LogUnanswered(conn, clock, q); });
}

double BigramSimilarity(const std::string& a, const std::string& b) { return Jaccard(Bigrams(a), Bigrams(b)); }

std::vector<UnansweredGroup> GroupUnanswered(std::vector<UnansweredItem> items, double threshold) {
    std::sort(items.begin(), items.end(), [](const UnansweredItem& a, const UnansweredItem& b) {
        return a.at_ms != b.at_ms ? a.at_ms > b.at_ms : a.id > b.id;
    });
    const std::size_t n = items.size();
    std::vector<std::set<std::uint64_t>> grams(n);
    for (std::size_t i = 0; i < n; ++i) {
        grams[i] = Bigrams(items[i].normalised.empty() ? items[i].text : items[i].normalised);
    }
    // Union-find over pairs at or above the threshold (single link).
    std::vector<std::size_t> parent(n);
    std::iota(parent.begin(), parent.end(), std::size_t{0});
    auto find = [&](std::size_t x) {
        while (parent[x] != x) x = parent[x] = parent[parent[x]];
        return x;
    };
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            if (find(i) == find(j)) continue;
            if (Jaccard(grams[i], grams[j]) >= threshold) parent[find(j)] = find(i);
        }
    }
    std::map<std::size_t, std::size_t> group_of_root;
    std::vector<UnansweredGroup> groups;
    for (std::size_t i = 0; i < n; ++i) {  // newest first, so each group's first item is its newest
        const std::size_t root = find(i);
        auto [it, fresh] = group_of_root.emplace(root, groups.size());
        if (fresh) {
            UnansweredGroup g;
            g.id = items[i].id;
            g.representative = items[i].text;
            g.last_at_ms = items[i].at_ms;
            groups.push_back(std::move(g));
        }
        UnansweredGroup& g = groups[it->second];
        g.channels[items[i].channel] += 1;
        g.questions.push_back(items[i]);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const UnansweredGroup& a, const UnansweredGroup& b) {
        return a.questions.size() != b.questions.size() ? a.questions.size() > b.questions.size()
                                                        : a.last_at_ms > b.last_at_ms;
    });
    return groups;
}

void AddSuggestions(std::vector<UnansweredGroup>& groups, const Snapshot& snapshot) {
    for (UnansweredGroup& g : groups) {
        MatchResult m = snapshot.Match(g.representative, "", 1);
        if (m.top.empty()) continue;
        if (const PublishedEntry* e = snapshot.Find(m.top[0].id)) {
            g.suggestion_id = e->id;
            g.suggestion_question = e->question;
        }
    }
}

Result<std::vector<UnansweredItem>> ListUnanswered(db::Database& db, std::int64_t since_ms) {
    auto rs = db.Query(
        "SELECT id, text, normalised, channel, reason, created_at_ms FROM kb_unanswered "
        "WHERE resolved_at_ms IS NULL AND created_at_ms >= ? ORDER BY created_at_ms DESC, id DESC LIMIT 2000",
        {since_ms});
    if (!rs) return rs.error();
    std::vector<UnansweredItem> out;
    for (const db::Row& r : rs->rows) {
        out.push_back(UnansweredItem{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5)});
    }
    return out;
}

Result<int> ResolveUnanswered(db::Database& db, const std::vector<std::string>& ids,
                              const std::optional<std::string>& entry_id, const std::string& by, std::int64_t at_ms) {
    if (ids.empty() || ids.size() > 1000) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择 1–1000 个问题", "ids", "invalid_ids");
    }
    int resolved = 0;
    Status s = db.Transaction([&](db::Connection& conn) -> Status {
        resolved = 0;
        if (entry_id) {
            auto e = conn.Query("SELECT id FROM kb_entries WHERE id = ?", {*entry_id});
            if (!e) return e.error();
            if (e->empty()) {
                return MakeError(ErrorCode::kNotFound, "没有找到这个知识条目", "entry_id", "entry_not_found");
            }
        }
        db::Value entry = entry_id ? db::Value(*entry_id) : db::Value(nullptr);
        for (const std::string& id : ids) {
            auto rs = conn.Query("UPDATE kb_unanswered SET resolved_at_ms = ?, resolved_entry_id = ?, resolved_by = ? "
                                 "WHERE id = ? AND resolved_at_ms IS NULL",
                                 {at_ms, entry, by, id});
            if (!rs) return rs.error();
            resolved += static_cast<int>(rs->affected);
        }
        return {};
    });
    if (!s) return s.error();
    return resolved;
}

}  // namespace dangan::kb
