// The node's matcher cache (index.hpp).

#include "kb/index.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/periodic.hpp"
#include "http/app.hpp"
#include "kb/store.hpp"

namespace dangan::kb {

std::string_view EntryChannel(std::string_view channel) { return channel == "mobile" ? "web" : channel; }

bool ServesChannel(const PublishedEntry& entry, std::string_view channel) {
    const std::string_view c = EntryChannel(channel);
    return std::find(entry.channels.begin(), entry.channels.end(), c) != entry.channels.end();
}

const std::string& AnswerFor(const PublishedEntry& entry, std::string_view channel) {
    if (channel == "phone" && entry.phone_answer && !entry.phone_answer->empty()) return *entry.phone_answer;
    return entry.answer;
}

const PublishedEntry* Snapshot::Find(std::string_view id) const {
    auto it = entries.find(std::string(id));
    return it == entries.end() ? nullptr : &it->second;
}

MatchResult Snapshot::Match(std::string_view question, std::string_view channel, std::size_t k) const {
    if (channel.empty()) return matcher->Find(question, k);
    const std::string c(EntryChannel(channel));
    return matcher->Find(question, k, [this, c](const std::string& id) {
        const PublishedEntry* e = Find(id);
        return e != nullptr && ServesChannel(*e, c);
    });
}

Result<std::shared_ptr<const Snapshot>> BuildSnapshot(db::Database& db) {
    auto version = StateVersion(db);  // read first: a change during the build is seen next time
    if (!version) return version.error();
    auto lexicon = GetLexicon(db);
    if (!lexicon) return lexicon.error();
    auto published = PublishedEntries(db);
    if (!published) return published.error();
    auto snap = std::make_shared<Snapshot>();
    snap->version = *version;
    snap->lexicon = lexicon->lexicon;
    std::vector<KbEntry> entries;
    entries.reserve(published->size());
    for (PublishedEntry& p : *published) {
        entries.push_back(KbEntry{p.id, p.question, p.similar, p.tags, p.category, p.answer});
        std::string id = p.id;
        snap->entries.emplace(std::move(id), std::move(p));
    }
    snap->matcher = Matcher::Build(std::move(entries), snap->lexicon);
    return std::shared_ptr<const Snapshot>(std::move(snap));
}

Index::Index(db::Database& db) : db_(db) {}

Index::~Index() {
    if (watcher_) watcher_->Stop();
}

std::shared_ptr<const Snapshot> Index::Current() {
    std::shared_ptr<const Snapshot> snap;
    {
        std::lock_guard lock(mutex_);
        snap = current_;
    }
    if (!snap) {
        if (Status s = Refresh(); !s) {
            spdlog::error("kb: building the matcher failed: {}", s.error().message);
        }
        std::lock_guard lock(mutex_);
        if (!current_) {  // the database is unreachable: an empty matcher until it comes back
            auto empty = std::make_shared<Snapshot>();
            empty->matcher = Matcher::Build({}, Lexicon{});
            current_ = std::move(empty);
        }
        snap = current_;
    }
    StartWatching();
    return snap;
}

Status Index::Refresh() {
    std::lock_guard build(build_mutex_);
    auto snap = BuildSnapshot(db_);
    if (!snap) return snap.error();
    std::lock_guard lock(mutex_);
    current_ = std::move(*snap);
    return {};
}

Status Index::RefreshIfChanged() {
    auto version = StateVersion(db_);
    if (!version) return version.error();
    {
        std::lock_guard lock(mutex_);
        if (current_ && current_->version == *version) return {};
    }
    return Refresh();
}

void Index::StartWatching() {
    std::call_once(watch_once_, [this] {
        watcher_ = std::make_unique<core::Periodic>(std::chrono::seconds(2), [this] {
            if (Status s = RefreshIfChanged(); !s) {
                spdlog::warn("kb: checking the knowledge-base version failed: {}", s.error().message);
            }
        });
        watcher_->Start();
    });
}

std::shared_ptr<Index> IndexOf(http::App& app) {
    static std::mutex mutex;
    static std::map<const http::App*, std::weak_ptr<Index>> indexes;
    std::lock_guard lock(mutex);
    std::weak_ptr<Index>& slot = indexes[&app];
    std::shared_ptr<Index> index = slot.lock();
    if (!index) {
        index = std::make_shared<Index>(*app.db);
        slot = index;
    }
    return index;
}

}  // namespace dangan::kb
