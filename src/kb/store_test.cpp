// The knowledge-base store, index and unanswered questions on both backends (SQLite always;
// PostgreSQL when DANGAN_TEST_PG_URL is set).

#include "kb/store.hpp"

#include <gtest/gtest.h>

#include "identity/testing.hpp"
#include "kb/demo.hpp"
#include "kb/index.hpp"
#include "kb/unanswered.hpp"

namespace dangan::kb {
namespace {

using db::testutil::Why;

class KbStoreTest : public testsupport::MigratedDatabaseTest {
protected:
    std::int64_t Now() { return core::UnixMillis(clock_.Now()); }

    EntryFields Fields(std::string question = "档案存放在哪里？") {
        EntryFields f;
        f.question = std::move(question);
        f.similar = {"我的档案在哪", "  ", "我的档案在哪"};
        f.answer = "请登录网上服务大厅查询档案存放地。";
        f.category = "档案查询";
        f.tags = {"存放地"};
        f.channels = {"phone", "web"};
        return f;
    }

    Entry MustCreate(const EntryFields& f, const std::string& author = "zhishi") {
        auto e = CreateEntry(db(), f, author, Now());
        EXPECT_TRUE(e.ok()) << Why(e);
        return e.ok() ? *e : Entry{};
    }

    int Count(const char* table) {
        auto rs = db().Query(std::string("SELECT COUNT(*) FROM ") + table);
        return rs.ok() ? static_cast<int>(rs->rows[0].Int(0)) : -1;
    }
};

TEST_P(KbStoreTest, DraftReviewPublishWithAnotherApproverAndOptimisticVersions) {
    Entry e = MustCreate(Fields());
    EXPECT_EQ(e.id, "kb-001");
    EXPECT_EQ(e.status, "draft");
    EXPECT_EQ(e.version, 1);
    EXPECT_FALSE(e.published_version);
    EXPECT_EQ(e.newest.fields.similar, std::vector<std::string>{"我的档案在哪"});
    EXPECT_EQ(e.newest.fields.channels, (std::vector<std::string>{"web", "phone"}));
    EXPECT_EQ(MustCreate(Fields("第二个问题")).id, "kb-002");

    auto approve_draft = ApproveEntry(db(), e.id, 1, "shenhe", Now());
    ASSERT_FALSE(approve_draft.ok());
    EXPECT_EQ(approve_draft.error().reason, "invalid_state");
    auto stale = SubmitEntry(db(), e.id, 2, Now());
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().reason, "version_conflict");
    auto submitted = SubmitEntry(db(), e.id, 1, Now());
    ASSERT_TRUE(submitted.ok()) << Why(submitted);
    EXPECT_EQ(submitted->status, "review");

    auto own = ApproveEntry(db(), e.id, 1, "zhishi", Now());
    ASSERT_FALSE(own.ok());
    EXPECT_EQ(own.error().reason, "same_author");
    EXPECT_EQ(own.error().code, ErrorCode::kForbidden);

    const std::int64_t before = *StateVersion(db());
    auto approved = ApproveEntry(db(), e.id, 1, "shenhe", Now());
    ASSERT_TRUE(approved.ok()) << Why(approved);
    EXPECT_EQ(approved->status, "published");
    EXPECT_EQ(approved->published_version, 1);
    EXPECT_EQ(approved->newest.approver, "shenhe");
    EXPECT_EQ(*StateVersion(db()), before + 1);

    // A new draft: the published version keeps answering.
    auto conflict = UpdateEntry(db(), e.id, 0, Fields("档案存放地怎么查？"), "zhishi", Now());
    ASSERT_FALSE(conflict.ok());
    EXPECT_EQ(conflict.error().reason, "version_conflict");
    auto v2 = UpdateEntry(db(), e.id, 1, Fields("档案存放地怎么查？"), "zhishi", Now());
    ASSERT_TRUE(v2.ok()) << Why(v2);
    EXPECT_EQ(v2->version, 2);
    EXPECT_EQ(v2->status, "draft");
    EXPECT_EQ(v2->published_version, 1);
    auto published = PublishedEntries(db());
    ASSERT_TRUE(published.ok());
    ASSERT_EQ(published->size(), 1u);
    EXPECT_EQ((*published)[0].question, "档案存放在哪里？");
    EXPECT_EQ(*StateVersion(db()), before + 1);  // a draft changes nothing the matcher sees

