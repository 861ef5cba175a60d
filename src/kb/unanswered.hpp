#pragma once

// Questions the robot could not answer (none, a failed clarification, a hand-over), kept for
// the editors' 未解答 page: grouped by similarity, each group with the nearest entry as a
// suggestion, until an editor resolves them (answered by an entry, or dismissed).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::kb {

struct Snapshot;

struct UnansweredQuestion {
    std::string text;                       // as asked (≤ 300 characters kept)
    std::string normalised;                 // MatchResult::normalised ("" when unknown)
    std::string channel;                    // web, mobile, kiosk, wechat, phone
    std::string reason;                     // "none" | "unsure" | "handoff"
    std::optional<std::string> session_id;  // the chat session, when there is one
    std::int64_t at_ms = 0;                 // when asked (Unix ms)
};

// Logs one question. The id is made from `clock`. kInvalidArgument for an unknown reason.
Status LogUnanswered(db::Database& db, const core::Clock& clock, const UnansweredQuestion& q);
// The same inside the caller's transaction.
Status LogUnanswered(db::Connection& conn, const core::Clock& clock, const UnansweredQuestion& q);

struct UnansweredItem {
    std::string id;
    std::string text;
    std::string normalised;
    std::string channel;
    std::string reason;
    std::int64_t at_ms = 0;
};

struct UnansweredGroup {
    std::string id;              // the id of its first (most recent) question
    std::string representative;  // the most recent question's text
    std::vector<UnansweredItem> questions;  // newest first
    std::map<std::string, int> channels;    // count by channel
    std::int64_t last_at_ms = 0;
    std::optional<std::string> suggestion_id;
    std::string suggestion_question;
};

// Character-bigram Jaccard similarity of two texts (punctuation and spaces ignored), in [0,1].
double BigramSimilarity(const std::string& a, const std::string& b);

// Groups questions (single link, similarity ≥ threshold on the normalised text, falling back
// to the text), most asked first, then most recent.
std::vector<UnansweredGroup> GroupUnanswered(std::vector<UnansweredItem> items, double threshold = 0.5);

// Sets each group's suggestion: the nearest published entry of `snapshot` to its representative
// (any channel), when the matcher has a candidate.
void AddSuggestions(std::vector<UnansweredGroup>& groups, const Snapshot& snapshot);

// Unresolved questions asked since `since_ms`, newest first.
Result<std::vector<UnansweredItem>> ListUnanswered(db::Database& db, std::int64_t since_ms);

// Marks questions resolved (by `entry_id`, or dismissed when nullopt). Returns how many changed;
// 404 entry_not_found when `entry_id` names no entry; 400 invalid_ids for an empty or long list.
Result<int> ResolveUnanswered(db::Database& db, const std::vector<std::string>& ids,
                              const std::optional<std::string>& entry_id, const std::string& by, std::int64_t at_ms);

}  // namespace dangan::kb
