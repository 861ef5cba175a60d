#include "appointments/booking.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "appointments/calendar_store.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "identity/testing.hpp"

namespace dangan::appointments {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;
using db::testutil::Why;

constexpr const char* kBranch = "220102-001";

core::TimePoint Shanghai(Date d, int hour, int minute = 0) { return At(d, hour * 60 + minute); }

ActionInput By(std::string actor, std::string code = "", std::string courier = "", std::string tracking = "",
               std::string reason = "") {
    ActionInput in;
    in.actor_id = std::move(actor);
    in.code = std::move(code);
    in.courier = std::move(courier);
    in.tracking_number = std::move(tracking);
    in.reason = std::move(reason);
    return in;
}

// The failure's field (or reason), "ok" when it succeeded: safe to compare either way.
template <typename R>
std::string FieldOf(const R& r) {
    return r.ok() ? "ok" : r.error().field;
}
template <typename R>
std::string ReasonOf(const R& r) {
    return r.ok() ? "ok" : r.error().reason;
}

// Monday 2026-11-30, 07:00 in Shanghai; December 2026 starts on a Tuesday.
const Date kMonday = 2026y / November / 30;

class BookingTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        clock_.Set(Shanghai(kMonday, 7));
        Status made = db().Transaction([&](db::Connection& c) -> Status {
            auto b = archives::UpsertBranch(c, clock_,
                                            archives::Branch{"", kBranch, "南关区社保服务大厅", "hall", "长春市南关区民康路 8 号",
                                                             "0431-88880102", "周一至周五", {"visit", "retrieval"}, ""});
            if (!b) return b.error();
            BranchSetup setup;
            for (int d = 1; d <= 5; ++d) setup.hours[d] = {{510, 690}, {780, 990}};
            setup.rules = {{Service::kVisit, 30, 2, 14, 480}, {Service::kRetrieval, 30, 2, 14, 480}};
            DANGAN_TRY(SaveSetup(c, clock_, kBranch, setup, "test"));
            const char* people[][3] = {{"张伟", "220102198503150015", "13904310001"},
                                       {"王芳", "220104199007220026", "13904310002"},
                                       {"李建国", "220105196501200138", "13904310003"},
                                       {"刘秀英", "220106197208080246", "13904310004"}};
            for (auto& p : people) {
                auto person = archives::CreatePerson(c, keys_, clock_, p[0], p[1], p[2]);
                if (!person) return person.error();
                persons_.push_back(person->id);
            }
            return Ok();
        });
        ASSERT_TRUE(made.ok()) << Why(made);
    }

    Context Ctx() { return Context{db(), keys_, clock_, Policy{}}; }

    static std::string Slot(Date d, int hour, int minute = 0) {
        return FormatSlotId({kBranch, Service::kVisit, d, hour * 60 + minute});
    }

    Result<Booked> BookVisit(const std::string& person, const std::string& slot,
                             const std::optional<http::IdempotencyKey>& key = std::nullopt) {
        BookRequest r;
        r.person_id = person;
        r.slot_id = slot;
        return Book(Ctx(), r, key);
    }

    Result<Booked> BookRetrieval(const std::string& person, Date d, std::string delivery = "pickup") {
        BookRequest r;
        r.person_id = person;
        r.kind = Service::kRetrieval;
        r.branch_code = kBranch;
        r.date = core::FormatDate(d);
        r.purpose = "公证";
        r.materials = {{std::nullopt, std::nullopt, "1990年招工登记表"}};
        r.delivery = std::move(delivery);
        if (r.delivery == "mail") r.mail_to = MailTo{"张伟", "13904310001", "吉林省长春市南关区民康路 8 号 3 单元 201 室"};
        return Book(Ctx(), r, std::nullopt);
    }

    std::int64_t SeatsTaken(const std::string& slot) {
        auto n = db().Query("SELECT booked FROM slots WHERE id = ?", {slot});
        EXPECT_TRUE(n.ok()) << Why(n);
        return n.ok() && !n->empty() ? n->rows.front().Int(0) : -1;
    }

    std::vector<std::string> Texts(const std::string& template_id) {
        auto rows = db().Query("SELECT text FROM outbox WHERE template_id = ? ORDER BY created_at_ms, id", {template_id});
        EXPECT_TRUE(rows.ok()) << Why(rows);
        std::vector<std::string> out;
        if (rows.ok()) {
            for (const db::Row& r : rows->rows) out.push_back(r.Text(0));
        }
        return out;
    }

    // A visit of `person` at `d` 09:00 left to become a no-show: the clock goes past its
    // deadline and the sweep runs.
    void NoShow(const std::string& person, Date d, int hour = 9) {
        clock_.Set(Shanghai(Date(sys_days(d) - days(1)), 9));
        auto b = BookVisit(person, Slot(d, hour));
        ASSERT_TRUE(b.ok()) << Why(b);
        clock_.Set(Shanghai(d, hour, 30) + 16min);
        auto swept = Sweep(Ctx());
        ASSERT_TRUE(swept.ok()) << Why(swept);
        EXPECT_GE(swept->no_shows, 1);
    }

    std::vector<std::string> persons_;
};

