// The outbox and its sender on every backend: SQLite on a fresh temporary file, and PostgreSQL
// in a fresh schema when DANGAN_TEST_PG_URL names a server (skipped otherwise). Time is a
// FixedClock, the gateway a scripted fake.

#include "notify/sender.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/crypto.hpp"
#include "db/testing.hpp"
#include "notify/outbox.hpp"

namespace dangan::notify {
namespace {

using db::testutil::Why;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kMobile = "13812345678";

// A gateway that records what it was given and answers from a script (ok when the script is empty).
class FakeGateway final : public Gateway {
public:
    enum class Answer { kOk, kFail, kThrow };

    Status Send(const std::string& recipient, const std::string& text) override {
        Answer answer = Answer::kOk;
        {
            std::lock_guard lock(mutex_);
            sent_.push_back({recipient, text});
            if (!script_.empty()) {
                answer = script_.front();
                script_.pop_front();
            } else if (always_fail_) {
                answer = Answer::kFail;
            }
        }
        if (hold_) hold_();
        if (answer == Answer::kThrow) throw std::runtime_error("provider library crashed");
        if (answer == Answer::kFail) return MakeError(ErrorCode::kUnavailable, "网关故障 503");
        return Ok();
    }

    void Script(std::initializer_list<Answer> answers) {
        std::lock_guard lock(mutex_);
        script_.insert(script_.end(), answers);
    }
    void AlwaysFail() { always_fail_ = true; }
    // Called inside Send, after recording: lets a test hold a send in flight.
    void OnSend(std::function<void()> hold) { hold_ = std::move(hold); }

    std::vector<std::pair<std::string, std::string>> sent() {
        std::lock_guard lock(mutex_);
        return sent_;
    }

private:
    std::mutex mutex_;
    std::deque<Answer> script_;
    std::atomic<bool> always_fail_{false};
    std::function<void()> hold_;
    std::vector<std::pair<std::string, std::string>> sent_;
};

class SenderTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        scratch_ = std::make_unique<db::testutil::ScratchDatabase>(GetParam(), "dangan_notify_");
        if (scratch_->skipped()) GTEST_SKIP() << "DANGAN_TEST_PG_URL is not set: the PostgreSQL run is skipped";
        ASSERT_TRUE(scratch_->error().empty()) << scratch_->error();
        db_ = OpenDb();
        ASSERT_TRUE(db_);
        keys_.seal_key = core::SecureRandom(core::kSealKeySize);
        keys_.index_key = core::SecureRandom(32);
    }

    void TearDown() override {
        db_.reset();
        scratch_.reset();
    }

    // Another handle on the same database: a second server node.
    std::unique_ptr<db::Database> OpenDb() {
        auto db = scratch_->OpenHandle();
        EXPECT_TRUE(db.ok()) << Why(db);
        return db.ok() ? std::move(*db) : nullptr;
    }

    std::string Queue(const std::string& text, const std::string& mobile = kMobile) {
        std::string id;
        Status s = db_->Transaction([&](db::Connection& conn) -> Status {
            auto queued = Enqueue(conn, keys_, clock_, {"sms", mobile, text, "test"});
            if (!queued) return queued.error();
            id = *queued;
            return Ok();
        });
        EXPECT_TRUE(s.ok()) << Why(s);
        return id;
    }

    std::unique_ptr<Sender> MakeSender(FakeGateway*& fake, db::Database& db, SenderOptions options = {}) {
        auto gateway = std::make_unique<FakeGateway>();
        fake = gateway.get();
        return std::make_unique<Sender>(db, keys_, clock_, std::move(gateway), options);
    }

    db::Row Row(const std::string& id) {
        auto rs = db_->Query(
            "SELECT state, attempts, next_attempt_at_ms, last_error, sent_at_ms, lease_until_ms FROM outbox "
            "WHERE id = ?",
            {id});
        EXPECT_TRUE(rs.ok() && rs->rows.size() == 1) << Why(rs);
        return rs.ok() && rs->rows.size() == 1 ? rs->rows.front() : db::Row({});
    }

    std::int64_t NowMs() const {
        return std::chrono::duration_cast<milliseconds>(clock_.Now().time_since_epoch()).count();
    }

    int Run(Sender& sender) {
        auto handled = sender.RunOnce();
        EXPECT_TRUE(handled.ok()) << Why(handled);
        return handled.ok() ? *handled : -1;
    }

