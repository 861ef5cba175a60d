// The account SQL on both backends: the lockout counter and the TOTP step change only
// through single conditional UPDATEs, so they hold with parallel attempts.

#include "identity/account_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "identity/testing.hpp"
#include "identity/totp.hpp"

namespace dangan::identity {
namespace {

using db::testutil::Why;

class AccountStoreTest : public testsupport::MigratedDatabaseTest {
protected:
    std::int64_t Now() const {
        return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch()).count();
    }

    UserRow AddStaff(const std::string& username, std::vector<http::Grant> grants = {{"window_clerk", "220102"}},
                     bool enrolled = false) {
        UserRow user;
        user.id = core::NewId(clock_);
        user.kind = "staff";
        user.username = username;
        user.display_name = username;
        user.grants = std::move(grants);
        if (enrolled) {
            user.totp_secret_sealed = *core::Seal(keys_.seal_key, "secret", kTotpSecretAd);
            user.totp_enrolled = true;
        }
        Status s = db().Transaction(
            [&](db::Connection& conn) { return AccountStore::InsertUser(conn, user, "$argon2id$x", Now()); });
        EXPECT_TRUE(s.ok()) << Why(s);
        return user;
    }

    EmployerRow AddEmployer(const std::string& credit_code, const std::string& status = "pending") {
        EmployerRow e;
        e.id = core::NewId(clock_);
        e.credit_code = credit_code;
        e.name = "单位";
        e.status = status;
        e.region_code = "220102";
        e.created_at_ms = Now();
        Status s = db().Transaction([&](db::Connection& conn) { return AccountStore::InsertEmployer(conn, e); });
        EXPECT_TRUE(s.ok()) << Why(s);
        return e;
    }

