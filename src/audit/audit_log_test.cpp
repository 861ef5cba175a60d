// The audit log on both backends: the group-committed writer, the chain it builds, and
// Verify() against tampering done with plain SQL.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "audit/chain.hpp"
#include "audit/group_commit_log.hpp"
#include "audit/test_fixture.hpp"
#include "audit/verify.hpp"
#include "core/clock.hpp"
#include "db/testing.hpp"

namespace dangan::audit {
namespace {

using db::testutil::Why;
using testing::AuditDbTest;

Entry Sample(int i) {
    Entry e;
    e.actor_kind = "staff";
    e.actor_id = "user-" + std::to_string(i % 3);
    e.action = i % 2 == 0 ? "person.read" : "login";
    e.subject_person_id = "person-" + std::to_string(i % 5);
    e.target = "person:" + std::to_string(i);
    e.purpose = "窗口查档";
    e.channel = "staff";
    e.address = "10.0.0." + std::to_string(i % 250);
    e.request_id = "req-" + std::to_string(i);
    e.detail_json = R"({"i":)" + std::to_string(i) + "}";
    return e;
}

class AuditLogTest : public AuditDbTest {
protected:
    GroupCommitOptions Options(std::int64_t batch_max = 256, int wait_ms = 2) {
        return GroupCommitOptions{batch_max, std::chrono::milliseconds(wait_ms)};
    }

    // Appends `n` sample rows through a GroupCommitLog.
    void Fill(int n) {
        GroupCommitLog log(*db_, clock_, Options());
        for (int i = 0; i < n; ++i) {
            auto s = log.Record(Sample(i));
            ASSERT_TRUE(s.ok()) << Why(s);
        }
    }

    VerifyResult MustVerify(std::int64_t page_size = 1000) {
        auto r = Verify(*db_, page_size);
        EXPECT_TRUE(r.ok()) << Why(r);
        return r.ok() ? *r : VerifyResult{};
    }

    std::int64_t Count() { return Run("SELECT COUNT(*) FROM audit_log").rows.at(0).Int(0); }

    core::SystemClock clock_;
};

TEST_P(AuditLogTest, EmptyLogVerifies) {
    VerifyResult r = MustVerify();
    EXPECT_TRUE(r.ok);
    EXPECT_EQ(r.rows, 0);
    EXPECT_EQ(r.head_hash, kGenesisHashHex);
}

TEST_P(AuditLogTest, ChainOfRowsVerifiesAcrossPages) {
    Fill(50);
    for (std::int64_t page : {1, 7, 50, 1000}) {
        VerifyResult r = MustVerify(page);
        EXPECT_TRUE(r.ok) << "page " << page << ": " << r.message;
        EXPECT_EQ(r.rows, 50);
    }
    auto rows = Run("SELECT " + std::string(kRowColumns) + " FROM audit_log ORDER BY seq");
    ASSERT_EQ(rows.rows.size(), 50u);
    StoredRow first = RowFrom(rows.rows[0]);
    EXPECT_EQ(first.seq, 1);
    EXPECT_EQ(first.prev_hash, kGenesisHashHex);
    EXPECT_EQ(first.entry.purpose, "窗口查档");
    for (std::size_t i = 1; i < rows.rows.size(); ++i) {
        EXPECT_EQ(RowFrom(rows.rows[i]).seq, static_cast<std::int64_t>(i + 1));
        EXPECT_EQ(RowFrom(rows.rows[i]).prev_hash, RowFrom(rows.rows[i - 1]).hash);
    }
    EXPECT_EQ(MustVerify().head_hash, RowFrom(rows.rows.back()).hash);
}

TEST_P(AuditLogTest, TriggersRefuseUpdateAndDelete) {
    Fill(3);
    EXPECT_FALSE(db_->Query("UPDATE audit_log SET action = 'x' WHERE seq = 2").ok());
    EXPECT_FALSE(db_->Query("DELETE FROM audit_log WHERE seq = 3").ok());
    EXPECT_FALSE(db_->Query("DELETE FROM audit_log").ok());
    if (IsPostgres()) {
        EXPECT_FALSE(db_->Query("TRUNCATE audit_log").ok());
    }
    EXPECT_EQ(Count(), 3);
    EXPECT_TRUE(MustVerify().ok);
}

TEST_P(AuditLogTest, EditingAnySingleFieldNamesThatRow) {
    Fill(10);
    DisableTriggers();
    const char* kColumns[] = {"id",          "actor_kind", "actor_id", "action",  "subject_person_id",
                              "target",      "purpose",    "channel",  "address", "request_id",
                              "detail_json", "prev_hash",  "hash"};
    for (const char* column : kColumns) {
        const std::string col = column;
        auto before = Run("SELECT " + col + " FROM audit_log WHERE seq = 5");
        ASSERT_EQ(before.rows.size(), 1u);
        const std::string original = before.rows[0].Text(0);
        Run("UPDATE audit_log SET " + col + " = ? WHERE seq = 5", {original + "x"});
        VerifyResult r = MustVerify();
        EXPECT_FALSE(r.ok) << col;
        EXPECT_EQ(r.first_broken_seq, 5) << col;
        EXPECT_EQ(r.reason, col == "prev_hash" ? "prev_hash_mismatch" : "hash_mismatch") << col;
        EXPECT_EQ(r.rows, 10) << col;
        Run("UPDATE audit_log SET " + col + " = ? WHERE seq = 5", {original});
        EXPECT_TRUE(MustVerify().ok) << col << " restored";
    }
    Run("UPDATE audit_log SET at_ms = at_ms + 1 WHERE seq = 5");
    VerifyResult at = MustVerify();
    EXPECT_EQ(at.first_broken_seq, 5);
    EXPECT_EQ(at.reason, "hash_mismatch");
    EXPECT_EQ(at.broken_action, Sample(4).action);
    Run("UPDATE audit_log SET at_ms = at_ms - 1 WHERE seq = 5");
    EXPECT_TRUE(MustVerify().ok);
}

TEST_P(AuditLogTest, TruncatingAHashNamesThatRow) {
    Fill(10);
    DisableTriggers();
    Run("UPDATE audit_log SET hash = SUBSTR(hash, 1, 32) WHERE seq = 6");
    VerifyResult r = MustVerify(4);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_broken_seq, 6);
    EXPECT_EQ(r.reason, "hash_mismatch");
}

TEST_P(AuditLogTest, DeletingARowIsCaught) {
    Fill(10);
    DisableTriggers();
    Run("DELETE FROM audit_log WHERE seq = 4");
    VerifyResult r = MustVerify(3);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_broken_seq, 5);
    EXPECT_EQ(r.reason, "seq_gap");
    EXPECT_EQ(r.rows, 9);
    EXPECT_NE(r.message.find("第 4 条记录缺失"), std::string::npos) << r.message;