    core::FixedClock clock_{
        core::FromShanghai(std::chrono::local_days{std::chrono::year{2026} / 3 / 2} + std::chrono::hours{10})};
    core::Keyring keys_;
    std::unique_ptr<db::testutil::ScratchDatabase> scratch_;
    std::unique_ptr<db::Database> db_;
};

TEST(Backoff, DoublesFromFiveSecondsUpToAnHour) {
    EXPECT_EQ(BackoffDelay(1), seconds(5));
    EXPECT_EQ(BackoffDelay(2), seconds(10));
    EXPECT_EQ(BackoffDelay(3), seconds(20));
    EXPECT_EQ(BackoffDelay(10), seconds(2560));
    EXPECT_EQ(BackoffDelay(11), seconds(3600));
    EXPECT_EQ(BackoffDelay(100), seconds(3600));
}

TEST_P(SenderTest, EnqueueLivesAndDiesWithTheCallersTransaction) {
    Status rolled_back = db_->Transaction([&](db::Connection& conn) -> Status {
        auto queued = Enqueue(conn, keys_, clock_, {"sms", kMobile, "验证码 111111", "otp"});
        EXPECT_TRUE(queued.ok()) << Why(queued);
        return MakeError(ErrorCode::kConflict, "业务失败");
    });
    EXPECT_FALSE(rolled_back.ok());
    auto count = db_->Query("SELECT COUNT(*) FROM outbox");
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(count->rows[0].Int(0), 0);

    const std::string id = Queue("验证码 222222");
    auto row = db_->Query(
        "SELECT channel, text, template_id, state, attempts, next_attempt_at_ms, created_at_ms "
        "FROM outbox WHERE id = ?",
        {id});
    ASSERT_TRUE(row.ok() && row->rows.size() == 1) << Why(row);
    const db::Row& r = row->rows[0];
    EXPECT_EQ(r.Text(0), "sms");
    EXPECT_EQ(r.Text(1), "验证码 222222");
    EXPECT_EQ(r.Text(2), "test");
    EXPECT_EQ(r.Text(3), "queued");
    EXPECT_EQ(r.Int(4), 0);
    EXPECT_EQ(r.Int(5), NowMs());
    EXPECT_EQ(r.Int(6), NowMs());
}

TEST_P(SenderTest, EnqueueRefusesWhatNoSenderCouldDeliver) {
    Status s = db_->Transaction([&](db::Connection& conn) -> Status {
        auto bad_mobile = Enqueue(conn, keys_, clock_, {"sms", "12345", "x", "t"});
        EXPECT_FALSE(bad_mobile.ok());
        if (!bad_mobile.ok()) {
            EXPECT_EQ(bad_mobile.error().reason, "invalid_mobile");
        }
        auto bad_channel = Enqueue(conn, keys_, clock_, {"fax", kMobile, "x", "t"});
        EXPECT_FALSE(bad_channel.ok());
        auto empty = Enqueue(conn, keys_, clock_, {"sms", kMobile, "", "t"});
        EXPECT_FALSE(empty.ok());
        return Ok();
    });
    EXPECT_TRUE(s.ok()) << Why(s);
}

TEST_P(SenderTest, RecipientIsSealedInTheTable) {
    const std::string id = Queue("您好", "+86 138-1234-5678");
    auto rs = db_->Query("SELECT recipient_sealed, recipient_masked FROM outbox WHERE id = ?", {id});
    ASSERT_TRUE(rs.ok() && rs->rows.size() == 1) << Why(rs);
    const std::string& sealed = rs->rows[0].Blob(0).data;
    EXPECT_EQ(sealed.find(kMobile), std::string::npos);
    EXPECT_EQ(sealed.find("5678"), std::string::npos);
    EXPECT_EQ(rs->rows[0].Text(1), "138****5678");
    auto opened = core::Open(keys_.seal_key, sealed, "outbox.recipient");
    ASSERT_TRUE(opened.ok()) << Why(opened);
    EXPECT_EQ(*opened, kMobile);  // normalised before sealing
    EXPECT_FALSE(core::Open(keys_.seal_key, sealed, "persons.mobile").ok());
}

TEST_P(SenderTest, SendsDueMessagesOnceWithTheOpenedNumber) {
    FakeGateway* fake = nullptr;
    auto sender = MakeSender(fake, *db_);
    const std::string a = Queue("第一条");
    const std::string b = Queue("第二条", "13900000001");
    EXPECT_EQ(Run(*sender), 2);
    EXPECT_EQ(Run(*sender), 0);
    auto sent = fake->sent();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0], (std::pair<std::string, std::string>{kMobile, "第一条"}));
    EXPECT_EQ(sent[1], (std::pair<std::string, std::string>{"13900000001", "第二条"}));
    for (const auto& id : {a, b}) {
        db::Row r = Row(id);
        EXPECT_EQ(r.Text(0), "sent");
        EXPECT_EQ(r.Int(1), 0);
        EXPECT_EQ(r.OptInt(4), NowMs());
    }
}