TEST_P(BookingTest, TheLastSeatGoesToOneAndTheNextHearsItIsFull) {
    const std::string slot = Slot(2026y / December / 1, 9);
    ASSERT_TRUE(BookVisit(persons_[0], slot).ok());
    ASSERT_TRUE(BookVisit(persons_[1], slot).ok());
    auto third = BookVisit(persons_[2], slot);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error().reason, "slot_full");
    EXPECT_EQ(third.error().code, ErrorCode::kConflict);
    EXPECT_EQ(SeatsTaken(slot), 2);
    EXPECT_EQ(Texts("appointment.confirmed").size(), 2u);
}

TEST_P(BookingTest, ConcurrentBookersNeverOverfillASlot) {
    const std::string slot = Slot(2026y / December / 1, 10);
    std::atomic<int> ok{0}, full{0}, other{0};
    std::vector<std::thread> threads;
    for (const std::string& person : persons_) {
        threads.emplace_back([&, person] {
            auto b = BookVisit(person, slot);
            if (b.ok()) ++ok;
            else if (b.error().reason == "slot_full") ++full;
            else ++other;
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(ok.load(), 2);
    EXPECT_EQ(full.load(), 2);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(SeatsTaken(slot), 2);
}

TEST_P(BookingTest, OnePersonOneActiveBookingPerSlotUntilCancelled) {
    const std::string slot = Slot(2026y / December / 1, 9);
    auto first = BookVisit(persons_[0], slot);
    ASSERT_TRUE(first.ok()) << Why(first);
    auto again = BookVisit(persons_[0], slot);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().reason, "already_booked");
    EXPECT_EQ(SeatsTaken(slot), 1);
    auto cancelled = Apply(Ctx(), first->appointment.id, Action::kCancel, By(persons_[0]));
    ASSERT_TRUE(cancelled.ok()) << Why(cancelled);
    EXPECT_EQ(cancelled->state, "cancelled");
    EXPECT_EQ(SeatsTaken(slot), 0);
    EXPECT_TRUE(BookVisit(persons_[0], slot).ok());
}

TEST_P(BookingTest, ARetriedRequestWithTheSameKeyGetsTheFirstResult) {
    const http::IdempotencyKey key{persons_[0], "appointment", "retry-1", "hash-a"};
    auto first = BookVisit(persons_[0], Slot(2026y / December / 1, 9), key);
    ASSERT_TRUE(first.ok()) << Why(first);
    EXPECT_FALSE(first->replay);
    auto retry = BookVisit(persons_[0], Slot(2026y / December / 1, 9), key);
    ASSERT_TRUE(retry.ok()) << Why(retry);
    EXPECT_TRUE(retry->replay);
    EXPECT_EQ(retry->appointment.id, first->appointment.id);
    EXPECT_EQ(SeatsTaken(Slot(2026y / December / 1, 9)), 1);
    const http::IdempotencyKey reused{persons_[0], "appointment", "retry-1", "hash-b"};
    auto other = BookVisit(persons_[0], Slot(2026y / December / 1, 10), reused);
    ASSERT_FALSE(other.ok());
    EXPECT_EQ(other.error().reason, "idempotency_key_reused");
    EXPECT_EQ(other.error().code, ErrorCode::kUnprocessable);
}

TEST_P(BookingTest, AHolidayIsClosedAndAShiftedSaturdayOpens) {
    Status put = db().Transaction([&](db::Connection& c) -> Status {
        DANGAN_TRY(PutCalendarDay(c, clock_, {"", 2026y / December / 2, true, "临时休息"}, "test"));
        return PutCalendarDay(c, clock_, {"", 2026y / December / 5, false, "调休上班"}, "test");
    });
    ASSERT_TRUE(put.ok()) << Why(put);
    auto holiday = BookVisit(persons_[0], Slot(2026y / December / 2, 9));
    ASSERT_FALSE(holiday.ok());
    EXPECT_EQ(holiday.error().reason, "slot_closed");
    EXPECT_NE(holiday.error().message.find("临时休息"), std::string::npos) << holiday.error().message;
    EXPECT_TRUE(BookVisit(persons_[0], Slot(2026y / December / 5, 9)).ok());
    auto sunday = BookVisit(persons_[0], Slot(2026y / December / 6, 9));
    ASSERT_FALSE(sunday.ok());
    EXPECT_EQ(sunday.error().reason, "slot_closed");
    auto setup = LoadSetup(db(), kBranch);
    ASSERT_TRUE(setup.ok());
    auto days = Days(db(), kBranch, *setup, Service::kVisit, 2026y / December / 1, 6, clock_.Now());
    ASSERT_TRUE(days.ok()) << Why(days);
    EXPECT_TRUE((*days)[0].schedule.open);
    EXPECT_FALSE((*days)[1].schedule.open);
    EXPECT_TRUE((*days)[4].schedule.open);
    EXPECT_EQ((*days)[4].slots.size(), 13u);
    EXPECT_FALSE((*days)[5].schedule.open);
}

TEST_P(BookingTest, TheWindowOpensAtReleaseTimeAndStartedSlotsAreClosed) {
    // 07:00 on Monday 30 November: up to 13 December; at 08:00 the 14th opens.
    auto early = BookVisit(persons_[0], Slot(2026y / December / 14, 9));
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().reason, "slot_closed");
    clock_.Set(Shanghai(kMonday, 8));
    EXPECT_TRUE(BookVisit(persons_[0], Slot(2026y / December / 14, 9)).ok());
    clock_.Set(Shanghai(kMonday, 9, 1));
    auto started = BookVisit(persons_[1], Slot(kMonday, 9));
    ASSERT_FALSE(started.ok());
    EXPECT_EQ(started.error().reason, "slot_closed");
    EXPECT_TRUE(BookVisit(persons_[1], Slot(kMonday, 9, 30)).ok());
    auto odd = BookVisit(persons_[1], Slot(2026y / December / 1, 9, 10));
    ASSERT_FALSE(odd.ok());
    EXPECT_EQ(odd.error().reason, "slot_not_found");
}

TEST_P(BookingTest, CancellingAtTheCutOffIsFreeAndAMomentLaterIsANoShow) {
    const Date tue = 2026y / December / 1;
    auto a = BookVisit(persons_[0], Slot(tue, 9));
    auto b = BookVisit(persons_[1], Slot(tue, 9));
    ASSERT_TRUE(a.ok() && b.ok());
    clock_.Set(Shanghai(tue, 7));  // exactly two hours before
    auto free = Apply(Ctx(), a->appointment.id, Action::kCancel, By(persons_[0]));
    ASSERT_TRUE(free.ok()) << Why(free);
    EXPECT_EQ(free->state, "cancelled");
    clock_.Set(Shanghai(tue, 7) + 1ms);
    auto late = Apply(Ctx(), b->appointment.id, Action::kCancel, By(persons_[1]));
    ASSERT_TRUE(late.ok()) << Why(late);
    EXPECT_EQ(late->state, "no_show");
    EXPECT_EQ(late->no_show_reason, "late_cancel");
    EXPECT_EQ(SeatsTaken(Slot(tue, 9)), 0);  // both seats back for others
    EXPECT_EQ(Texts("appointment.no_show").size(), 1u);
}

TEST_P(BookingTest, ACancelByTheCentreNeedsAReasonAndIsNeverANoShow) {
    const Date tue = 2026y / December / 1;
    auto a = BookVisit(persons_[0], Slot(tue, 9));
    ASSERT_TRUE(a.ok());
    clock_.Set(Shanghai(tue, 8, 30));  // past the cut-off
    ActionInput staff = By("clerk-1");
    staff.by_staff = true;
    auto blank = Apply(Ctx(), a->appointment.id, Action::kCancel, staff);
    ASSERT_FALSE(blank.ok());
    EXPECT_EQ(blank.error().field, "reason");
    staff.reason = "大厅停电，暂停服务";
    auto cancelled = Apply(Ctx(), a->appointment.id, Action::kCancel, staff);
    ASSERT_TRUE(cancelled.ok()) << Why(cancelled);
    EXPECT_EQ(cancelled->state, "cancelled");
    EXPECT_EQ(SeatsTaken(Slot(tue, 9)), 0);
    const auto texts = Texts("appointment.cancelled");
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts.front().find("大厅停电"), std::string::npos) << texts.front();
    EXPECT_NE(texts.front().find("不计失约"), std::string::npos) << texts.front();
}