    // Returned with a reason, then resubmitted and approved.
    ASSERT_TRUE(SubmitEntry(db(), e.id, 2, Now()).ok());
    auto no_reason = ReturnEntry(db(), e.id, 2, "shenhe", "  ", Now());
    ASSERT_FALSE(no_reason.ok());
    EXPECT_EQ(no_reason.error().reason, "reason_required");
    auto returned = ReturnEntry(db(), e.id, 2, "shenhe", "答案缺少电话", Now());
    ASSERT_TRUE(returned.ok()) << Why(returned);
    EXPECT_EQ(returned->status, "draft");
    EXPECT_EQ(returned->newest.return_reason, "答案缺少电话");
    ASSERT_TRUE(SubmitEntry(db(), e.id, 2, Now()).ok());
    auto approved2 = ApproveEntry(db(), e.id, 2, "zhishi2", Now());
    ASSERT_TRUE(approved2.ok()) << Why(approved2);
    EXPECT_EQ(approved2->published_version, 2);
    auto versions = GetVersions(db(), e.id);
    ASSERT_TRUE(versions.ok());
    ASSERT_EQ(versions->size(), 2u);
    EXPECT_EQ((*versions)[0].status, "published");
    EXPECT_EQ((*versions)[1].status, "superseded");

    // Archived: no longer answers; archiving again is refused.
    auto archived = ArchiveEntry(db(), e.id, Now());
    ASSERT_TRUE(archived.ok()) << Why(archived);
    EXPECT_EQ(archived->status, "archived");
    EXPECT_FALSE(archived->published_version);
    EXPECT_TRUE(PublishedEntries(db())->empty());
    auto again = ArchiveEntry(db(), e.id, Now());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().reason, "invalid_state");
    auto missing = GetEntry(db(), "kb-999");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().reason, "entry_not_found");
}

TEST_P(KbStoreTest, BadFieldsNameTheirFieldAndStoreNothing) {
    struct Case {
        std::function<void(EntryFields&)> change;
        const char* reason;
        const char* field;
    };
    const std::vector<Case> cases{
        {[](EntryFields& f) { f.question = "问"; }, "invalid_question", "question"},
        {[](EntryFields& f) { f.question = std::string(101 * 3, 'x'); }, "invalid_question", "question"},
        {[](EntryFields& f) { f.similar.assign(31, ""), f.similar.clear(); for (int i = 0; i < 31; ++i) f.similar.push_back("问法" + std::to_string(i)); },
         "invalid_similar", "similar"},
        {[](EntryFields& f) { f.answer = "短"; }, "invalid_answer", "answer"},
        {[](EntryFields& f) { f.phone_answer = std::string(301, 'a'); }, "invalid_phone_answer", "phone_answer"},
        {[](EntryFields& f) { f.category = ""; }, "invalid_category", "category"},
        {[](EntryFields& f) { f.tags.assign({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}); }, "invalid_tags", "tags"},
        {[](EntryFields& f) { f.channels = {}; }, "invalid_channels", "channels"},
        {[](EntryFields& f) { f.channels = {"web", "fax"}; }, "invalid_channels", "channels"},
    };
    for (const Case& c : cases) {
        EntryFields f = Fields();
        c.change(f);
        auto e = CreateEntry(db(), f, "zhishi", Now());
        ASSERT_FALSE(e.ok()) << c.reason;
        EXPECT_EQ(e.error().reason, c.reason);
        EXPECT_EQ(e.error().field, c.field);
        EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
        EXPECT_FALSE(e.error().message.empty());
    }
    EXPECT_EQ(Count("kb_entries"), 0);
    EXPECT_EQ(Count("kb_entry_versions"), 0);
    auto bad_status = ListEntries(db(), ListQuery{"", "gone", "", 1, 20});
    ASSERT_FALSE(bad_status.ok());
    EXPECT_EQ(bad_status.error().reason, "invalid_status");
}

