#include "identity/citizen_login.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "core/crypto.hpp"
#include "identity/testing.hpp"

namespace dangan::identity {
namespace {

constexpr std::int64_t kNow = 1'772'416'800'000;  // 2026-03-02 10:00 Shanghai

// ---- Send limits ----

TEST(CheckSendLimits, AFirstCodeIsAllowed) { EXPECT_FALSE(CheckSendLimits({}, kNow, 30)); }

TEST(CheckSendLimits, OnePerMinutePerMobile) {
    SendHistory h;
    h.last_to_mobile_ms = kNow - 59'000;
    auto r = CheckSendLimits(h, kNow, 30);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error.code, ErrorCode::kTooManyRequests);
    EXPECT_EQ(r->error.reason, "too_many_requests");
    EXPECT_EQ(r->retry_after_seconds, 1);
    EXPECT_NE(r->error.message.find("1 秒"), std::string::npos) << r->error.message;
    h.last_to_mobile_ms = kNow - 10'500;
    EXPECT_EQ(CheckSendLimits(h, kNow, 30)->retry_after_seconds, 50);
    h.last_to_mobile_ms = kNow - 60'000;
    EXPECT_FALSE(CheckSendLimits(h, kNow, 30));
}

TEST(CheckSendLimits, TenPerBusinessDayPerMobileUntilShanghaiMidnight) {
    SendHistory h;
    h.today_to_mobile = 9;
    EXPECT_FALSE(CheckSendLimits(h, kNow, 30));
    h.today_to_mobile = 10;
    auto r = CheckSendLimits(h, kNow, 30);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->retry_after_seconds, 14 * 3600) << "10:00 → midnight in Shanghai";
    EXPECT_EQ(r->error.field, "mobile");
}

TEST(CheckSendLimits, PerAddressPerHour) {
    SendHistory h;
    for (int i = 0; i < 3; ++i) h.from_address_ms.push_back(kNow - 1000 * (i + 1) * 60);  // 1, 2, 3 min ago
    EXPECT_FALSE(CheckSendLimits(h, kNow, 4));
    auto r = CheckSendLimits(h, kNow, 3);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->retry_after_seconds, 57 * 60) << "the 3rd newest (3 min ago) leaves the hour in 57 min";
    EXPECT_EQ(r->error.field, "");
    r = CheckSendLimits(h, kNow, 2);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->retry_after_seconds, 58 * 60);
}

TEST(CheckSendLimits, TheLongestWaitWins) {
    SendHistory h;
    h.last_to_mobile_ms = kNow - 1000;
    h.from_address_ms = {kNow - 1000};
    auto r = CheckSendLimits(h, kNow, 1);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->retry_after_seconds, 3599);
}

// ---- Attempts ----

ChallengeState Fresh() { return ChallengeState{0, false, kNow, kNow + kOtpValidMs}; }

TEST(JudgeAttempt, RightCodeInTimeIsAccepted) {
    EXPECT_EQ(JudgeAttempt(Fresh(), kNow + 1000, true), AttemptOutcome::kAccepted);
    ChallengeState s = Fresh();
    s.attempts = 4;
    EXPECT_EQ(JudgeAttempt(s, kNow + 1000, true), AttemptOutcome::kAccepted) << "the fifth try may be right";
}

TEST(JudgeAttempt, WrongCodeExpiryLockAndReuse) {
    EXPECT_EQ(JudgeAttempt(Fresh(), kNow + 1000, false), AttemptOutcome::kWrongCode);
    EXPECT_EQ(JudgeAttempt(Fresh(), kNow + kOtpValidMs, true), AttemptOutcome::kExpired);
    ChallengeState locked = Fresh();
    locked.attempts = 5;
    EXPECT_EQ(JudgeAttempt(locked, kNow + 1000, true), AttemptOutcome::kLocked);
    ChallengeState used = Fresh();
    used.consumed = true;
    EXPECT_EQ(JudgeAttempt(used, kNow + 1000, true), AttemptOutcome::kUsed);
}

