#pragma once

// The matcher of this node, built from the published knowledge base and the lexicon, plus the
// published entries by id. The database holds one counter (kb_state.version) bumped in the
// same transaction as every change the matcher sees (publish, archive, lexicon); each node
// looks at it at most every 2 s and rebuilds in the background when it moved, serving the
// previous snapshot meanwhile. So every node converges within about 2 s of a change.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"
#include "kb/matcher.hpp"

namespace dangan::core {
class Periodic;
}
namespace dangan::http {
struct App;
}

namespace dangan::kb {

// A published entry as citizens get it (its published version).
struct PublishedEntry {
    std::string id;
    std::string question;
    std::vector<std::string> similar;
    std::string answer;
    std::optional<std::string> phone_answer;
    std::string category;
    std::vector<std::string> tags;
    std::vector<std::string> channels;  // web, wechat, kiosk, phone
};

// The chat channel as an entry's channel: "mobile" → "web"; others unchanged.
std::string_view EntryChannel(std::string_view channel);
// True when the entry answers on `channel` (mobile counts as web).
bool ServesChannel(const PublishedEntry& entry, std::string_view channel);
// The answer for the asking channel: phone → phone_answer when set, else answer.
const std::string& AnswerFor(const PublishedEntry& entry, std::string_view channel);

// One immutable build: share it freely between threads.
struct Snapshot {
    std::int64_t version = -1;                  // kb_state.version it was built from
    std::shared_ptr<const Matcher> matcher;     // never null
    std::map<std::string, PublishedEntry> entries;  // published entries by id
    Lexicon lexicon;

    const PublishedEntry* Find(std::string_view id) const;
    // The matcher restricted to the entries of `channel` (empty = all).
    MatchResult Match(std::string_view question, std::string_view channel, std::size_t k = 3) const;
};

// Loads what a snapshot is built from (published entries, lexicon, version) and builds it.
Result<std::shared_ptr<const Snapshot>> BuildSnapshot(db::Database& db);

class Index {
public:
    // Borrows `db`, which must outlive the index.
    explicit Index(db::Database& db);
    ~Index();
    Index(const Index&) = delete;
    Index& operator=(const Index&) = delete;

    // The current snapshot, never null. The first call builds it (on the caller's thread);
    // later calls return at once, while a background check every 2 s rebuilds on change.
    std::shared_ptr<const Snapshot> Current();
    // Rebuilds now on the caller's thread (tests; after a local write).
    Status Refresh();
    // Rebuilds when kb_state.version differs from the current snapshot's.
    Status RefreshIfChanged();

private:
    void StartWatching();

    db::Database& db_;
    std::mutex build_mutex_;  // one build at a time
    std::mutex mutex_;        // guards current_
    std::shared_ptr<const Snapshot> current_;
    std::once_flag watch_once_;
    std::unique_ptr<core::Periodic> watcher_;  // last: stops first
};

// The index of this node, shared by the knowledge-base and chat routes (created on first use;
// it lives as long as someone — the routes registered — holds it).
std::shared_ptr<Index> IndexOf(http::App& app);

}  // namespace dangan::kb
