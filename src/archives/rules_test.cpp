#include "archives/rules.hpp"

#include <gtest/gtest.h>

namespace dangan::archives {
namespace {

// ---- Labels and codes ----

TEST(RulesLabels, EveryListHasUniqueCodesAndChineseLabels) {
    for (const auto* labels : {&RecordKinds(), &RecordStatuses(), &HolderKinds(), &BranchKinds(), &BranchServices()}) {
        ASSERT_FALSE(labels->empty());
        for (std::size_t i = 0; i < labels->size(); ++i) {
            const Label& l = (*labels)[i];
            EXPECT_FALSE(l.code.empty());
            EXPECT_GE(static_cast<unsigned char>(l.zh.front()), 0x80) << l.code << " has no Chinese label";
            for (std::size_t j = i + 1; j < labels->size(); ++j) EXPECT_NE(l.code, (*labels)[j].code);
        }
    }
}

TEST(RulesLabels, LabelOfGivesTheChineseOrTheCodeItselfWhenUnknown) {
    EXPECT_EQ(LabelOf(RecordStatuses(), "in_store"), "在库");
    EXPECT_EQ(LabelOf(RecordKinds(), "social_insurance"), "社会保险业务档案");
    EXPECT_EQ(LabelOf(HolderKinds(), "district_bureau"), "区（县）社保经办机构");
    EXPECT_EQ(LabelOf(BranchServices(), "kiosk"), "自助终端");
    EXPECT_EQ(LabelOf(RecordStatuses(), "lost"), "lost");
    EXPECT_TRUE(IsCode(BranchKinds(), "bank"));
    EXPECT_FALSE(IsCode(BranchKinds(), "银行网点")) << "a label is not a code";
    EXPECT_FALSE(IsCode(BranchKinds(), ""));
}

TEST(RulesParseCode, AcceptsTheCodeOrItsChineseLabelTrimmed) {
    EXPECT_EQ(*ParseCode(RecordStatuses(), "in_store", "status"), "in_store");
    EXPECT_EQ(*ParseCode(RecordStatuses(), "在库", "status"), "in_store");
    EXPECT_EQ(*ParseCode(RecordStatuses(), " 已移交 ", "status"), "transferred");
    EXPECT_EQ(*ParseCode(RecordKinds(), "人事档案", "kind"), "personnel");
    EXPECT_EQ(*ParseCode(HolderKinds(), "人才服务中心", "kind"), "talent_centre");
    EXPECT_EQ(*ParseCode(BranchServices(), "预约到访", "services"), "visit");
}

TEST(RulesParseCode, RefusesOtherValuesNamingTheFieldAndListingTheLabels) {
    for (std::string_view bad : {"", "lost", "IN_STORE", "在", "在库在库", "personnel"}) {
        auto r = ParseCode(RecordStatuses(), bad, "status");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(r.error().field, "status");
        EXPECT_EQ(r.error().reason, "invalid_status");
        EXPECT_NE(r.error().message.find("在库、借出、移交中、已移交、已销毁"), std::string::npos) << r.error().message;
    }
    EXPECT_EQ(ParseCode(HolderKinds(), "bank", "kind").error().field, "kind");
}

// ---- Retention ----

TEST(RulesRetention, PermanentOrTenThirtyFiftyHundredYears) {
    EXPECT_FALSE(ParseRetention("永久")->years);
    EXPECT_FALSE(ParseRetention("permanent")->years);
    EXPECT_FALSE(ParseRetention(" 永久 ")->years);
    EXPECT_EQ(ParseRetention("10")->years, 10);
    EXPECT_EQ(ParseRetention("10年")->years, 10);
    EXPECT_EQ(ParseRetention("30")->years, 30);
    EXPECT_EQ(ParseRetention("50年")->years, 50);
    EXPECT_EQ(ParseRetention(" 100 ")->years, 100);
    EXPECT_EQ(ParseRetention("１０ 年")->years, 10) << "full-width digits and a space, as spreadsheets have them";
}

TEST(RulesRetention, OtherPeriodsAreRefusedNamingRetention) {
    for (std::string_view bad : {"20", "-1", "", "0", "年", "010", "10年年", "1O", "forever", "100000"}) {
        auto r = ParseRetention(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(r.error().field, "retention");
        EXPECT_EQ(r.error().reason, "invalid_retention");
    }
}

TEST(RulesRetention, EndsCountFromFirstJanuaryOfTheFollowingYear) {
    // Filed 2015, 10 years: 2016-01-01 … 2025-12-31.
    EXPECT_EQ(RetentionEnds(2015, Retention{10}), "2025-12-31");
    EXPECT_EQ(RetentionEnds(1990, Retention{30}), "2020-12-31");
    EXPECT_EQ(RetentionEnds(2000, Retention{50}), "2050-12-31");
    EXPECT_EQ(RetentionEnds(2024, Retention{100}), "2124-12-31");
    EXPECT_EQ(RetentionEnds(2015, Retention{}), std::nullopt) << "permanent never ends";
}

// ---- Shelf location 库房-排-架-层-盒 ----

TEST(RulesShelfLocation, AcceptsFivePartsAndTrims) {
    EXPECT_EQ(*ValidateShelfLocation("A-03-12-4-0217"), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("  A-03-12-4-0217 "), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("A - 03 - 12 - 4 - 0217"), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("B2-1-1-1-1"), "B2-1-1-1-1");
}

TEST(RulesShelfLocation, NormalisesFullWidthDigitsAndChineseDashes) {
    EXPECT_EQ(*ValidateShelfLocation("Ａ－０３－１２－４－０２１７"), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("A—03—12—4—0217"), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("A–03–12–4–0217"), "A-03-12-4-0217");
    EXPECT_EQ(*ValidateShelfLocation("　A-03-12-4-0217　"), "A-03-12-4-0217") << "ideographic spaces";
}

TEST(RulesShelfLocation, AcceptsChineseStoreRoomsUpToEightCharacters) {
    EXPECT_EQ(*ValidateShelfLocation("人事-01-02-3-0004"), "人事-01-02-3-0004");
    EXPECT_EQ(*ValidateShelfLocation("二号库房-01-02-3-0004"), "二号库房-01-02-3-0004");
    EXPECT_TRUE(ValidateShelfLocation("一二三四五六七八-1-1-1-1").ok());
    EXPECT_FALSE(ValidateShelfLocation("一二三四五六七八九-1-1-1-1").ok());
}

TEST(RulesShelfLocation, RefusesOtherShapesNamingShelfLocation) {
    for (std::string_view bad : {
             "",                       // empty
             "A-03-12-4",              // four parts
             "A-03-12-4-0217-1",       // six parts
             "A0312040217",            // no dashes
             "A--12-4-0217",           // an empty part
             "-03-12-4-0217",          // no store room
             "A-03-12-4-",             // no box
             "A-0a-12-4-0217",         // letters where digits belong
             "A-03-12-4-02170",        // a box of five digits
             "A-00003-12-4-0217",      // a row of five digits
             "A-03-12-+4-0217",        // a sign
             "A_1-03-12-4-0217",       // punctuation in the store room
             "A 1-03-12-4-0217",       // a space inside the store room
             "ABCDEFGHI-03-12-4-0217"  // nine characters
         }) {
        auto r = ValidateShelfLocation(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_EQ(r.error().field, "shelf_location");
        EXPECT_EQ(r.error().reason, "invalid_shelf_location");
    }
}

TEST(RulesShelfLocation, AStoreRoomIsLettersDigitsOrChineseOnly) {
    EXPECT_FALSE(ValidateShelfLocation("★-03-12-4-0217").ok()) << "a symbol";
    EXPECT_FALSE(ValidateShelfLocation("人、事-03-12-4-0217").ok()) << "Chinese punctuation";
    EXPECT_FALSE(ValidateShelfLocation("\xff-03-12-4-0217").ok()) << "broken UTF-8";
    EXPECT_FALSE(ValidateShelfLocation("A\xe4-03-12-4-0217").ok()) << "a cut-off character";
}

TEST(RulesShelfLocation, DescribedWithTheUnitOfEachPart) {
    EXPECT_EQ(DescribeShelfLocation("A-03-12-4-0217"), "A库 03排 12架 4层 0217盒");
    EXPECT_EQ(DescribeShelfLocation("人事-01-02-3-0004"), "人事库 01排 02架 3层 0004盒");
}

// ---- Region and branch codes, dates ----

TEST(RulesRegionCode, ProvinceCityOrDistrictDigits) {
    for (std::string_view ok : {"22", "2201", "220102"}) EXPECT_TRUE(IsRegionCode(ok)) << ok;
    for (std::string_view bad : {"", "2", "220", "2201021", "22x1", "220102-001"}) EXPECT_FALSE(IsRegionCode(bad)) << bad;
}

TEST(RulesBranchCode, SixDigitDistrictDashThreeDigitSequence) {
    EXPECT_TRUE(IsBranchCode("220102-001"));
    EXPECT_TRUE(IsBranchCode("229999-999"));
    for (std::string_view bad : {"", "220102", "220102-01", "220102-0001", "22010-0001", "220102_001", "22010a-001",
                                 "220102-00a", " 220102-001", "220102--01"}) {
        EXPECT_FALSE(IsBranchCode(bad)) << bad;
    }
}

TEST(RulesPartialDate, YearYearMonthOrFullDate) {
    EXPECT_TRUE(IsPartialDate("2015"));
    EXPECT_TRUE(IsPartialDate("2015-07"));
    EXPECT_TRUE(IsPartialDate("2015-07-31"));
    EXPECT_TRUE(IsPartialDate("1900-01-01"));
    for (std::string_view bad : {"", "15", "201", "20155", "2015-7", "2015-07-1", "2015/07/01", "2015-07-01T00",
                                 "2015-07-", "abcd", "2015-ab", "1899", "2201-01-01", "+015"}) {
        EXPECT_FALSE(IsPartialDate(bad)) << bad;
    }
}

TEST(RulesPartialDate, MonthAndDayMustExist) {
    EXPECT_FALSE(IsPartialDate("2015-13"));
    EXPECT_FALSE(IsPartialDate("2015-00"));
    EXPECT_FALSE(IsPartialDate("2015-00-10"));
    EXPECT_FALSE(IsPartialDate("2015-04-31")) << "April has 30 days";
    EXPECT_TRUE(IsPartialDate("2015-04-30"));
    EXPECT_FALSE(IsPartialDate("2015-07-00"));
    EXPECT_FALSE(IsPartialDate("2015-07-32"));
}

TEST(RulesPartialDate, TheTwentyNinthOfFebruaryOnlyInLeapYears) {
    EXPECT_TRUE(IsPartialDate("2024-02-29"));
    EXPECT_TRUE(IsPartialDate("2000-02-29")) << "divisible by 400";
    EXPECT_FALSE(IsPartialDate("2023-02-29"));
    EXPECT_FALSE(IsPartialDate("1900-02-29")) << "divisible by 100, not by 400";
    EXPECT_FALSE(IsPartialDate("2024-02-30"));
}

}  // namespace
}  // namespace dangan::archives
