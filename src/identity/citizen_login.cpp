#include "identity/citizen_login.hpp"

#include <algorithm>
#include <cstring>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/validators.hpp"
#include "identity/sessions.hpp"
#include "notify/outbox.hpp"

namespace dangan::identity {

namespace {

constexpr std::int64_t kDayMs = 24 * kHourMs;
constexpr std::int64_t kShanghaiOffsetMs = 8 * kHourMs;
constexpr int kVerifyRetries = 3;
// Unknown ID numbers and mismatched mobiles one address may try per hour.
constexpr std::int64_t kMaxLookupFailuresPerHour = 10;

constexpr std::string_view kLastToMobile =
    "SELECT created_at_ms FROM otp_codes WHERE mobile_index = ? ORDER BY created_at_ms DESC LIMIT 1";
constexpr std::string_view kCountTodayToMobile =
    "SELECT COUNT(*) FROM otp_codes WHERE mobile_index = ? AND business_date = ?";
constexpr std::string_view kRecentFromAddress =
    "SELECT created_at_ms FROM otp_codes WHERE address = ? AND created_at_ms > ? ORDER BY created_at_ms DESC "
    "LIMIT ?";
constexpr std::string_view kRecentLookupFailures =
    "SELECT at_ms FROM lookup_failures WHERE address = ? AND at_ms > ? ORDER BY at_ms DESC LIMIT ?";
constexpr std::string_view kInsertLookupFailure =
    "INSERT INTO lookup_failures (address, kind, at_ms) VALUES (?, ?, ?)";
constexpr std::string_view kInsertCode =
    "INSERT INTO otp_codes (id, person_id, mobile_index, code_hash, address, business_date, created_at_ms, "
    "expires_at_ms, attempts, consumed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0)";
constexpr std::string_view kSelectChallenge =
    "SELECT person_id, code_hash, attempts, consumed, created_at_ms, expires_at_ms FROM otp_codes WHERE id = ?";
// Spends one try only if nobody else spent it first (attempts unchanged since we read it).
constexpr std::string_view kSpendAttempt =
    "UPDATE otp_codes SET attempts = attempts + 1, consumed = ? WHERE id = ? AND attempts = ? AND consumed = 0";

Error TooMany(std::string message, std::string field) {
    return MakeError(ErrorCode::kTooManyRequests, std::move(message), std::move(field), "too_many_requests");
}

bool IsSixDigits(std::string_view code) {
    return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Refusal> CheckSendLimits(const SendHistory& history, std::int64_t now_ms,
                                       std::int64_t per_address_per_hour) {
    std::optional<Refusal> worst;
    auto consider = [&](std::int64_t until_ms, const std::string& what, const std::string& field) {
        std::int64_t seconds = SecondsUntil(now_ms, until_ms);
        if (worst && worst->retry_after_seconds >= seconds) return;
        worst = Refusal(TooMany(what + "请 " + std::to_string(seconds) + " 秒后再试", field), seconds);
    };
    if (history.last_to_mobile_ms && now_ms - *history.last_to_mobile_ms < kOtpResendMs) {
        consider(*history.last_to_mobile_ms + kOtpResendMs, "验证码发送过于频繁，", "mobile");
    }
    if (history.today_to_mobile >= kOtpPerMobilePerDay) {
        std::int64_t next_midnight = ((now_ms + kShanghaiOffsetMs) / kDayMs + 1) * kDayMs - kShanghaiOffsetMs;
        consider(next_midnight,
                 "该手机号今天获取验证码的次数已达上限（" + std::to_string(kOtpPerMobilePerDay) + " 次），请明天再试；",
                 "mobile");
    }
    const auto limit = static_cast<std::size_t>(std::max<std::int64_t>(per_address_per_hour, 0));
    if (history.from_address_ms.size() >= limit) {
        // The limit lifts when the limit-th newest code leaves the one-hour window.
        std::int64_t oldest = limit == 0 ? now_ms : history.from_address_ms[limit - 1];
        consider(oldest + kHourMs, "当前网络获取验证码过于频繁，", "");
    }
    return worst;
}

AttemptOutcome JudgeAttempt(const ChallengeState& state, std::int64_t now_ms, bool code_matches) {
    if (state.consumed) return AttemptOutcome::kUsed;
    if (state.attempts >= kOtpMaxAttempts) return AttemptOutcome::kLocked;
    if (now_ms >= state.expires_at_ms) return AttemptOutcome::kExpired;
    return code_matches ? AttemptOutcome::kAccepted : AttemptOutcome::kWrongCode;
}

Refusal AttemptRefusal(AttemptOutcome outcome, const ChallengeState& state, std::int64_t attempts_after,
                       std::int64_t now_ms) {
    auto locked = [&] {
        std::int64_t seconds = SecondsUntil(now_ms, state.created_at_ms + kOtpResendMs);
        return Refusal(MakeError(ErrorCode::kTooManyRequests,
                                 "验证码错误次数过多，已失效，请 " + std::to_string(seconds) + " 秒后重新获取验证码",
                                 "code", "code_locked"),
                       seconds);
    };
    switch (outcome) {
        case AttemptOutcome::kWrongCode:
            if (attempts_after >= kOtpMaxAttempts) return locked();
            return Refusal(
                MakeError(ErrorCode::kInvalidArgument,
                          "验证码不正确，还可以再试 " + std::to_string(kOtpMaxAttempts - attempts_after) + " 次",
                          "code", "invalid_code"));
        case AttemptOutcome::kLocked:
            return locked();
        case AttemptOutcome::kExpired:
            return Refusal(MakeError(ErrorCode::kInvalidArgument, "验证码已过期，请重新获取", "code", "code_expired"));
        case AttemptOutcome::kUsed:
            return Refusal(
                MakeError(ErrorCode::kInvalidArgument, "验证码已使用过，请重新获取", "code", "code_expired"));
        case AttemptOutcome::kAccepted:
            break;
    }
    return Refusal(MakeError(ErrorCode::kInternal, "服务器内部错误，请稍后再试", "", "internal"));
}

std::string NewOtpCode() { return core::RandomDigits(6); }

std::string OtpCodeHash(const core::Keyring& keys, std::string_view challenge_id, std::string_view code) {
    std::string data(challenge_id);
    data.append(code);
    return core::HexEncode(core::HmacSm3(keys.index_key, data));
}

std::string OtpSmsText(std::string_view code) {
    return "【社保档案】您的登录验证码为 " + std::string(code) + "，5分钟内有效。如非本人操作，请忽略。";
}

Answer<CodeSent> RequestCitizenCode(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                                    const core::Config& config, std::string_view id_number, std::string_view mobile,
                                    std::string_view address) {
    auto id = core::ValidateIdNumber(id_number, core::BusinessDate(clock.Now()));
    if (!id) return Refusal(id.error());
    auto valid_mobile = core::ValidateMobile(mobile);
    if (!valid_mobile) return Refusal(valid_mobile.error());
    const std::string from(address);
    const std::int64_t now = NowMillis(clock);
    // Not-found and mismatch answers differ, so failures are counted per address: one
    // address cannot probe ID/mobile pairs without limit.
    auto failures = db.Query(kRecentLookupFailures, {from, now - kHourMs, kMaxLookupFailuresPerHour});
    if (!failures) return Refusal(failures.error());
    if (static_cast<std::int64_t>(failures->rows.size()) >= kMaxLookupFailuresPerHour) {
        const std::int64_t oldest = failures->rows.back().Int(0);
        const std::int64_t wait = std::max<std::int64_t>(1, (oldest + kHourMs - now + 999) / 1000);
        return Refusal(MakeError(ErrorCode::kTooManyRequests,
                                 "查询失败次数过多，请 " + std::to_string((wait + 59) / 60) + " 分钟后再试，或拨打 12333 咨询",
                                 "", "too_many_requests"),
                       wait);
    }
    auto record_failure = [&](const char* kind) { (void)db.Query(kInsertLookupFailure, {from, kind, now}); };
    auto found = archives::FindPersonByIdNumber(db, keys, id->normalized);
    if (!found) return Refusal(found.error());
    if (!*found) {
        record_failure("person_not_found");
        return Refusal(MakeError(ErrorCode::kNotFound,
                                 "未找到该身份证号码的参保登记信息，请核对后重试，或拨打 12333 咨询", "id_number",
                                 "person_not_found"));
    }
    const archives::Person& person = **found;
    if (!core::ConstantTimeEqual(*valid_mobile, person.mobile)) {
        record_failure("mobile_mismatch");
        return Refusal(MakeError(ErrorCode::kUnprocessable, "手机号与登记的不一致，请到服务窗口或自助终端更新",
                                 "mobile", "mobile_mismatch"),
                       0, person.id);
    }

    const std::string mobile_index = archives::PersonIndex(keys, *valid_mobile);
    const std::string today = core::FormatDate(core::BusinessDate(clock.Now()));
    std::optional<Refusal> limited;
    CodeSent sent;
    Status s = db.Transaction([&](db::Connection& conn) -> Status {
        DANGAN_TRY(db::LockForTransaction(conn, "otp.mobile:" + mobile_index));
        DANGAN_TRY(db::LockForTransaction(conn, "otp.address:" + from));
        SendHistory history;
        auto last = conn.Query(kLastToMobile, {mobile_index});
        if (!last) return last.error();
        if (!last->empty()) history.last_to_mobile_ms = last->rows.front().Int(0);
        auto today_count = conn.Query(kCountTodayToMobile, {mobile_index, today});
        if (!today_count) return today_count.error();
        history.today_to_mobile = today_count->rows.front().Int(0);
        auto recent = conn.Query(kRecentFromAddress,
                                 {from, now - kHourMs, std::max<std::int64_t>(config.otp.per_address_per_hour, 1)});
        if (!recent) return recent.error();
        for (const auto& row : recent->rows) history.from_address_ms.push_back(row.Int(0));
        limited = CheckSendLimits(history, now, config.otp.per_address_per_hour);
        if (limited) return limited->error;

        const std::string challenge_id = core::NewId(clock);
        const std::string code = NewOtpCode();
        auto inserted =
            conn.Query(kInsertCode, {challenge_id, person.id, mobile_index, OtpCodeHash(keys, challenge_id, code), from,
                                     today, now, now + kOtpValidMs});
        if (!inserted) return inserted.error();
        notify::Message message;
        message.recipient = *valid_mobile;
        message.text = OtpSmsText(code);
        message.template_id = "otp";
        auto queued = notify::Enqueue(conn, keys, clock, message);
        if (!queued) return queued.error();
        sent.challenge_id = challenge_id;
        return Ok();
    });
    if (limited) return *limited;
    if (!s) return Refusal(s.error());
    sent.masked_mobile = core::MaskMobile(*valid_mobile);
    sent.person_id = person.id;
    return sent;
}

Answer<archives::Person> VerifyCitizenCode(db::Database& db, const core::Keyring& keys, const core::Clock& clock,
                                           std::string_view challenge_id, std::string_view code) {
    const std::string id(challenge_id);
    if (!core::IsId(id)) {
        return Refusal(MakeError(ErrorCode::kInvalidArgument, "验证码请求编号无效，请重新获取验证码", "challenge_id",
                                 "invalid_challenge_id"));
    }
    if (!IsSixDigits(code)) {
        return Refusal(MakeError(ErrorCode::kInvalidArgument, "请输入短信中的 6 位数字验证码", "code", "invalid_code"));
    }
    const std::string expected = OtpCodeHash(keys, id, code);
    for (int round = 0; round < kVerifyRetries; ++round) {
        auto found = db.Query(kSelectChallenge, {id});
        if (!found) return Refusal(found.error());
        if (found->empty()) {
            return Refusal(MakeError(ErrorCode::kNotFound, "验证码请求不存在或已失效，请重新获取验证码", "challenge_id",
                                     "challenge_not_found"));
        }
        const db::Row& row = found->rows.front();
        const std::string person_id = row.Text(0);
        ChallengeState state;
        state.attempts = row.Int(2);
        state.consumed = row.Int(3) != 0;
        state.created_at_ms = row.Int(4);
        state.expires_at_ms = row.Int(5);
        const std::int64_t now = NowMillis(clock);
        AttemptOutcome outcome = JudgeAttempt(state, now, core::ConstantTimeEqual(expected, row.Text(1)));
        if (outcome != AttemptOutcome::kAccepted && outcome != AttemptOutcome::kWrongCode) {
            Refusal r = AttemptRefusal(outcome, state, state.attempts, now);
            r.person_id = person_id;
            return r;
        }
        const bool accepted = outcome == AttemptOutcome::kAccepted;
        auto spent = db.Query(kSpendAttempt, {std::int64_t{accepted ? 1 : 0}, id, state.attempts});
        if (!spent) return Refusal(spent.error());
        if (spent->affected == 0) continue;  // another request spent this try first: judge again
        if (!accepted) {
            Refusal r = AttemptRefusal(outcome, state, state.attempts + 1, now);
            r.person_id = person_id;
            return r;
        }
        auto person = archives::FindPersonById(db, keys, person_id);
        if (!person) return Refusal(person.error());
        if (!*person) {
            return Refusal(
                MakeError(ErrorCode::kNotFound, "未找到您的参保登记信息，请拨打 12333 咨询", "", "person_not_found"));
        }
        return std::move(**person);
    }
    return Refusal(MakeError(ErrorCode::kUnavailable, "系统繁忙，请稍后再试", "", "busy"));
}

}  // namespace dangan::identity