TEST_P(KbStoreTest, ImportExportRoundTripAllOrNothing) {
    auto demo = ImportJsonl(db(), DemoKbJsonl(), "system", Now(), /*publish=*/true);
    ASSERT_TRUE(demo.ok()) << Why(demo);
    EXPECT_EQ(demo->created, 60);
    EXPECT_EQ(PublishedEntries(db())->size(), 60u);
    auto text = ExportJsonl(db());
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(std::count(text->begin(), text->end(), '\n'), 60);
    EXPECT_NE(text->find(R"({"id":"kb-001","question":)"), std::string::npos);

    // The same lines again: unchanged. One changed line: a new draft of that entry.
    auto same = ImportJsonl(db(), *text, "zhishi", Now());
    ASSERT_TRUE(same.ok()) << Why(same);
    EXPECT_EQ(same->unchanged, 60);
    std::string changed = R"({"id":"kb-001","question":"档案在哪里查？","answer":"登录网上服务大厅查询。","category":"档案查询"})"
                          "\n"
                          R"({"question":"一个全新的问题？","answer":"一个全新的答案。","category":"其他","channels":["kiosk"]})"
                          "\n";
    auto counts = ImportJsonl(db(), changed, "zhishi", Now());
    ASSERT_TRUE(counts.ok()) << Why(counts);
    EXPECT_EQ(counts->updated, 1);
    EXPECT_EQ(counts->created, 1);
    auto kb001 = GetEntry(db(), "kb-001");
    ASSERT_TRUE(kb001.ok());
    EXPECT_EQ(kb001->status, "draft");
    EXPECT_EQ(kb001->version, 2);
    EXPECT_EQ(kb001->published_version, 1);
    EXPECT_TRUE(GetEntry(db(), "kb-061").ok());

    // A bad line anywhere: nothing imported, the line and field named.
    const int versions = Count("kb_entry_versions");
    std::string bad = R"({"id":"kb-002","question":"改过的问题？","answer":"改过的答案。","category":"档案查询"})"
                      "\n\n"
                      R"({"id":"kb-003","question":"没有答案的问题？","answer":"","category":"档案查询"})"
                      "\n";
    auto refused = ImportJsonl(db(), bad, "zhishi", Now());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().reason, "invalid_line");
    EXPECT_EQ(refused.error().field, "line 3: answer");
    EXPECT_EQ(Count("kb_entry_versions"), versions);
    auto not_json = ImportJsonl(db(), "{\"id\":\"kb-002\"\n", "zhishi", Now());
    ASSERT_FALSE(not_json.ok());
    EXPECT_EQ(not_json.error().field, "line 1: json");
    auto dup = ImportJsonl(db(), std::string(R"({"id":"x1","question":"问题一？","answer":"答案一。","category":"a"})") + "\n" +
                                     R"({"id":"x1","question":"问题二？","answer":"答案二。","category":"a"})",
                           "zhishi", Now());
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().field, "line 2: id");
}

TEST_P(KbStoreTest, LexiconHasADefaultVersionsAndRules) {
    auto fresh = GetLexicon(db());
    ASSERT_TRUE(fresh.ok());
    EXPECT_EQ(fresh->version, 0);
    ASSERT_TRUE(EnsureLexicon(db(), Now()).ok());
    ASSERT_TRUE(EnsureLexicon(db(), Now()).ok());
    auto stored = GetLexicon(db());
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->version, 1);
    EXPECT_EQ(stored->lexicon.synonyms.size(), DefaultLexicon().synonyms.size());

    const std::int64_t before = *StateVersion(db());
    Lexicon mine{{{"档案", "材料", "资料"}, {"社保", "社会保险"}}, {"请问", "你好", "请问"}};
    auto put = PutLexicon(db(), mine, 1, "zhishi", Now());
    ASSERT_TRUE(put.ok()) << Why(put);
    EXPECT_EQ(put->version, 2);
    EXPECT_EQ(put->lexicon.stop_phrases, (std::vector<std::string>{"请问", "你好"}));
    EXPECT_EQ(*StateVersion(db()), before + 1);
    auto stale = PutLexicon(db(), mine, 1, "zhishi", Now());
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.error().reason, "version_conflict");

    for (const Lexicon& bad : {Lexicon{{{"档案"}}, {}}, Lexicon{{{"档案", "材料"}, {"资料", "材料"}}, {}},
                               Lexicon{{{"档案", std::string(21 * 3, 'a')}}, {}}}) {
        auto r = PutLexicon(db(), bad, 2, "zhishi", Now());
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().reason, "invalid_synonyms");
        EXPECT_EQ(r.error().field, "synonyms");
    }
    auto bad_stop = PutLexicon(db(), Lexicon{{}, {std::string(21 * 3, 'a')}}, 2, "zhishi", Now());
    ASSERT_FALSE(bad_stop.ok());
    EXPECT_EQ(bad_stop.error().reason, "invalid_stop_phrases");
}

