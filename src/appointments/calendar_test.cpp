#include "appointments/calendar.hpp"

#include <gtest/gtest.h>

namespace dangan::appointments {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// Mon–Fri 08:30–11:30 and 13:00–16:30; Saturday mornings at no day.
WeeklyHours Hall() {
    WeeklyHours h;
    for (int d = 1; d <= 5; ++d) h[d] = {{510, 690}, {780, 990}};
    return h;
}

core::TimePoint Shanghai(Date d, int hour, int minute = 0, int second = 0) {
    return At(d, hour * 60 + minute) + seconds(second);
}

TEST(Calendar, WeekdaysFollowTheWeeklyHours) {
    const auto monday = ScheduleOf(2026y / November / 30, Hall(), std::nullopt, std::nullopt);
    EXPECT_TRUE(monday.open);
    EXPECT_EQ(monday.intervals.size(), 2u);
    EXPECT_FALSE(monday.note);
    const auto saturday = ScheduleOf(2026y / November / 28, Hall(), std::nullopt, std::nullopt);
    EXPECT_FALSE(saturday.open);
    EXPECT_EQ(Weekday(2026y / November / 28), 6);
    EXPECT_EQ(Weekday(2026y / November / 29), 7);
}

TEST(Calendar, AHolidayClosesAWeekdayWithItsName) {
    const CalendarDay national{"", 2027y / January / 1, true, "元旦"};
    const auto day = ScheduleOf(2027y / January / 1, Hall(), std::nullopt, national);
    EXPECT_FALSE(day.open);
    EXPECT_TRUE(SlotsOf(day, Service::kVisit, 30).empty());
    EXPECT_EQ(day.note, "元旦");
}

TEST(Calendar, AShiftedWorkingSaturdayOpensWithMondayHours) {
    const CalendarDay shifted{"", 2026y / October / 10, false, "调休上班"};
    const auto day = ScheduleOf(2026y / October / 10, Hall(), std::nullopt, shifted);
    EXPECT_TRUE(day.open);
    EXPECT_EQ(day.intervals, Hall()[1]);
    EXPECT_EQ(day.note, "调休上班");
    EXPECT_EQ(SlotsOf(day, Service::kVisit, 30).size(), 13u);
}

TEST(Calendar, ABranchEntryOverridesTheSharedOne) {
    const CalendarDay shared{"", 2026y / December / 7, true, "停电检修"};
    const CalendarDay branch{"220102-001", 2026y / December / 7, false, "照常营业"};
    EXPECT_TRUE(ScheduleOf(2026y / December / 7, Hall(), branch, shared).open);
    const CalendarDay branch_closed{"220102-001", 2026y / December / 8, true, "装修"};
    EXPECT_FALSE(ScheduleOf(2026y / December / 8, Hall(), branch_closed, std::nullopt).open);
}

TEST(Calendar, VisitSlotsFillEachIntervalAndDropTheRemainder) {
    const auto monday = ScheduleOf(2026y / November / 30, Hall(), std::nullopt, std::nullopt);
    auto slots = SlotsOf(monday, Service::kVisit, 30);
    ASSERT_EQ(slots.size(), 13u);  // 6 in the morning, 7 in the afternoon
    EXPECT_EQ(slots.front(), (SlotTime{510, 540}));
    EXPECT_EQ(slots[5], (SlotTime{660, 690}));
    EXPECT_EQ(slots[6], (SlotTime{780, 810}));
    slots = SlotsOf(monday, Service::kVisit, 40);  // 180 min → 4 slots, 210 min → 5 slots
    EXPECT_EQ(slots.size(), 9u);
    EXPECT_EQ(slots[3], (SlotTime{630, 670}));
}

TEST(Calendar, RetrievalHasOneSlotPerOpenDay) {
    const auto monday = ScheduleOf(2026y / November / 30, Hall(), std::nullopt, std::nullopt);
    auto slots = SlotsOf(monday, Service::kRetrieval, 30);
    ASSERT_EQ(slots.size(), 1u);
    EXPECT_EQ(slots.front(), (SlotTime{510, 990}));
}

TEST(Calendar, TheWindowOpensOneMoreDayAtReleaseTime) {
    const Date today = 2026y / November / 26;
    EXPECT_EQ(LastBookableDate(Shanghai(today, 7, 59, 59), 14, 480), 2026y / December / 9);
    EXPECT_EQ(LastBookableDate(Shanghai(today, 8, 0), 14, 480), 2026y / December / 10);
    EXPECT_EQ(LastBookableDate(Shanghai(today, 23, 59), 1, 0), 2026y / November / 27);
}

TEST(Calendar, MonthsAreShanghaiMonths) {
    const Date last = 2026y / December / 31;
    EXPECT_EQ(MonthOf(Shanghai(last, 23, 59, 59)), "2026-12");
    EXPECT_EQ(MonthOf(Shanghai(2027y / January / 1, 0, 0)), "2027-01");
    // 2026-12-31 16:30 UTC is already January in Shanghai.
    EXPECT_EQ(MonthOf(core::TimePoint(sys_days(last)) + 16h + 30min), "2027-01");
    EXPECT_EQ(NextMonthStart(Shanghai(last, 23, 59, 59)), Shanghai(2027y / January / 1, 0, 0));
    EXPECT_EQ(NextMonthStart(Shanghai(2027y / January / 1, 0, 0)), Shanghai(2027y / February / 1, 0, 0));
    EXPECT_EQ(NextMonthStart(Shanghai(2028y / February / 29, 12, 0)), Shanghai(2028y / March / 1, 0, 0));
}

TEST(Calendar, MinutesParseAndFormat) {
    EXPECT_EQ(ParseMinute("08:30"), 510);
    EXPECT_EQ(ParseMinute("8:30"), 510);
    EXPECT_EQ(ParseMinute("24:00"), 1440);
    EXPECT_FALSE(ParseMinute("24:01"));
    EXPECT_FALSE(ParseMinute("08:60"));
    EXPECT_FALSE(ParseMinute("0830"));
    EXPECT_FALSE(ParseMinute("08:3"));
    EXPECT_FALSE(ParseMinute(""));
    EXPECT_EQ(FormatMinute(510), "08:30");
}

TEST(Calendar, SlotIdsRoundTrip) {
    const SlotKey key{"220102-001", Service::kVisit, 2026y / December / 1, 540};
    EXPECT_EQ(FormatSlotId(key), "220102-001/visit/2026-12-01/0900");
    auto parsed = ParseSlotId("220102-001/visit/2026-12-01/0900");
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->branch_code, "220102-001");
    EXPECT_EQ(parsed->service, Service::kVisit);
    EXPECT_EQ(parsed->date, 2026y / December / 1);
    EXPECT_EQ(parsed->start, 540);
    EXPECT_FALSE(ParseSlotId("220102-001/visit/2026-12-01/0900/x"));
    EXPECT_FALSE(ParseSlotId("220102-001/dance/2026-12-01/0900"));
    EXPECT_FALSE(ParseSlotId("220102/visit/2026-12-01/0900"));
    EXPECT_FALSE(ParseSlotId("220102-001/visit/2026-02-30/0900"));
    EXPECT_FALSE(ParseSlotId("220102-001/visit/2026-12-01/2400"));
    EXPECT_FALSE(ParseSlotId(""));
}

TEST(Calendar, HoursAreCheckedAndErrorsNameTheField) {
    EXPECT_TRUE(ValidateHours({{1, {510, 690}}, {1, {780, 990}}}));
    auto overlap = ValidateHours({{1, {510, 690}}, {1, {600, 990}}});
    ASSERT_FALSE(overlap);
    EXPECT_EQ(overlap.error().field, "hours[1].opens");
    auto reversed = ValidateHours({{2, {690, 510}}});
    ASSERT_FALSE(reversed);
    EXPECT_EQ(reversed.error().field, "hours[0].closes");
    auto weekday = ValidateHours({{8, {510, 690}}});
    ASSERT_FALSE(weekday);
    EXPECT_EQ(weekday.error().field, "hours[0].weekday");
}

}  // namespace
}  // namespace dangan::appointments
