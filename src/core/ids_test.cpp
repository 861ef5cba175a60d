#include "core/ids.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace dangan::core {
namespace {

using namespace std::chrono_literals;

// The 48-bit Unix millisecond timestamp at the front of an id.
std::uint64_t IdMillis(const std::string& id) {
    std::string hex = id.substr(0, 8) + id.substr(9, 4);
    return std::stoull(hex, nullptr, 16);
}

std::uint64_t Millis(TimePoint t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    return static_cast<std::uint64_t>(ms.count());
}

// The generator keeps process-wide state (the last millisecond used), so tests start from
// the present rather than a fixed date, and so do not move the ids of other tests far.
TimePoint Present() { return std::chrono::system_clock::now(); }

// A millisecond later than every id made so far in this process: an id made at it carries
// it exactly.
TimePoint Fresh() {
    std::uint64_t last = IdMillis(NewId(FixedClock(Present())));
    return TimePoint(std::chrono::milliseconds(last + 1));
}

TEST(Ids, HaveUuidLayout) {
    FixedClock clock(Present());
    std::string id = NewId(clock);
    ASSERT_EQ(id.size(), 36u) << id;
    for (std::size_t i = 0; i < id.size(); ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            EXPECT_EQ(id[i], '-') << id;
        } else {
            EXPECT_TRUE((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')) << id;
        }
    }
    EXPECT_TRUE(IsId(id)) << id;
}

TEST(Ids, VersionNibbleIsSevenAndVariantBitsAreTen) {
    FixedClock clock(Present());
    for (int i = 0; i < 5000; ++i) {
        std::string id = NewId(clock);
        ASSERT_EQ(id[14], '7') << id;
        int variant = std::stoi(id.substr(19, 1), nullptr, 16);
        ASSERT_EQ(variant >> 2, 0b10) << id;
    }
}

TEST(Ids, StartWithTheClockMilliseconds) {
    FixedClock now(Present());
    EXPECT_GE(IdMillis(NewId(now)), Millis(now.Now()));  // never earlier than the clock

    // Past every id made so far, the id carries exactly the clock's millisecond.
    TimePoint fresh = Fresh();
    std::string id = NewId(FixedClock(fresh + 400us));
    EXPECT_EQ(IdMillis(id), Millis(fresh)) << id;
}

TEST(Ids, StrictlyIncreasingUnderAClockThatDoesNotMove) {
    FixedClock clock(Fresh());
    std::string previous = NewId(clock);
    for (int i = 0; i < 10000; ++i) {
        std::string id = NewId(clock);
        ASSERT_LT(previous, id) << "id " << i;
        ASSERT_TRUE(IsId(id)) << id;
        previous = id;
    }
    // 10000 ids need more than the 4096 sequence values of one millisecond; the generator
    // borrows a few milliseconds but no more.
    EXPECT_LE(IdMillis(previous), Millis(clock.Now()) + 10) << previous;
}

TEST(Ids, IncreasingWhenTheClockGoesBackwards) {
    FixedClock clock(Fresh());
    std::string before = NewId(clock);
    clock.Advance(-1s);
    std::string after = NewId(clock);
    EXPECT_LT(before, after);
}

TEST(Ids, LaterClockSortsLater) {
    FixedClock clock(Fresh());
    std::string a = NewId(clock);
    clock.Advance(1ms);
    std::string b = NewId(clock);
    clock.Advance(20ms);
    std::string c = NewId(clock);
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_EQ(IdMillis(c), Millis(clock.Now()));
}

TEST(Ids, UniqueAndOrderedPerThreadAcrossFourThreads) {
    FixedClock clock(Present());
    constexpr int kThreads = 4;
    constexpr int kPerThread = 5000;
    std::vector<std::vector<std::string>> made(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&clock, &made, t] {
            made[t].reserve(kPerThread);
            for (int i = 0; i < kPerThread; ++i) made[t].push_back(NewId(clock));
        });
    }
    for (auto& t : threads) t.join();

    std::set<std::string> all;
    for (const auto& ids : made) {
        for (std::size_t i = 0; i < ids.size(); ++i) {
            if (i > 0) {
                EXPECT_LT(ids[i - 1], ids[i]);
            }
            all.insert(ids[i]);
        }
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(Ids, IsIdRejectsJunk) {
    const std::string good = "0190e1f2-7a3b-7c4d-9e5f-0123456789ab";
    EXPECT_TRUE(IsId(good));
    EXPECT_FALSE(IsId(""));
    EXPECT_FALSE(IsId("not-an-id"));
    EXPECT_FALSE(IsId(good.substr(0, 35)));
    EXPECT_FALSE(IsId(good + "0"));
    EXPECT_FALSE(IsId("0190E1F2-7A3B-7C4D-9E5F-0123456789AB"));  // NewId writes lower case
    EXPECT_FALSE(IsId("0190e1f2-7a3b-4c4d-9e5f-0123456789ab"));  // version 4
    EXPECT_FALSE(IsId("0190e1f2-7a3b-7c4d-9e5f-0123456789ag"));
    EXPECT_FALSE(IsId("0190e1f27a3b-7c4d-9e5f-0123456789ab0"));  // dash moved
    EXPECT_FALSE(IsId("0190e1f2_7a3b_7c4d_9e5f_0123456789ab"));
    EXPECT_FALSE(IsId("{190e1f2-7a3b-7c4d-9e5f-0123456789a}"));
    EXPECT_FALSE(IsId(std::string("0190e1f2-7a3b-7c4d-9e5f-0123456789a\0", 36)));
}

TEST(Ids, IsIdRejectsVariantsNewIdNeverMakes) {
    // NewId always sets the RFC 9562 variant bits 10, so the 17th hex digit is 8, 9, a or b.
    for (char variant : {'0', '3', '7', 'c', 'f'}) {
        std::string id = "0190e1f2-7a3b-7c4d-9e5f-0123456789ab";
        id[19] = variant;
        EXPECT_FALSE(IsId(id)) << id;
    }
    for (char variant : {'8', '9', 'a', 'b'}) {
        std::string id = "0190e1f2-7a3b-7c4d-9e5f-0123456789ab";
        id[19] = variant;
        EXPECT_TRUE(IsId(id)) << id;
    }
}

}  // namespace
}  // namespace dangan::core