TEST_P(BookingTest, TheThirdNoShowOfAMonthBarsBookingUntilTheMonthEnds) {
    NoShow(persons_[0], 2026y / December / 1);
    NoShow(persons_[0], 2026y / December / 2);
    auto bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_FALSE(bar->barred);
    EXPECT_EQ(bar->no_shows_this_month, 2);
    NoShow(persons_[0], 2026y / December / 3);
    bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_TRUE(bar->barred);
    EXPECT_EQ(bar->until_ms, core::UnixMillis(Shanghai(2027y / January / 1, 0)));
    auto refused = BookVisit(persons_[0], Slot(2026y / December / 8, 9));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().reason, "booking_barred");
    EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
    EXPECT_NE(refused.error().message.find("2027年1月1日起可重新预约"), std::string::npos) << refused.error().message;
    auto retrieval = BookRetrieval(persons_[0], 2026y / December / 8);
    ASSERT_FALSE(retrieval.ok());
    EXPECT_EQ(retrieval.error().reason, "booking_barred");
    EXPECT_EQ(Texts("appointment.barred").size(), 1u);
    EXPECT_EQ(Texts("appointment.no_show").size(), 3u);
    // Others book as before.
    EXPECT_TRUE(BookVisit(persons_[1], Slot(2026y / December / 8, 9)).ok());
}