TEST_P(SenderTest, FailuresAreRetriedWithBackoffThenSent) {
    FakeGateway* fake = nullptr;
    auto sender = MakeSender(fake, *db_);
    fake->Script({FakeGateway::Answer::kFail, FakeGateway::Answer::kThrow, FakeGateway::Answer::kFail});
    const std::int64_t t0 = NowMs();
    const std::string id = Queue("验证码 333333");

    EXPECT_EQ(Run(*sender), 1);  // failure 1 → wait 5 s
    db::Row r = Row(id);
    EXPECT_EQ(r.Text(0), "queued");
    EXPECT_EQ(r.Int(1), 1);
    EXPECT_EQ(r.Int(2), t0 + 5000);
    EXPECT_EQ(r.OptText(3), "网关故障 503");

    clock_.Advance(milliseconds(4999));
    EXPECT_EQ(Run(*sender), 0);
    clock_.Advance(milliseconds(1));
    EXPECT_EQ(Run(*sender), 1);  // failure 2 (an exception) → wait 10 s
    r = Row(id);
    EXPECT_EQ(r.Int(1), 2);
    EXPECT_EQ(r.Int(2), t0 + 15000);
    EXPECT_NE(r.OptText(3).value_or("").find("provider library crashed"), std::string::npos);

    clock_.Advance(milliseconds(9999));
    EXPECT_EQ(Run(*sender), 0);
    clock_.Advance(milliseconds(1));
    EXPECT_EQ(Run(*sender), 1);  // failure 3 → wait 20 s
    EXPECT_EQ(Row(id).Int(2), t0 + 35000);

    clock_.Advance(seconds(20));
    EXPECT_EQ(Run(*sender), 1);
    r = Row(id);
    EXPECT_EQ(r.Text(0), "sent");
    EXPECT_EQ(r.Int(1), 3);
    EXPECT_EQ(r.OptInt(4), t0 + 35000);
    EXPECT_EQ(fake->sent().size(), 4u);
}

TEST_P(SenderTest, MaxAttemptsEndsInFailedWithTheLastError) {
    FakeGateway* fake = nullptr;
    SenderOptions options;
    options.max_attempts = 3;
    auto sender = MakeSender(fake, *db_, options);
    fake->AlwaysFail();
    const std::string id = Queue("验证码 444444");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(Run(*sender), 1) << "attempt " << i + 1;
        clock_.Advance(seconds(60));
    }
    db::Row r = Row(id);
    EXPECT_EQ(r.Text(0), "failed");
    EXPECT_EQ(r.Int(1), 3);
    EXPECT_EQ(r.OptText(3), "网关故障 503");
    EXPECT_TRUE(r.IsNull(4));
    clock_.Advance(std::chrono::hours(24));
    EXPECT_EQ(Run(*sender), 0);
    EXPECT_EQ(fake->sent().size(), 3u);
    auto failed = db_->Query("SELECT recipient_masked, last_error FROM outbox WHERE state = 'failed'");
    ASSERT_TRUE(failed.ok() && failed->rows.size() == 1) << Why(failed);
    EXPECT_EQ(failed->rows[0].Text(0), "138****5678");
}

