#include "core/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace dangan::core {
namespace {

using namespace std::chrono;
using namespace std::chrono_literals;

// An instant given in UTC.
TimePoint Utc(year_month_day date, system_clock::duration time_of_day = {}) {
    return TimePoint(sys_days(date).time_since_epoch() + time_of_day);
}

local_time<system_clock::duration> Local(year_month_day date, system_clock::duration time_of_day = {}) {
    return local_time<system_clock::duration>(local_days(date).time_since_epoch() + time_of_day);
}

TEST(Clock, BusinessDateIsTheShanghaiDate) {
    // 16:30 UTC is 00:30 the next day in Shanghai.
    EXPECT_EQ(BusinessDate(Utc(2026y / November / 26, 16h + 30min)), 2026y / November / 27);
    EXPECT_EQ(BusinessDate(Utc(2026y / November / 26, 15h + 59min + 59s + 999ms)), 2026y / November / 26);
    EXPECT_EQ(BusinessDate(Utc(2026y / November / 26, 16h)), 2026y / November / 27);
    EXPECT_EQ(BusinessDate(Utc(2026y / November / 26)), 2026y / November / 26);
}

TEST(Clock, BusinessDateCrossesMonthYearAndLeapDay) {
    EXPECT_EQ(BusinessDate(Utc(2026y / December / 31, 16h)), 2027y / January / 1);
    EXPECT_EQ(BusinessDate(Utc(2028y / February / 28, 20h)), 2028y / February / 29);
    EXPECT_EQ(BusinessDate(Utc(2027y / February / 28, 20h)), 2027y / March / 1);
}

TEST(Clock, BusinessDateBeforeTheEpoch) {
    EXPECT_EQ(BusinessDate(Utc(1969y / December / 31, 16h)), 1970y / January / 1);
    EXPECT_EQ(BusinessDate(Utc(1969y / December / 31, 15h + 59min)), 1969y / December / 31);
}

TEST(Clock, FormatIso8601UsesShanghaiOffset) {
    EXPECT_EQ(FormatIso8601(Utc(2026y / November / 26, 16h + 30min)), "2026-11-27T00:30:00.000+08:00");
    EXPECT_EQ(FormatIso8601(Utc(2026y / November / 26, 10h + 30min + 123ms)), "2026-11-26T18:30:00.123+08:00");
    EXPECT_EQ(FormatIso8601(Utc(2026y / January / 1, 1h + 2min + 3s + 4ms)), "2026-01-01T09:02:03.004+08:00");
}

TEST(Clock, FormatIso8601TruncatesToMilliseconds) {
    EXPECT_EQ(FormatIso8601(Utc(2026y / November / 26, 15h + 59min + 59s + 999999us)), "2026-11-26T23:59:59.999+08:00");
    EXPECT_EQ(FormatIso8601(Utc(2026y / November / 26, 1ns)), "2026-11-26T08:00:00.000+08:00");
}

TEST(Clock, FormatIso8601BeforeTheEpoch) {
    EXPECT_EQ(FormatIso8601(Utc(1969y / December / 31, 20h + 500ms)), "1970-01-01T04:00:00.500+08:00");
    EXPECT_EQ(FormatIso8601(Utc(1960y / June / 1, 3h)), "1960-06-01T11:00:00.000+08:00");
}

TEST(Clock, FormatDatePadsFields) {
    EXPECT_EQ(FormatDate(2026y / January / 5), "2026-01-05");
    EXPECT_EQ(FormatDate(2026y / December / 31), "2026-12-31");
    EXPECT_EQ(FormatDate(999y / March / 9), "0999-03-09");
}

TEST(Clock, FromShanghaiSubtractsEightHours) {
    EXPECT_EQ(FromShanghai(Local(2026y / November / 27, 30min)), Utc(2026y / November / 26, 16h + 30min));
    EXPECT_EQ(FromShanghai(Local(2026y / November / 27, 9h)), Utc(2026y / November / 27, 1h));
}

TEST(Clock, FromShanghaiRoundTrips) {
    for (auto t : {Utc(2026y / November / 26, 16h + 30min), Utc(2026y / December / 31, 23h + 59min + 59s),
                   Utc(2000y / February / 29, 7h + 1ms), Utc(1969y / July / 20, 20h + 17min)}) {
        auto local = local_time<system_clock::duration>(t.time_since_epoch() + kShanghaiOffset);
        EXPECT_EQ(FromShanghai(local), t) << FormatIso8601(t);
    }
    // Wall-clock time in, the same wall-clock time out.
    TimePoint nine = FromShanghai(Local(2026y / November / 30, 9h + 15min));
    EXPECT_EQ(FormatIso8601(nine), "2026-11-30T09:15:00.000+08:00");
    EXPECT_EQ(BusinessDate(nine), 2026y / November / 30);
    // Shanghai midnight is the first instant of its business date.
    TimePoint midnight = FromShanghai(Local(2026y / November / 30));
    EXPECT_EQ(BusinessDate(midnight), 2026y / November / 30);
    EXPECT_EQ(BusinessDate(midnight - 1ns), 2026y / November / 29);
}

TEST(Clock, FixedClockStandsStillUntilMoved) {
    TimePoint start = Utc(2026y / November / 26, 16h + 30min);
    FixedClock clock(start);
    EXPECT_EQ(clock.Now(), start);
    std::this_thread::sleep_for(2ms);
    EXPECT_EQ(clock.Now(), start);

    clock.Advance(90min);
    EXPECT_EQ(clock.Now(), start + 90min);
    EXPECT_EQ(FormatIso8601(clock.Now()), "2026-11-27T02:00:00.000+08:00");
    clock.Advance(1500us);
    EXPECT_EQ(clock.Now(), start + 90min + 1500us);

    TimePoint other = Utc(2020y / January / 1);
    clock.Set(other);
    EXPECT_EQ(clock.Now(), other);
}

TEST(Clock, FixedClockAdvanceIsAtomicAcrossThreads) {
    TimePoint start = Utc(2026y / November / 26);
    FixedClock clock(start);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&clock] {
            for (int i = 0; i < 10000; ++i) clock.Advance(1ms);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(clock.Now(), start + 40000ms);
}

TEST(Clock, SystemClockFollowsTheSystem) {
    SystemClock clock;
    auto before = system_clock::now();
    auto now = clock.Now();
    auto after = system_clock::now();
    EXPECT_LE(before, now);
    EXPECT_LE(now, after);
}

TEST(Clock, AdjustableClockRunsOnFromTheTimeSet) {
    AdjustableClock clock;
    const TimePoint target = Utc(2030y / January / 1, 1h);
    clock.Set(target);
    const auto now = clock.Now();
    EXPECT_GE(now, target);
    EXPECT_LT(now, target + 5s);
}

TEST(Clock, ParseDateAcceptsRealDaysOnly) {
    EXPECT_EQ(ParseDate("2028-02-29"), 2028y / February / 29);
    EXPECT_FALSE(ParseDate("2027-02-29"));
    EXPECT_FALSE(ParseDate("2026-13-01"));
    EXPECT_FALSE(ParseDate("2026-1-01"));
    EXPECT_FALSE(ParseDate("2026-01-01T"));
    EXPECT_FALSE(ParseDate("２０２６-01-01"));
    EXPECT_FALSE(ParseDate(""));
}

TEST(Clock, ParseIso8601ReadsOffsetsAndFractions) {
    EXPECT_EQ(ParseIso8601("2026-12-01T09:00:00+08:00"), Utc(2026y / December / 1, 1h));
    EXPECT_EQ(ParseIso8601("2026-12-01T09:00+08:00"), Utc(2026y / December / 1, 1h));
    EXPECT_EQ(ParseIso8601("2026-12-01T01:00:00Z"), Utc(2026y / December / 1, 1h));
    EXPECT_EQ(ParseIso8601("2026-12-01T01:00:00.25Z"), Utc(2026y / December / 1, 1h + 250ms));
    EXPECT_EQ(ParseIso8601("2026-11-30T20:00:00-05:00"), Utc(2026y / December / 1, 1h));
    const TimePoint t = Utc(2026y / November / 26, 23h + 59min + 59s + 999ms);
    EXPECT_EQ(ParseIso8601(FormatIso8601(t)), t);
    EXPECT_FALSE(ParseIso8601("2026-12-01 09:00:00+08:00"));
    EXPECT_FALSE(ParseIso8601("2026-12-01T24:00:00+08:00"));
    EXPECT_FALSE(ParseIso8601("2026-12-01T09:00:00"));
    EXPECT_FALSE(ParseIso8601("2026-12-01T09:00:00+8:00"));
}

}  // namespace
}  // namespace dangan::core