TEST_P(BookingTest, TheDatabaseItselfRefusesABarredPersonsBooking) {
    NoShow(persons_[0], 2026y / December / 1);
    NoShow(persons_[0], 2026y / December / 2);
    NoShow(persons_[0], 2026y / December / 3);
    const std::int64_t now_ms = core::UnixMillis(clock_.Now());
    auto inserted = db().Query(
        "INSERT INTO appointments (id, code, kind, person_id, branch_code, slot_id, day, starts_at_ms, ends_at_ms, "
        "state, channel, created_at_ms, updated_at_ms) SELECT 'x1', '00000001', 'visit', ?, branch_code, id, day, "
        "starts_at_ms, ends_at_ms, 'booked', 'phone', ?, ? FROM slots LIMIT 1",
        {persons_[0], now_ms, now_ms});
    ASSERT_FALSE(inserted.ok());
    EXPECT_NE(inserted.error().message.find("booking_barred"), std::string::npos) << inserted.error().message;
}

TEST_P(BookingTest, ANoShowAtTheLastMinuteOfTheMonthBarsUntilMidnight) {
    NoShow(persons_[0], 2026y / December / 1);
    NoShow(persons_[0], 2026y / December / 2);
    // The third: a late cancel at 23:59 on 31 December counts in December and bars until midnight.
    clock_.Set(Shanghai(2026y / December / 30, 9));
    auto a = BookVisit(persons_[0], Slot(2027y / January / 4, 9));
    ASSERT_TRUE(a.ok()) << Why(a);
    clock_.Set(Shanghai(2026y / December / 31, 23, 59));
    Context week_cutoff = Ctx();
    week_cutoff.policy.cancel_cutoff_minutes = 7 * 24 * 60;  // a centre that wants a week's notice
    auto late = Apply(week_cutoff, a->appointment.id, Action::kCancel, By(persons_[0]));
    ASSERT_TRUE(late.ok()) << Why(late);
    EXPECT_EQ(late->state, "no_show");
    EXPECT_EQ(late->no_show_month, "2026-12");
    auto bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_TRUE(bar->barred);
    clock_.Set(Shanghai(2026y / December / 31, 23, 59) + 59s + 999ms);
    EXPECT_EQ(ReasonOf(BookVisit(persons_[0], Slot(2027y / January / 4, 10))), "booking_barred");
    clock_.Set(Shanghai(2027y / January / 1, 0));
    bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_FALSE(bar->barred);
    EXPECT_EQ(bar->no_shows_this_month, 0);
    auto reopened = BookVisit(persons_[0], Slot(2027y / January / 4, 10));
    EXPECT_TRUE(reopened.ok()) << Why(reopened);
}