TEST(AttemptRefusal, SaysHowManyTriesAreLeftThenLocks) {
    Refusal r = AttemptRefusal(AttemptOutcome::kWrongCode, Fresh(), 1, kNow + 1000);
    EXPECT_EQ(r.error.reason, "invalid_code");
    EXPECT_EQ(r.error.code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error.message.find("4 次"), std::string::npos) << r.error.message;
    r = AttemptRefusal(AttemptOutcome::kWrongCode, Fresh(), 5, kNow + 10'000);
    EXPECT_EQ(r.error.reason, "code_locked");
    EXPECT_EQ(r.error.code, ErrorCode::kTooManyRequests);
    EXPECT_EQ(r.retry_after_seconds, 50) << "a new code may be sent 60 s after this one";
    EXPECT_EQ(AttemptRefusal(AttemptOutcome::kExpired, Fresh(), 0, kNow).error.reason, "code_expired");
    EXPECT_EQ(AttemptRefusal(AttemptOutcome::kLocked, Fresh(), 5, kNow + 120'000).retry_after_seconds, 1);
}

TEST(OtpCode, SixDigitsFromTheCsprng) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string code = NewOtpCode();
        ASSERT_TRUE(std::regex_match(code, std::regex("[0-9]{6}"))) << code;
        seen.insert(code);
    }
    EXPECT_GT(seen.size(), 190u);
}

TEST(OtpCode, HashIsKeyedAndBoundToTheChallenge) {
    core::Keyring keys{core::SecureRandom(32), core::SecureRandom(32)};
    core::Keyring other{core::SecureRandom(32), core::SecureRandom(32)};
    std::string h = OtpCodeHash(keys, "challenge-1", "123456");
    EXPECT_EQ(h.size(), 64u);
    EXPECT_EQ(h, OtpCodeHash(keys, "challenge-1", "123456"));
    EXPECT_NE(h, OtpCodeHash(keys, "challenge-2", "123456"));
    EXPECT_NE(h, OtpCodeHash(keys, "challenge-1", "123457"));
    EXPECT_NE(h, OtpCodeHash(other, "challenge-1", "123456"));
    EXPECT_EQ(h.find("123456"), std::string::npos);
    EXPECT_EQ(OtpSmsText("654321"), "【社保档案】您的登录验证码为 654321，5分钟内有效。如非本人操作，请忽略。");
}

// ---- Against the database ----

class CitizenLoginTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        ASSERT_TRUE(db().Transaction([&](db::Connection& conn) -> Status {
                            auto p = archives::CreatePerson(conn, keys_, clock_, "王芳", kIdNumber, kMobile);
                            if (!p) return p.error();
                            person_id_ = p->id;
                            return Ok();
                        })
                        .ok());
    }

    Answer<CodeSent> Send(const std::string& address = "10.0.0.1", std::string_view mobile = kMobile) {
        return RequestCitizenCode(db(), keys_, clock_, config_, kIdNumber, mobile, address);
    }

    // The code of the newest SMS in the outbox.
    std::string LastCode() {
        auto r = db().Query("SELECT text FROM outbox ORDER BY created_at_ms DESC, id DESC LIMIT 1");
        EXPECT_TRUE(r.ok() && !r->empty());
        if (!r.ok() || r->empty()) return "";
        std::smatch m;
        const std::string& text = r->rows[0].Text(0);
        return std::regex_search(text, m, std::regex("[0-9]{6}")) ? m.str() : "";
    }

    static std::string ReasonOf(const Answer<CodeSent>& a) {
        return std::holds_alternative<Refusal>(a) ? std::get<Refusal>(a).error.reason : "sent";
    }

    static constexpr const char* kIdNumber = "220104199007220026";
    static constexpr const char* kMobile = "13904310002";
    std::string person_id_;
};

TEST_P(CitizenLoginTest, CodeIsSentStoredHashedAndLogsIn) {
    auto sent = Send();
    ASSERT_TRUE(std::holds_alternative<CodeSent>(sent)) << ReasonOf(sent);
    const CodeSent& s = std::get<CodeSent>(sent);
    EXPECT_EQ(s.masked_mobile, "139****0002");
    EXPECT_EQ(s.person_id, person_id_);
    std::string code = LastCode();
    ASSERT_EQ(code.size(), 6u);
    auto stored = db().Query("SELECT code_hash FROM otp_codes WHERE id = ?", {s.challenge_id});
    ASSERT_TRUE(stored.ok() && stored->rows.size() == 1);
    EXPECT_EQ(stored->rows[0].Text(0), OtpCodeHash(keys_, s.challenge_id, code));

    auto login = VerifyCitizenCode(db(), keys_, clock_, s.challenge_id, code);
    ASSERT_TRUE(std::holds_alternative<archives::Person>(login));
    EXPECT_EQ(std::get<archives::Person>(login).id, person_id_);
    auto again = VerifyCitizenCode(db(), keys_, clock_, s.challenge_id, code);
    ASSERT_TRUE(std::holds_alternative<Refusal>(again));
    EXPECT_EQ(std::get<Refusal>(again).error.reason, "code_expired") << "a code logs in once";
}

