#include "bulk/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace dangan::bulk {
namespace {

using std::chrono::seconds;

TEST(Progress, NumbersAndDurationsForPeople) {
    EXPECT_EQ(Grouped(0), "0");
    EXPECT_EQ(Grouped(999), "999");
    EXPECT_EQ(Grouped(1234567), "1,234,567");
    EXPECT_EQ(Duration(12.2), "12 秒");
    EXPECT_EQ(Duration(520), "8 分 40 秒");
    EXPECT_EQ(Duration(3720), "1 小时 2 分");
}

TEST(Progress, ATerminalLineIsRewrittenAboutOnceASecond) {
    std::ostringstream out;
    const auto start = Progress::Clock::time_point{};
    Progress p(out, true, "生成人员", 1000, start);
    p.Update(100, 700, start + std::chrono::milliseconds(500));
    EXPECT_EQ(out.str(), "") << "not yet due";
    p.Update(200, 1400, start + seconds(2));
    EXPECT_EQ(out.str(), "\r生成人员 200 / 1,000（20%），1,400 行，700 行/秒，剩余约 8 秒\x1b[K");
    p.Finish();
    EXPECT_TRUE(out.str().ends_with("\r\x1b[K"));
}

TEST(Progress, ElsewhereALinePerTenth) {
    std::ostringstream out;
    const auto start = Progress::Clock::time_point{};
    Progress p(out, false, "生成人员", 1000, start);
    for (int done = 50; done < 1000; done += 50) p.Update(done, done * 7, start + seconds(done / 50));
    p.Update(1000, 7000, start + seconds(20));
    std::istringstream lines(out.str());
    int count = 0;
    for (std::string line; std::getline(lines, line);) ++count;
    EXPECT_EQ(count, 9);  // 10% … 90%; the end is the caller's summary
}

}  // namespace
}  // namespace dangan::bulk