TEST_P(BookingTest, VoidingANoShowLiftsTheBarAndIsRecorded) {
    NoShow(persons_[0], 2026y / December / 1);
    NoShow(persons_[0], 2026y / December / 2);
    NoShow(persons_[0], 2026y / December / 3);
    auto mine = AppointmentsOfPerson(Ctx(), persons_[0], 0);
    ASSERT_TRUE(mine.ok());
    ASSERT_EQ(mine->size(), 3u);
    auto blank = VoidNoShow(Ctx(), mine->front().id, "admin-1", "  ");
    ASSERT_FALSE(blank.ok());
    EXPECT_EQ(blank.error().field, "reason");
    auto voided = VoidNoShow(Ctx(), mine->front().id, "admin-1", "当日暴雪，公交停运");
    ASSERT_TRUE(voided.ok()) << Why(voided);
    EXPECT_TRUE(voided->no_show_voided_at_ms.has_value());
    auto bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_FALSE(bar->barred);
    EXPECT_EQ(bar->no_shows_this_month, 2);
    auto credits = CreditRecordsOf(Ctx(), persons_[0]);
    ASSERT_TRUE(credits.ok());
    ASSERT_EQ(credits->size(), 1u);
    EXPECT_TRUE(credits->front().revoked_at_ms.has_value());
    EXPECT_TRUE(BookVisit(persons_[0], Slot(2026y / December / 8, 9)).ok());
    auto twice = VoidNoShow(Ctx(), mine->front().id, "admin-1", "再次");
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().reason, "invalid_state");
    // A fourth no-show brings the bar back.
    NoShow(persons_[0], 2026y / December / 9);
    bar = BarOf(Ctx(), persons_[0]);
    ASSERT_TRUE(bar.ok());
    EXPECT_TRUE(bar->barred);
}