TEST_P(CitizenLoginTest, UnknownPersonAndWrongMobile) {
    auto unknown = RequestCitizenCode(db(), keys_, clock_, config_, "220102198503150015", kMobile, "10.0.0.1");
    EXPECT_EQ(ReasonOf(unknown), "person_not_found");
    auto mismatch = Send("10.0.0.1", "13904319999");
    EXPECT_EQ(ReasonOf(mismatch), "mobile_mismatch");
    EXPECT_EQ(std::get<Refusal>(mismatch).person_id, person_id_);
    EXPECT_EQ(ReasonOf(RequestCitizenCode(db(), keys_, clock_, config_, "'; DROP TABLE persons; --", kMobile, "a")),
              "invalid_id_number");
    EXPECT_EQ(ReasonOf(Send("10.0.0.1", std::string(10000, '1'))), "invalid_mobile");
}

TEST_P(CitizenLoginTest, FiveWrongCodesKillTheChallenge) {
    auto sent = Send();
    ASSERT_TRUE(std::holds_alternative<CodeSent>(sent));
    const std::string id = std::get<CodeSent>(sent).challenge_id;
    const std::string code = LastCode();
    const std::string wrong = code == "000000" ? "000001" : "000000";
    for (int i = 1; i <= 5; ++i) {
        auto r = VerifyCitizenCode(db(), keys_, clock_, id, wrong);
        ASSERT_TRUE(std::holds_alternative<Refusal>(r));
        EXPECT_EQ(std::get<Refusal>(r).error.reason, i < 5 ? "invalid_code" : "code_locked") << "try " << i;
    }
    auto right = VerifyCitizenCode(db(), keys_, clock_, id, code);
    ASSERT_TRUE(std::holds_alternative<Refusal>(right));
    EXPECT_EQ(std::get<Refusal>(right).error.reason, "code_locked");
}

TEST_P(CitizenLoginTest, CodeExpiresAfterFiveMinutes) {
    auto sent = Send();
    ASSERT_TRUE(std::holds_alternative<CodeSent>(sent));
    clock_.Advance(std::chrono::minutes(5));
    auto r = VerifyCitizenCode(db(), keys_, clock_, std::get<CodeSent>(sent).challenge_id, LastCode());
    ASSERT_TRUE(std::holds_alternative<Refusal>(r));
    EXPECT_EQ(std::get<Refusal>(r).error.reason, "code_expired");
}

TEST_P(CitizenLoginTest, MalformedAndUnknownChallenges) {
    auto r = VerifyCitizenCode(db(), keys_, clock_, "0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "123456");
    EXPECT_EQ(std::get<Refusal>(r).error.reason, "challenge_not_found");
    r = VerifyCitizenCode(db(), keys_, clock_, "'; DROP TABLE otp_codes; --", "123456");
    EXPECT_EQ(std::get<Refusal>(r).error.reason, "invalid_challenge_id");
    r = VerifyCitizenCode(db(), keys_, clock_, "0190e1f2-7a3b-7c4d-9e5f-0123456789ab", "12345x");
    EXPECT_EQ(std::get<Refusal>(r).error.reason, "invalid_code");
}

TEST_P(CitizenLoginTest, LimitsAreCountedFromTheTable) {
    EXPECT_EQ(ReasonOf(Send()), "sent");
    auto again = Send();
    EXPECT_EQ(ReasonOf(again), "too_many_requests");
    EXPECT_EQ(std::get<Refusal>(again).retry_after_seconds, 60);
    clock_.Advance(std::chrono::seconds(60));
    EXPECT_EQ(ReasonOf(Send()), "sent");

    // Ten a day: eight more, a minute apart, then the eleventh is refused until midnight.
    for (int i = 0; i < 8; ++i) {
        clock_.Advance(std::chrono::seconds(61));
        ASSERT_EQ(ReasonOf(Send("10.0.0." + std::to_string(i + 2))), "sent") << i;
    }
    clock_.Advance(std::chrono::seconds(61));
    auto eleventh = Send("10.0.0.99");
    ASSERT_EQ(ReasonOf(eleventh), "too_many_requests");
    EXPECT_GT(std::get<Refusal>(eleventh).retry_after_seconds, 13 * 3600);
    clock_.Advance(std::chrono::hours(14));
    EXPECT_EQ(ReasonOf(Send("10.0.0.99")), "sent") << "a new business day";
}

TEST_P(CitizenLoginTest, PerAddressLimit) {
    config_.otp.per_address_per_hour = 2;
    EXPECT_EQ(ReasonOf(Send("10.9.9.9")), "sent");
    clock_.Advance(std::chrono::seconds(61));
    EXPECT_EQ(ReasonOf(Send("10.9.9.9")), "sent");
    clock_.Advance(std::chrono::seconds(61));
    auto third = Send("10.9.9.9");
    ASSERT_EQ(ReasonOf(third), "too_many_requests");
    EXPECT_EQ(std::get<Refusal>(third).retry_after_seconds, 3600 - 122);
    EXPECT_EQ(ReasonOf(Send("10.9.9.8")), "sent") << "another address";
}

INSTANTIATE_TEST_SUITE_P(Backends, CitizenLoginTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace dangan::identity