    Run("DELETE FROM audit_log WHERE seq = 1");
    EXPECT_EQ(MustVerify().first_broken_seq, 2);
}

TEST_P(AuditLogTest, DeletingARowAndRenumberingIsCaught) {
    Fill(10);
    DisableTriggers();
    Run("DELETE FROM audit_log WHERE seq = 4");
    for (int seq = 5; seq <= 10; ++seq) Run("UPDATE audit_log SET seq = seq - 1 WHERE seq = ?", {std::int64_t{seq}});
    VerifyResult r = MustVerify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_broken_seq, 4);
    EXPECT_EQ(r.reason, "prev_hash_mismatch");
}

TEST_P(AuditLogTest, SwappingTwoRowsContentsIsCaught) {
    Fill(10);
    DisableTriggers();
    const std::string columns(kRowColumns);
    auto read = [&](std::int64_t seq) {
        return RowFrom(Run("SELECT " + columns + " FROM audit_log WHERE seq = ?", {seq}).rows.at(0));
    };
    auto write = [&](std::int64_t seq, const StoredRow& from) {
        const Entry& e = from.entry;
        Run("UPDATE audit_log SET id = ?, at_ms = ?, actor_kind = ?, actor_id = ?, action = ?, subject_person_id = ?, "
            "target = ?, purpose = ?, channel = ?, address = ?, request_id = ?, detail_json = ?, prev_hash = ?, "
            "hash = ? WHERE seq = ?",
            {from.id, from.at_ms, e.actor_kind, e.actor_id, e.action, e.subject_person_id, e.target, e.purpose,
             e.channel, e.address, e.request_id, e.detail_json, from.prev_hash, from.hash, seq});
    };
    // id is unique: park one row's id while the other takes it.
    auto swap = [&](const StoredRow& a, const StoredRow& b) {
        Run("UPDATE audit_log SET id = 'parked' WHERE seq = ?", {a.seq});
        write(b.seq, a);
        write(a.seq, b);
    };
    const StoredRow three = read(3);
    const StoredRow seven = read(7);
    swap(three, seven);
    VerifyResult r = MustVerify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_broken_seq, 3);
    EXPECT_EQ(r.reason, "prev_hash_mismatch");

    // Swapping everything except the chain columns is caught by the row's own hash.
    swap(read(3), read(7));
    ASSERT_TRUE(MustVerify().ok);
    StoredRow three_with_seven = seven;
    three_with_seven.prev_hash = three.prev_hash;
    three_with_seven.hash = three.hash;
    three_with_seven.id = "other-id";
    write(3, three_with_seven);
    EXPECT_EQ(MustVerify().first_broken_seq, 3);
    EXPECT_EQ(MustVerify().reason, "hash_mismatch");
}