TEST_P(BookingTest, ARetrievalIsPreparedReadiedAndCollectedWithItsCode) {
    auto r = BookRetrieval(persons_[0], 2026y / December / 2);
    ASSERT_TRUE(r.ok()) << Why(r);
    const Appointment& a = r->appointment;
    EXPECT_EQ(a.state, "received");
    EXPECT_EQ(a.purpose, "notary");
    EXPECT_FALSE(a.deadline_at_ms);
    auto collect_early = Apply(Ctx(), a.id, Action::kCollect, By("clerk", a.code));
    ASSERT_FALSE(collect_early.ok());
    EXPECT_EQ(collect_early.error().reason, "invalid_state");
    ASSERT_TRUE(Apply(Ctx(), a.id, Action::kPrepare, By("clerk")).ok());
    auto ready = Apply(Ctx(), a.id, Action::kReady, By("clerk"));
    ASSERT_TRUE(ready.ok()) << Why(ready);
    EXPECT_EQ(ready->deadline_at_ms, core::UnixMillis(Shanghai(2026y / December / 2, 16, 45)));
    const auto texts = Texts("appointment.ready");
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts.front().find("12月2日（周三）16:30前"), std::string::npos) << texts.front();
    // The pick-up code is in the SMS only: not the booking code staff see in the queue.
    const auto at = texts.front().find("取件码");
    ASSERT_NE(at, std::string::npos) << texts.front();
    const std::string pickup = texts.front().substr(at + std::string("取件码").size(), 6);
    EXPECT_EQ(texts.front().find(a.code), std::string::npos) << texts.front();
    EXPECT_EQ(FieldOf(Apply(Ctx(), a.id, Action::kCollect, By("clerk", a.code))), "code");
    EXPECT_EQ(FieldOf(Apply(Ctx(), a.id, Action::kCollect, By("clerk"))), "code");
    ActionInput other_card = By("clerk");
    other_card.id_number = "220104199007220026";
    EXPECT_EQ(ReasonOf(Apply(Ctx(), a.id, Action::kCollect, other_card)), "wrong_person");
    auto collected = Apply(Ctx(), a.id, Action::kCollect, By("clerk", pickup));
    ASSERT_TRUE(collected.ok()) << Why(collected);
    EXPECT_EQ(collected->state, "collected");
    auto events = EventsOf(Ctx(), a.id);
    ASSERT_TRUE(events.ok());
    EXPECT_EQ(events->size(), 4u);  // created, preparing, ready, collected
}

TEST_P(BookingTest, ALostPickUpCodeIsReplacedByTheIdCard) {
    auto r = BookRetrieval(persons_[0], 2026y / December / 2);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(Apply(Ctx(), r->appointment.id, Action::kReady, By("clerk")).ok());
    ActionInput card = By("clerk");
    card.id_number = "220102198503150015";
    auto collected = Apply(Ctx(), r->appointment.id, Action::kCollect, card);
    ASSERT_TRUE(collected.ok()) << Why(collected);
    EXPECT_EQ(collected->state, "collected");
}

TEST_P(BookingTest, AReadyPickUpNotCollectedIsANoShow) {
    auto r = BookRetrieval(persons_[0], 2026y / December / 2);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(Apply(Ctx(), r->appointment.id, Action::kReady, By("clerk")).ok());
    clock_.Set(Shanghai(2026y / December / 2, 16, 44));
    auto swept = Sweep(Ctx());
    ASSERT_TRUE(swept.ok());
    EXPECT_EQ(swept->no_shows, 0);
    clock_.Set(Shanghai(2026y / December / 2, 16, 45));
    swept = Sweep(Ctx());
    ASSERT_TRUE(swept.ok());
    EXPECT_EQ(swept->no_shows, 1);
    auto now = FindAppointment(Ctx(), r->appointment.id);
    ASSERT_TRUE(now.ok() && *now);
    EXPECT_EQ((*now)->state, "no_show");
    EXPECT_EQ((*now)->no_show_reason, "absent");
}

