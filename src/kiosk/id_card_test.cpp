#include "kiosk/id_card.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace dangan::kiosk {
namespace {

using namespace std::chrono;

constexpr year_month_day kToday{year{2026}, month{11}, day{26}};
constexpr const char* kZhangWei = "220102198503150015";  // male, 1985-03-15, Changchun
constexpr const char* kZhaoLi = "220203197804050461";    // female, 1978-04-05, Jilin City

nlohmann::json Body(nlohmann::json extra = nlohmann::json::object()) {
    nlohmann::json body{{"id_number", kZhangWei}, {"name", "张伟"}};
    body.update(extra);
    return body;
}

TEST(IdCard, DerivesGenderBirthDateAndCityFromTheNumber) {
    auto card = MakeIdCard(kZhaoLi, "赵丽", kToday);
    ASSERT_TRUE(card.ok()) << card.error().message;
    EXPECT_EQ(card->gender, "女");
    EXPECT_EQ(card->birth_date, "1978-04-05");
    EXPECT_EQ(card->nation, "汉");
    EXPECT_EQ(card->address, "吉林省吉林市人民大街100号");
    EXPECT_EQ(card->issuer, "吉林市公安局");
    EXPECT_EQ(card->valid_from, "2024-11-26");
    EXPECT_EQ(card->valid_to, "长期");  // 46 at issue

    auto zhang = MakeIdCard(kZhangWei, "张伟", kToday);
    ASSERT_TRUE(zhang.ok());
    EXPECT_EQ(zhang->gender, "男");
    EXPECT_EQ(zhang->valid_to, "2044-11-26");  // 39 at issue: 20 years
}

TEST(IdCard, YoungPeopleGetShorterValidity) {
    auto first17 = std::string("22010220100101001");
    // Built with a valid check character by trying each: the validator is the authority.
    for (char c : std::string("0123456789X")) {
        auto card = MakeIdCard(first17 + c, "小明", kToday);
        if (!card) continue;
        EXPECT_EQ(card->valid_to, "2029-11-26");  // 14 at issue: 5 years
        return;
    }
    FAIL() << "no check character accepted";
}

TEST(IdCard, RefusesBadNumbersAndNames) {
    auto wrong_check = MakeIdCard("220102198503150016", "张伟", kToday);
    ASSERT_FALSE(wrong_check.ok());
    EXPECT_EQ(wrong_check.error().field, "id_number");
    EXPECT_EQ(wrong_check.error().code, ErrorCode::kUnprocessable);
    auto short_number = MakeIdCard("2201021985", "张伟", kToday);
    ASSERT_FALSE(short_number.ok());
    EXPECT_EQ(short_number.error().code, ErrorCode::kInvalidArgument);
    for (const char* name : {"", "张伟1", "张\n伟", "张张张张张张张张张张张张张张张张张张张张张张张张张张张张张张张"}) {
        auto card = MakeIdCard(kZhangWei, name, kToday);
        ASSERT_FALSE(card.ok()) << name;
        EXPECT_EQ(card.error().field, "name") << name;
    }
}

TEST(IdCard, CardOptionIsNumberCommaName) {
    auto card = ParseCardOption("220102198503150015,张伟", kToday);
    ASSERT_TRUE(card.ok());
    EXPECT_EQ(card->name, "张伟");
    auto missing = ParseCardOption("220102198503150015", kToday);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().field, "card");
}

TEST(IdCard, PutBodyKeepsGivenFieldsAndChecksThem) {
    auto card = ParseIdCard(Body({{"gender", "男"},
                                  {"birth_date", "1985-03-15"},
                                  {"nation", "满"},
                                  {"address", "长春市南关区民康路1号"},
                                  {"issuer", "长春市公安局南关分局"},
                                  {"valid_from", "2015-01-01"},
                                  {"valid_to", "2035-01-01"}}),
                            kToday);
    ASSERT_TRUE(card.ok()) << card.error().message;
    nlohmann::json json = IdCardJson(*card);
    EXPECT_EQ(json["nation"], "满");
    EXPECT_EQ(json["address"], "长春市南关区民康路1号");
    EXPECT_EQ(json["valid_to"], "2035-01-01");
    EXPECT_EQ(json.size(), 9u);
    EXPECT_TRUE(ParseIdCard(Body({{"valid_to", "长期"}}), kToday).ok());
}

TEST(IdCard, PutBodyErrorsNameTheField) {
    struct Case {
        nlohmann::json body;
        std::string field;
        ErrorCode code;
    };
    const std::vector<Case> cases{
        {nlohmann::json::array(), "body", ErrorCode::kInvalidArgument},
        {{{"name", "张伟"}}, "id_number", ErrorCode::kInvalidArgument},
        {{{"id_number", kZhangWei}}, "name", ErrorCode::kInvalidArgument},
        {Body({{"id_number", 220102}}), "id_number", ErrorCode::kInvalidArgument},
        {Body({{"id_number", "220102198502300015"}}), "id_number", ErrorCode::kUnprocessable},
        {Body({{"gender", "女"}}), "gender", ErrorCode::kUnprocessable},
        {Body({{"gender", "M"}}), "gender", ErrorCode::kInvalidArgument},
        {Body({{"birth_date", "1985-03-16"}}), "birth_date", ErrorCode::kUnprocessable},
        {Body({{"birth_date", "1985/03/15"}}), "birth_date", ErrorCode::kInvalidArgument},
        {Body({{"valid_from", "2020-02-30"}}), "valid_from", ErrorCode::kInvalidArgument},
        {Body({{"valid_from", "2020-01-01"}, {"valid_to", "2019-01-01"}}), "valid_to", ErrorCode::kUnprocessable},
        {Body({{"address", 5}}), "address", ErrorCode::kInvalidArgument},
        {Body({{"address", std::string(101 * 3, 'a')}}), "address", ErrorCode::kInvalidArgument},
        {Body({{"photo", "…"}}), "photo", ErrorCode::kInvalidArgument},
    };
    for (const auto& c : cases) {
        auto card = ParseIdCard(c.body, kToday);
        ASSERT_FALSE(card.ok()) << c.body.dump();
        EXPECT_EQ(card.error().field, c.field) << c.body.dump();
        EXPECT_EQ(card.error().code, c.code) << c.body.dump();
        EXPECT_FALSE(card.error().message.empty());
    }
}

}  // namespace
}  // namespace dangan::kiosk