TEST_P(AuditLogTest, ReorderingRowsIsCaught) {
    Fill(10);
    DisableTriggers();
    Run("UPDATE audit_log SET seq = 1000 WHERE seq = 3");
    Run("UPDATE audit_log SET seq = 3 WHERE seq = 7");
    Run("UPDATE audit_log SET seq = 7 WHERE seq = 1000");
    VerifyResult r = MustVerify();
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.first_broken_seq, 3);
}

TEST_P(AuditLogTest, ConcurrentRecordsShareTransactions) {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 200;
    GroupCommitLog log(*db_, clock_, Options());
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                if (auto s = log.Record(Sample(t * kPerThread + i)); !s.ok()) {
                    ADD_FAILURE() << Why(s);
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    GroupCommitStats stats = log.Stats();
    constexpr std::int64_t kRows = kThreads * kPerThread;
    EXPECT_EQ(stats.rows, kRows);
    EXPECT_EQ(Count(), kRows);
    VerifyResult r = MustVerify(333);
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.rows, kRows);
    auto distinct = Run("SELECT COUNT(DISTINCT request_id) FROM audit_log");
    EXPECT_EQ(distinct.rows.at(0).Int(0), kRows);
    // Each thread waits for its own entry, so at most 8 are ever queued: a batch per ~8 rows.
    EXPECT_LE(stats.commits * 3, kRows) << "commits " << stats.commits;
    std::printf("[ figures  ] %s: %lld rows in %lld commits (%.1f rows per commit, largest batch %lld)\n",
                GetParam().name.c_str(), static_cast<long long>(stats.rows), static_cast<long long>(stats.commits),
                static_cast<double>(stats.rows) / static_cast<double>(stats.commits),
                static_cast<long long>(stats.largest_batch));
}

TEST_P(AuditLogTest, TwoNodesWritingAtOnceBuildOneChain) {
    auto other_db = OpenDb();
    ASSERT_TRUE(other_db);
    GroupCommitLog node_a(*db_, clock_, Options(16, 1));
    GroupCommitLog node_b(*other_db, clock_, Options(16, 1));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            GroupCommitLog& log = t % 2 == 0 ? node_a : node_b;
            for (int i = 0; i < 100; ++i) {
                if (auto s = log.Record(Sample(t * 100 + i)); !s.ok()) {
                    ADD_FAILURE() << Why(s);
                    ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(node_a.Stats().rows + node_b.Stats().rows, 800);
    EXPECT_GT(node_a.Stats().rows, 0);
    EXPECT_GT(node_b.Stats().rows, 0);
    VerifyResult r = MustVerify();
    EXPECT_TRUE(r.ok) << r.message;
    EXPECT_EQ(r.rows, 800);
    auto bounds = Run("SELECT MIN(seq), MAX(seq) FROM audit_log");
    EXPECT_EQ(bounds.rows.at(0).Int(0), 1);
    EXPECT_EQ(bounds.rows.at(0).Int(1), 800);
}

TEST_P(AuditLogTest, StopFlushesAndLaterRecordsFail) {
    // A batch that would wait a whole second for company: Stop() cuts the wait short and
    // still writes every queued entry.
    GroupCommitLog log(*db_, clock_, Options(1000, 1000));
    std::vector<std::thread> threads;
    for (int i = 0; i < 5; ++i) {
        threads.emplace_back([&, i] { EXPECT_TRUE(log.Record(Sample(i)).ok()); });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const auto started = std::chrono::steady_clock::now();
    log.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
    for (auto& th : threads) th.join();
    EXPECT_EQ(Count(), 5);
    EXPECT_EQ(log.Stats().commits, 1);
    auto after = log.Record(Sample(9));
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().code, ErrorCode::kUnavailable);
    log.Stop();  // idempotent
}

TEST_P(AuditLogTest, AwkwardTextIsStoredSafely) {
    GroupCommitLog log(*db_, clock_, Options());
    Entry e = Sample(1);
    e.purpose = std::string("a\0b", 3) + "\xff\xfe" + "'; DROP TABLE audit_log; --";
    e.target = std::string(5000, 'x');
    ASSERT_TRUE(log.Record(e).ok());
    auto rs = Run("SELECT purpose, target FROM audit_log");
    ASSERT_EQ(rs.rows.size(), 1u);
    EXPECT_EQ(rs.rows[0].Text(0),
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD\xEF\xBF\xBD'; DROP TABLE audit_log; --");
    EXPECT_EQ(rs.rows[0].Text(1).size(), kMaxFieldBytes);
    EXPECT_TRUE(MustVerify().ok);

    Entry nameless = Sample(2);
    nameless.action.clear();
    EXPECT_EQ(log.Record(nameless).error().code, ErrorCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Backends, AuditLogTest, ::testing::ValuesIn(testing::Backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace dangan::audit