TEST_P(BookingTest, AMailedRetrievalNeedsCourierAndTrackingAndIsSealedAtRest) {
    auto r = BookRetrieval(persons_[0], 2026y / December / 2, "mail");
    ASSERT_TRUE(r.ok()) << Why(r);
    ASSERT_TRUE(r->appointment.mail_to);
    auto stored = db().Query("SELECT mail_to_sealed FROM appointments WHERE id = ?", {r->appointment.id});
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(stored->rows.front().Blob(0).data.find("民康路"), std::string::npos);
    ASSERT_TRUE(Apply(Ctx(), r->appointment.id, Action::kPrepare, By("clerk")).ok());
    auto missing = Apply(Ctx(), r->appointment.id, Action::kMail, By("clerk", "", "EMS", ""));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().field, "tracking_number");
    auto mailed = Apply(Ctx(), r->appointment.id, Action::kMail, By("clerk", "", "EMS", "1199887766554"));
    ASSERT_TRUE(mailed.ok()) << Why(mailed);
    EXPECT_EQ(mailed->state, "mailed");
    const auto texts = Texts("appointment.mailed");
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts.front().find("1199887766554"), std::string::npos);
    EXPECT_EQ(ReasonOf(Apply(Ctx(), r->appointment.id, Action::kCollect, By("clerk", "123456"))), "invalid_state");
}

TEST_P(BookingTest, ReturningARetrievalGivesTheSeatBackWithTheReason) {
    auto r = BookRetrieval(persons_[0], 2026y / December / 2);
    ASSERT_TRUE(r.ok());
    const std::string slot = r->appointment.slot_id;
    EXPECT_EQ(SeatsTaken(slot), 1);
    auto returned = Apply(Ctx(), r->appointment.id, Action::kReturn, By("clerk", "", "", "", "档案已移交至吉林市"));
    ASSERT_TRUE(returned.ok()) << Why(returned);
    EXPECT_EQ(returned->state, "returned");
    EXPECT_EQ(SeatsTaken(slot), 0);
    EXPECT_NE(Texts("appointment.returned").front().find("档案已移交至吉林市"), std::string::npos);
}

TEST_P(BookingTest, RetrievalFieldsAreCheckedAndNamed) {
    BookRequest r;
    r.person_id = persons_[0];
    r.kind = Service::kRetrieval;
    r.branch_code = kBranch;
    r.date = "2026-12-02";
    auto no_purpose = Book(Ctx(), r, std::nullopt);
    ASSERT_FALSE(no_purpose.ok());
    EXPECT_EQ(no_purpose.error().field, "purpose");
    r.purpose = "notary";
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "materials");
    r.materials = {{std::nullopt, std::nullopt, "招工表"}};
    r.delivery = "fly";
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "delivery");
    r.delivery = "mail";
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "mail_to");
    r.mail_to = MailTo{"张伟", "12345", "吉林省长春市南关区民康路 8 号"};
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "mail_to.phone");
    r.mail_to->phone = "13904310001";
    r.mail_to->address = "长春";
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "mail_to.address");
    r.mail_to->address = "吉林省长春市南关区民康路 8 号";
    r.date = "2026-11-30";  // today: materials need a day
    EXPECT_EQ(ReasonOf(Book(Ctx(), r, std::nullopt)), "slot_closed");
    r.materials = {{std::string("no-such-record"), 1, ""}};
    r.date = "2026-12-02";
    EXPECT_EQ(FieldOf(Book(Ctx(), r, std::nullopt)), "materials[0]");
    EXPECT_EQ(SeatsTaken(FormatSlotId({kBranch, Service::kRetrieval, 2026y / December / 2, 510})), -1);
}