TEST_P(KbStoreTest, IndexFollowsTheDatabaseVersionOnEveryNode) {
    ASSERT_TRUE(ImportJsonl(db(), DemoKbJsonl(), "system", Now(), true).ok());
    auto other_node = scratch_->OpenHandle();
    ASSERT_TRUE(other_node.ok());
    Index here(db());
    Index there(**other_node);
    auto snap = here.Current();
    EXPECT_EQ(snap->entries.size(), 60u);
    MatchResult r = snap->Match("如何查询我的社保档案存放在哪里？", "web");
    ASSERT_FALSE(r.top.empty());
    EXPECT_EQ(r.top[0].id, "kb-001");
    EXPECT_EQ(there.Current()->entries.size(), 60u);

    // A kiosk-only entry with a phone answer, published here; the other node sees it after its check.
    EntryFields f = Fields("自助终端打印的凭条丢了怎么办？");
    f.channels = {"kiosk", "phone"};
    f.phone_answer = "请到窗口补打。";
    Entry e = MustCreate(f);
    ASSERT_TRUE(SubmitEntry(db(), e.id, 1, Now()).ok());
    ASSERT_TRUE(ApproveEntry(db(), e.id, 1, "shenhe", Now()).ok());
    EXPECT_EQ(there.Current()->Find(e.id), nullptr);  // not yet checked
    ASSERT_TRUE(there.RefreshIfChanged().ok());
    auto now_there = there.Current();
    const PublishedEntry* p = now_there->Find(e.id);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(ServesChannel(*p, "kiosk"));
    EXPECT_FALSE(ServesChannel(*p, "web"));
    EXPECT_FALSE(ServesChannel(*p, "mobile"));
    EXPECT_EQ(AnswerFor(*p, "phone"), "请到窗口补打。");
    EXPECT_EQ(AnswerFor(*p, "kiosk"), f.answer);
    for (const Candidate& c : now_there->Match(f.question, "web", 5).top) EXPECT_NE(c.id, e.id);
    MatchResult kiosk = now_there->Match(f.question, "kiosk", 5);
    bool found = false;
    for (const Candidate& c : kiosk.top) found = found || c.id == e.id;
    EXPECT_TRUE(found) << "the kiosk's matcher knows the new entry";

    // Archived: gone after the next check.
    ASSERT_TRUE(ArchiveEntry(db(), e.id, Now()).ok());
    ASSERT_TRUE(there.RefreshIfChanged().ok());
    EXPECT_EQ(there.Current()->Find(e.id), nullptr);
}

TEST_P(KbStoreTest, UnansweredQuestionsAreGroupedSuggestedAndResolved) {
    ASSERT_TRUE(ImportJsonl(db(), DemoKbJsonl(), "system", Now(), true).ok());
    const std::int64_t t = Now();
    const std::vector<std::pair<const char*, const char*>> asked{
        {"公积金怎么提取", "web"},   {"公积金如何提取？", "wechat"}, {"怎么提取公积金", "kiosk"},
        {"今天天气怎么样", "web"},   {"社保档案可以邮寄吗", "web"},
    };
    for (std::size_t i = 0; i < asked.size(); ++i) {
        UnansweredQuestion q{asked[i].first, "", asked[i].second, i % 2 ? "none" : "handoff", std::nullopt,
                             t - static_cast<std::int64_t>(i) * 1000};
        ASSERT_TRUE(LogUnanswered(db(), clock_, q).ok());
    }
    auto bad = LogUnanswered(db(), clock_, UnansweredQuestion{"x", "", "web", "bored", std::nullopt, t});
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().reason, "invalid_reason");

    auto items = ListUnanswered(db(), t - 86'400'000);
    ASSERT_TRUE(items.ok());
    ASSERT_EQ(items->size(), 5u);
    EXPECT_GT(BigramSimilarity("公积金怎么提取", "公积金如何提取？"), 0.3);
    auto groups = GroupUnanswered(*items, 0.3);
    ASSERT_EQ(groups.size(), 3u);
    EXPECT_EQ(groups[0].questions.size(), 3u);
    EXPECT_EQ(groups[0].representative, "公积金怎么提取");
    EXPECT_EQ(groups[0].channels.at("wechat"), 1);
    Index index(db());
    AddSuggestions(groups, *index.Current());

    std::vector<std::string> ids;
    for (const UnansweredItem& q : groups[0].questions) ids.push_back(q.id);
    auto missing = ResolveUnanswered(db(), ids, std::string("kb-999"), "zhishi", Now());
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().reason, "entry_not_found");
    auto resolved = ResolveUnanswered(db(), ids, std::string("kb-001"), "zhishi", Now());
    ASSERT_TRUE(resolved.ok()) << Why(resolved);
    EXPECT_EQ(*resolved, 3);
    EXPECT_EQ(*ResolveUnanswered(db(), ids, std::nullopt, "zhishi", Now()), 0);
    EXPECT_EQ(ListUnanswered(db(), t - 86'400'000)->size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, KbStoreTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::kb