    LockoutPolicy policy_{5, 15 * 60 * 1000};
};

TEST_P(AccountStoreTest, ReservationsFollowTheLockoutModel) {
    AccountStore store(db());
    const UserRow user = AddStaff("clerk");
    LockState model;
    for (int i = 0; i < 7; ++i) {
        auto want = ReserveAttempt(model, Now(), policy_);
        auto got = store.Reserve(user.id, Now(), policy_);
        ASSERT_TRUE(got.ok()) << Why(got);
        ASSERT_EQ(got->has_value(), want.has_value()) << "attempt " << i;
        if (want) {
            EXPECT_EQ((*got)->failed_logins, want->failed_logins);
            EXPECT_EQ((*got)->locked_until_ms, want->locked_until_ms);
            model = *want;
        }
        clock_.Advance(std::chrono::seconds(1));
    }
    auto row = store.UserById(user.id);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_EQ((*row)->lock.failed_logins, 5);
    EXPECT_TRUE(IsLocked((*row)->lock, Now()));

    clock_.Advance(std::chrono::minutes(15));  // the lock runs out: counting starts again
    auto again = store.Reserve(user.id, Now(), policy_);
    ASSERT_TRUE(again.ok() && again->has_value());
    EXPECT_EQ((*again)->failed_logins, 1);
    EXPECT_EQ((*again)->locked_until_ms, 0);
}

TEST_P(AccountStoreTest, ParallelReservationsNeverExceedTheLimit) {
    const UserRow user = AddStaff("target");
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            AccountStore store(db());
            for (int i = 0; i < 6; ++i) {
                auto r = store.Reserve(user.id, Now(), policy_);
                if (r.ok() && r->has_value()) ++granted;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(granted.load(), 5);
}

TEST_P(AccountStoreTest, ReleaseGivesAReservationBackAndClearResets) {
    AccountStore store(db());
    const UserRow user = AddStaff("clerk");
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(store.Reserve(user.id, Now(), policy_).ok());
    auto fifth = store.Reserve(user.id, Now(), policy_);
    ASSERT_TRUE(fifth.ok() && fifth->has_value());
    ASSERT_GT((*fifth)->locked_until_ms, 0);
    ASSERT_TRUE(store.Release(user.id, **fifth).ok());
    auto row = store.UserById(user.id);
    EXPECT_EQ((*row)->lock.failed_logins, 4);
    EXPECT_EQ((*row)->lock.locked_until_ms, 0);
    ASSERT_TRUE(store.ClearFailures(user.id).ok());
    row = store.UserById(user.id);
    EXPECT_EQ((*row)->lock.failed_logins, 0);
}

TEST_P(AccountStoreTest, ATotpStepIsUsedOnce) {
    AccountStore store(db());
    const UserRow enrolled = AddStaff("enrolled", {{"auditor", "2201"}}, true);
    EXPECT_TRUE(*store.ConsumeTotpStep(enrolled.id, 100));
    EXPECT_FALSE(*store.ConsumeTotpStep(enrolled.id, 100));  // replay
    EXPECT_FALSE(*store.ConsumeTotpStep(enrolled.id, 99));   // older
    EXPECT_TRUE(*store.ConsumeTotpStep(enrolled.id, 101));
    const UserRow fresh = AddStaff("fresh");
    EXPECT_FALSE(*store.ConsumeTotpStep(fresh.id, 100)) << "not enrolled";
}

TEST_P(AccountStoreTest, EnrolmentCompletesOnceForTheSecretShown) {
    AccountStore store(db());
    const UserRow user = AddStaff("newbie");
    const std::string first = *core::Seal(keys_.seal_key, "s1", kTotpSecretAd);
    const std::string second = *core::Seal(keys_.seal_key, "s2", kTotpSecretAd);
    ASSERT_TRUE(store.SetPendingTotpSecret(user.id, first).ok());
    ASSERT_TRUE(store.SetPendingTotpSecret(user.id, second).ok());  // a second log-in before enrolling
    EXPECT_FALSE(*store.CompleteEnrolment(user.id, first, 10));
    EXPECT_TRUE(*store.CompleteEnrolment(user.id, second, 10));
    EXPECT_FALSE(*store.CompleteEnrolment(user.id, second, 11));
    ASSERT_TRUE(store.SetPendingTotpSecret(user.id, first).ok());  // no effect once enrolled
    auto row = store.UserById(user.id);
    ASSERT_TRUE(row.ok() && *row);
    EXPECT_TRUE((*row)->totp_enrolled);
    EXPECT_EQ((*row)->totp_last_step, 10);
    EXPECT_EQ(*(*row)->totp_secret_sealed, second);
    // sealed at rest, bound to its column
    EXPECT_EQ(*core::Open(keys_.seal_key, *(*row)->totp_secret_sealed, kTotpSecretAd), "s2");
    EXPECT_FALSE(core::Open(keys_.seal_key, *(*row)->totp_secret_sealed, "persons.mobile").ok());
}

TEST_P(AccountStoreTest, UserNamesAreUniqueAmongStaffAndPerEmployer) {
    AddStaff("same");
    UserRow dup;
    dup.id = core::NewId(clock_);
    dup.kind = "staff";
    dup.username = "same";
    dup.display_name = "x";
    Status s = db().Transaction(
        [&](db::Connection& conn) { return AccountStore::InsertUser(conn, dup, "$argon2id$x", Now()); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kConflict);
    EXPECT_EQ(s.error().reason, "duplicate_username");

    const EmployerRow a = AddEmployer("91220102MA0DANGANM");
    const EmployerRow b = AddEmployer("91220102MA84N7Y2XD");
    for (const auto* e : {&a, &b}) {
        UserRow hr;
        hr.id = core::NewId(clock_);
        hr.kind = "employer";
        hr.employer_id = e->id;
        hr.username = "same";  // the staff name and another employer's name do not collide
        hr.display_name = "hr";
        Status ok = db().Transaction(
            [&](db::Connection& conn) { return AccountStore::InsertUser(conn, hr, "$argon2id$x", Now()); });
        EXPECT_TRUE(ok.ok()) << Why(ok);
    }
    AccountStore store(db());
    auto found = store.EmployerUser(b.id, "same");
    ASSERT_TRUE(found.ok() && *found);
    EXPECT_EQ((*found)->employer_id, b.id);
}

TEST_P(AccountStoreTest, EmployersAreUniqueByCreditCodeAndApprovedOnce) {
    const EmployerRow e = AddEmployer("91220102MA0DANGANM");
    EmployerRow dup = e;
    dup.id = core::NewId(clock_);
    Status s = db().Transaction([&](db::Connection& conn) { return AccountStore::InsertEmployer(conn, dup); });
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().reason, "duplicate_credit_code");

    AccountStore store(db());
    auto pending = store.Employers(std::string("pending"));
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_TRUE(*store.ApproveEmployer(e.id, "admin-id", Now()));
    EXPECT_FALSE(*store.ApproveEmployer(e.id, "admin-id", Now()));
    auto approved = store.EmployerByCreditCode("91220102MA0DANGANM");
    ASSERT_TRUE(approved.ok() && *approved);
    EXPECT_EQ((*approved)->status, "approved");
    EXPECT_EQ((*approved)->approved_at_ms, Now());
    EXPECT_TRUE(store.Employers(std::string("pending"))->empty());
}

TEST_P(AccountStoreTest, AllStaffCarriesEveryGrant) {
    AddStaff("b-user", {{"window_clerk", "220102"}, {"archivist", "220102-001"}});
    AddStaff("a-user", {{"system_admin", "2201"}});
    AccountStore store(db());
    auto all = store.AllStaff();
    ASSERT_TRUE(all.ok()) << Why(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].username, "a-user");
    EXPECT_EQ((*all)[1].grants.size(), 2u);
    auto none = store.StaffByUsername("' OR '1'='1");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(*none);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountStoreTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace dangan::identity