TEST_P(BookingTest, CheckInOpensAnHourBeforeAndClosesAfterTheGrace) {
    const Date tue = 2026y / December / 1;
    auto b = BookVisit(persons_[0], Slot(tue, 10));
    ASSERT_TRUE(b.ok());
    clock_.Set(Shanghai(tue, 8, 59));
    auto early = CheckInByCode(Ctx(), kBranch, b->appointment.code);
    ASSERT_FALSE(early.ok());
    EXPECT_EQ(early.error().reason, "check_in_too_early");
    clock_.Set(Shanghai(tue, 9));
    auto wrong_branch = CheckInByCode(Ctx(), "220104-001", b->appointment.code);
    ASSERT_FALSE(wrong_branch.ok());
    EXPECT_EQ(wrong_branch.error().reason, "appointment_not_found");
    auto in = CheckInByPerson(Ctx(), kBranch, persons_[0]);
    ASSERT_TRUE(in.ok()) << Why(in);
    EXPECT_EQ(in->state, "checked_in");
    auto twice = CheckInByCode(Ctx(), kBranch, b->appointment.code);
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().reason, "invalid_state");
    auto late = BookVisit(persons_[1], Slot(tue, 10));
    ASSERT_TRUE(late.ok());
    clock_.Set(Shanghai(tue, 10, 45) + 1ms);
    auto closed = CheckInByCode(Ctx(), kBranch, late->appointment.code);
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().reason, "check_in_closed");
}

TEST_P(BookingTest, RemindersGoOutOnceTheDayBeforeInTheDaytime) {
    auto b = BookVisit(persons_[0], Slot(2026y / December / 3, 9));
    ASSERT_TRUE(b.ok());
    clock_.Set(Shanghai(2026y / December / 2, 8, 59));
    EXPECT_EQ(Sweep(Ctx()).value().reminders, 0);
    clock_.Set(Shanghai(2026y / December / 2, 9));
    EXPECT_EQ(Sweep(Ctx()).value().reminders, 1);
    EXPECT_EQ(Sweep(Ctx()).value().reminders, 0);
    const auto texts = Texts("appointment.reminder");
    ASSERT_EQ(texts.size(), 1u);
    EXPECT_NE(texts.front().find(b->appointment.code), std::string::npos);
}

TEST_P(BookingTest, SavingRulesNeverCutsCapacityBelowWhatIsBooked) {
    const std::string slot = Slot(2026y / December / 1, 9);
    ASSERT_TRUE(BookVisit(persons_[0], slot).ok());
    ASSERT_TRUE(BookVisit(persons_[1], slot).ok());
    auto setup = LoadSetup(db(), kBranch);
    ASSERT_TRUE(setup.ok());
    BranchSetup smaller = *setup;
    smaller.rules[0].capacity = smaller.rules[0].service == Service::kVisit ? 1 : smaller.rules[0].capacity;
    smaller.rules[1].capacity = smaller.rules[1].service == Service::kVisit ? 1 : smaller.rules[1].capacity;
    Status saved = db().Transaction([&](db::Connection& c) { return SaveSetup(c, clock_, kBranch, smaller, "admin"); });
    ASSERT_TRUE(saved.ok()) << Why(saved);
    auto cap = db().Query("SELECT capacity FROM slots WHERE id = ?", {slot});
    ASSERT_TRUE(cap.ok());
    EXPECT_EQ(cap->rows.front().Int(0), 2);
    BranchSetup bad = *setup;
    bad.rules[0].slot_minutes = 2;
    Status refused = db().Transaction([&](db::Connection& c) { return SaveSetup(c, clock_, kBranch, bad, "admin"); });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().field, std::string(ServiceName(bad.rules[0].service)) + ".slot_minutes");
}

INSTANTIATE_TEST_SUITE_P(Backends, BookingTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::appointments
