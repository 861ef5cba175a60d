// Login micro-benchmarks (bench/login.sh runs them): Argon2id at the configured parameters, a
// whole staff log-in in process (SQLite, password + TOTP + session + audit), and the one-time
// code checks — TOTP (HMAC-SHA1 ×3 in the ±1 window) and the citizen SMS code
// (HMAC-SM3 + constant-time compare). The configuration comes from the environment
// (DANGAN_SECURITY_ARGON2_*), as for the server.

#include <benchmark/benchmark.h>

#include <filesystem>
#include <memory>

#include "audit/register.hpp"
#include "core/config.hpp"
#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "http/app.hpp"
#include "identity/accounts.hpp"
#include "identity/citizen_login.hpp"
#include "identity/passwords.hpp"
#include "identity/totp.hpp"

namespace dangan::identity {
namespace {

core::Config BenchConfig() {
    auto config = core::LoadConfig(std::nullopt, core::ProcessEnvironment());
    if (!config) throw std::runtime_error(config.error().message);
    return *config;
}

void BM_Argon2idVerify(benchmark::State& state) {
    static const std::string hash = *HashPassword("Correct-Horse-42", ParamsFrom(BenchConfig()));
    for (auto _ : state) benchmark::DoNotOptimize(VerifyPassword(hash, "Correct-Horse-42"));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Argon2idVerify)->Unit(benchmark::kMillisecond)->UseRealTime()->Threads(1)->Threads(2);

// A staff user on a fresh SQLite database, with the clock moved one TOTP step per log-in so
// each code is new (a code is accepted once).
class StaffLoginFixture {
public:
    StaffLoginFixture() {
        dir_ = std::filesystem::temp_directory_path() / ("dangan-bench-" + core::HexEncode(core::SecureRandom(6)));
        std::filesystem::create_directories(dir_);
        app_.config = BenchConfig();
        app_.clock = std::make_unique<core::FixedClock>(core::TimePoint(std::chrono::seconds(1'800'000'000)));
        auto opened = db::Open("sqlite:" + (dir_ / "bench.db").string());
        if (!opened) throw std::runtime_error(opened.error().message);
        app_.db = std::move(opened.value());
        (void)app_.db->Migrate();
        app_.keyring.seal_key = core::SecureRandom(core::kSealKeySize);
        app_.keyring.index_key = core::SecureRandom(32);
        audit::Start(app_);
        NewUser user{"bench", "压测", "Correct-Horse-42", {http::Grant{"window_clerk", "220102"}}};
        (void)CreateUser(app_, user, nullptr);
        request_.remote_address = "127.0.0.1";
        auto first = StaffLogin(app_, {"bench", "Correct-Horse-42", ""}, request_);
        const auto& enrol = std::get<TotpEnrolment>(std::get<StaffLoginStep>(first));
        const auto secret_pos = enrol.otpauth_uri.find("secret=") + 7;
        secret_ = *Base32Decode(enrol.otpauth_uri.substr(secret_pos, enrol.otpauth_uri.find('&') - secret_pos));
        Next();
        (void)EnrolTotp(app_, enrol.enrolment_token, Code(), request_);
    }
    ~StaffLoginFixture() {
        app_.audit.reset();
        app_.db.reset();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    void Next() { static_cast<core::FixedClock&>(*app_.clock).Advance(std::chrono::seconds(30)); }
    std::string Code() const { return TotpCode(secret_, TotpStep(app_.clock->Now())); }
    bool Login() {
        auto answer = StaffLogin(app_, {"bench", "Correct-Horse-42", Code()}, request_);
        return std::holds_alternative<StaffLoginStep>(answer);
    }

private:
    std::filesystem::path dir_;
    http::App app_;
    http::Request request_;
    std::string secret_;
};

void BM_StaffLogin(benchmark::State& state) {
    StaffLoginFixture fixture;
    std::int64_t failures = 0;
    for (auto _ : state) {
        fixture.Next();
        if (!fixture.Login()) ++failures;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_StaffLogin)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_TotpCheck(benchmark::State& state) {
    const std::string secret = NewTotpSecret();
    const auto now = core::TimePoint(std::chrono::seconds(1'800'000'000));
    const std::string code = TotpCode(secret, TotpStep(now));
    for (auto _ : state) benchmark::DoNotOptimize(MatchTotp(secret, code, now, 0));
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TotpCheck)->Threads(1)->Threads(2)->UseRealTime();

void BM_SmsCodeCheck(benchmark::State& state) {
    core::Keyring keys;
    keys.index_key = core::SecureRandom(32);
    const std::string challenge = "0190e1f2-7a3b-7c4d-9e5f-0123456789ab";
    const std::string stored = OtpCodeHash(keys, challenge, "123456");
    for (auto _ : state) {
        benchmark::DoNotOptimize(core::ConstantTimeEqual(OtpCodeHash(keys, challenge, "123457"), stored));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SmsCodeCheck)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace dangan::identity

BENCHMARK_MAIN();