TEST_P(SenderTest, TwoNodesNeverSendAMessageTwice) {
    auto other_db = OpenDb();
    ASSERT_TRUE(other_db);
    FakeGateway* fake_a = nullptr;
    FakeGateway* fake_b = nullptr;
    SenderOptions options;
    options.batch_size = 7;  // several rounds of queries, interleaved between the nodes
    auto a = MakeSender(fake_a, *db_, options);
    auto b = MakeSender(fake_b, *other_db, options);
    auto pause = [] { std::this_thread::sleep_for(std::chrono::microseconds(200)); };
    fake_a->OnSend(pause);
    fake_b->OnSend(pause);
    constexpr int kMessages = 60;
    for (int i = 0; i < kMessages; ++i) Queue("消息 " + std::to_string(i));

    std::atomic<int> handled{0};
    auto run = [&](Sender& sender) {
        for (int round = 0; round < 3; ++round) {
            auto n = sender.RunOnce();
            EXPECT_TRUE(n.ok()) << Why(n);
            if (n.ok()) handled += *n;
        }
    };
    std::thread ta(run, std::ref(*a));
    std::thread tb(run, std::ref(*b));
    ta.join();
    tb.join();

    std::multiset<std::string> texts;
    for (auto* fake : {fake_a, fake_b}) {
        for (const auto& [to, text] : fake->sent()) texts.insert(text);
    }
    EXPECT_EQ(texts.size(), static_cast<std::size_t>(kMessages));
    EXPECT_EQ(std::set<std::string>(texts.begin(), texts.end()).size(), static_cast<std::size_t>(kMessages));
    EXPECT_EQ(handled.load(), kMessages);
    auto sent = db_->Query("SELECT COUNT(*) FROM outbox WHERE state = 'sent'");
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent->rows[0].Int(0), kMessages);
}

TEST_P(SenderTest, AnExpiredLeaseIsReclaimed) {
    FakeGateway* fake = nullptr;
    SenderOptions options;
    options.lease = seconds(60);
    auto sender = MakeSender(fake, *db_, options);
    const std::string id = Queue("验证码 555555");
    // A node claimed it and died mid-send.
    auto claimed =
        db_->Query("UPDATE outbox SET state = 'sending', lease_until_ms = ? WHERE id = ?", {NowMs() + 60000, id});
    ASSERT_TRUE(claimed.ok()) << Why(claimed);

    clock_.Advance(seconds(59));
    EXPECT_EQ(Run(*sender), 0);
    EXPECT_TRUE(fake->sent().empty());
    EXPECT_EQ(Row(id).Text(0), "sending");

    clock_.Advance(seconds(2));
    EXPECT_EQ(Run(*sender), 1);
    db::Row r = Row(id);
    EXPECT_EQ(r.Text(0), "sent");
    EXPECT_EQ(r.Int(1), 1);  // the interrupted try counts
    EXPECT_NE(r.OptText(3).value_or("").find("租约到期"), std::string::npos);
    EXPECT_EQ(fake->sent().size(), 1u);
}

TEST_P(SenderTest, ALateFailureDoesNotUndoAnotherNodesSend) {
    auto other_db = OpenDb();
    ASSERT_TRUE(other_db);
    FakeGateway* slow = nullptr;
    FakeGateway* fast = nullptr;
    SenderOptions options;
    options.lease = seconds(30);
    auto a = MakeSender(slow, *db_, options);
    auto b = MakeSender(fast, *other_db, options);
    const std::string id = Queue("验证码 666666");

    // Node A claims the message and hangs in the gateway; meanwhile its lease runs out and
    // node B sends the message. Then A's gateway gives up.
    std::mutex m;
    std::condition_variable cv;
    bool in_send = false;
    bool release = false;
    slow->AlwaysFail();
    slow->OnSend([&] {
        std::unique_lock lock(m);
        in_send = true;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
    });
    std::thread ta([&] { EXPECT_EQ(Run(*a), 1); });
    {
        std::unique_lock lock(m);
        ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return in_send; }));
    }
    clock_.Advance(seconds(31));
    EXPECT_EQ(Run(*b), 1);
    EXPECT_EQ(Row(id).Text(0), "sent");
    {
        std::lock_guard lock(m);
        release = true;
    }
    cv.notify_all();
    ta.join();
    EXPECT_EQ(Row(id).Text(0), "sent");
    EXPECT_EQ(fast->sent().size(), 1u);
}

TEST_P(SenderTest, BackgroundThreadSendsOnWakeAndStopsPromptly) {
    FakeGateway* fake = nullptr;
    SenderOptions options;
    options.poll_interval = std::chrono::hours(1);  // only Start's first round and Wake() can send
    auto sender = MakeSender(fake, *db_, options);
    sender->Start();
    sender->Start();                                 // a second Start does nothing
    std::this_thread::sleep_for(milliseconds(200));  // the first round has found nothing
    Queue("唤醒后发送");
    sender->Wake();
    const auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (fake->sent().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(milliseconds(5));
    }
    EXPECT_EQ(fake->sent().size(), 1u);

    const auto before = std::chrono::steady_clock::now();
    sender->Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - before, seconds(2));
    sender->Stop();  // idempotent
    Queue("停止后不再发送");
    sender->Wake();
    std::this_thread::sleep_for(milliseconds(50));
    EXPECT_EQ(fake->sent().size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, SenderTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::notify
