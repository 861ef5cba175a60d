#include "core/validators.hpp"

#include <gtest/gtest.h>

#include <string>

namespace dangan::core {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;
using std::chrono::year_month_day;

// A fixed "today" so that the future-date rule is deterministic.
constexpr year_month_day kToday{year(2025), month(6), day(15)};

year_month_day Ymd(int y, unsigned m, unsigned d) { return year_month_day{year(y), month(m), day(d)}; }

void ExpectIdError(std::string_view input, std::string_view message_part,
                   std::string_view reason = "invalid_id_number") {
    Result<IdNumber> r = ValidateIdNumber(input, kToday);
    ASSERT_FALSE(r.ok()) << input;
    EXPECT_EQ(r.error().field, "id_number") << input;
    EXPECT_EQ(r.error().reason, reason) << input;
    EXPECT_NE(r.error().message.find(message_part), std::string::npos) << input << " → " << r.error().message;
}

// ---- ID numbers ----
// Every valid example's check character was computed by hand-written Python, independently of
// this code; 11010519491231002X is the number printed in GB 11643-1999 itself.

TEST(ValidatorsIdNumber, AcceptsTheStandardsExample) {
    Result<IdNumber> r = ValidateIdNumber("11010519491231002X", kToday);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->normalized, "11010519491231002X");
    EXPECT_EQ(r->birth_date, Ymd(1949, 12, 31));
    EXPECT_EQ(r->gender, Gender::kFemale);  // 17th digit 2
    EXPECT_EQ(r->region_code, "110105");
}

TEST(ValidatorsIdNumber, AcceptsOtherKnownGoodNumbers) {
    struct Case {
        const char* id;
        year_month_day birth;
        Gender gender;
    };
    const Case cases[] = {
        {"44030419900307123X", Ymd(1990, 3, 7), Gender::kMale},
        {"440106193712130110", Ymd(1937, 12, 13), Gender::kMale},
        {"650102195507120039", Ymd(1955, 7, 12), Gender::kMale},
        {"210202199912319983", Ymd(1999, 12, 31), Gender::kFemale},
        {"510107200002290029", Ymd(2000, 2, 29), Gender::kFemale},  // 2000 is a leap year
        {"310115202402290070", Ymd(2024, 2, 29), Gender::kMale},    // so is 2024
        {"110101190001010014", Ymd(1900, 1, 1), Gender::kMale},     // the earliest date allowed
    };
    for (const Case& c : cases) {
        Result<IdNumber> r = ValidateIdNumber(c.id, kToday);
        ASSERT_TRUE(r.ok()) << c.id << ": " << r.error().message;
        EXPECT_EQ(r->normalized, c.id);
        EXPECT_EQ(r->birth_date, c.birth) << c.id;
        EXPECT_EQ(r->gender, c.gender) << c.id;
        EXPECT_EQ(r->region_code, std::string(c.id, 6));
    }
}

TEST(ValidatorsIdNumber, NormalisesWhatPeopleType) {
    EXPECT_EQ(ValidateIdNumber("11010519491231002x", kToday)->normalized, "11010519491231002X");
    EXPECT_EQ(ValidateIdNumber("  11010519491231002X\t\n", kToday)->normalized, "11010519491231002X");
    EXPECT_EQ(ValidateIdNumber("１１０１０５１９４９１２３１００２Ｘ", kToday)->normalized, "11010519491231002X");
    EXPECT_EQ(ValidateIdNumber("１１０１０５１９４９１２３１００２ｘ　", kToday)->normalized, "11010519491231002X");
}

TEST(ValidatorsIdNumber, BirthDateMayBeTodayButNotTomorrow) {
    // 20250615 with sequence 001: check character computed independently.
    EXPECT_TRUE(ValidateIdNumber("110101202506150018", kToday).ok());
    ExpectIdError("110101202506160013", "晚于今天");
    ExpectIdError("110101203001010014", "晚于今天");
}

TEST(ValidatorsIdNumber, RejectsEmpty) {
    ExpectIdError("", "请输入身份证号码");
    ExpectIdError("   ", "请输入身份证号码");
    ExpectIdError("\u3000", "请输入身份证号码");
}

TEST(ValidatorsIdNumber, RejectsLegacyFifteenDigitNumbers) {
    Result<IdNumber> r = ValidateIdNumber("110105491231002", kToday);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(r.error().reason, "legacy_id_number");
    EXPECT_EQ(r.error().field, "id_number");
    EXPECT_NE(r.error().message.find("18位"), std::string::npos);
    ExpectIdError(" 110105491231002 ", "15位", "legacy_id_number");
}

TEST(ValidatorsIdNumber, RejectsWrongLength) {
    ExpectIdError("11010519491231002", "您输入的是17位");
    ExpectIdError("11010519491231002X1", "您输入的是19位");
    ExpectIdError("1101051949", "您输入的是10位");
    ExpectIdError("11010549123100X", "您输入的是15位");  // 15 characters but not all digits: not legacy
    ExpectIdError("身份证", "您输入的是3位");            // characters, not bytes, are counted
    Result<IdNumber> r = ValidateIdNumber("123", kToday);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(ValidatorsIdNumber, RejectsIllegalCharacters) {
    ExpectIdError("1101051949123100AX", "只能由数字组成");
    ExpectIdError("11010519491231002Y", "只能由数字组成");
    ExpectIdError("X10105194912310021", "只能由数字组成");  // X only in the last place
    ExpectIdError("110105-19491231002", "只能由数字组成");
    ExpectIdError("11010519491231002中", "只能由数字组成");
}

TEST(ValidatorsIdNumber, RejectsImpossibleBirthDates) {
    // Each carries the right check character for its first 17 digits, so only the date is wrong.
    ExpectIdError("110101199002300014", "不存在");  // 30 February
    ExpectIdError("110101190002290011", "不存在");  // 1900 was not a leap year
    ExpectIdError("110101199013010012", "不存在");  // month 13
    ExpectIdError("110101199000100019", "不存在");  // month 0
    ExpectIdError("110101199004310013", "不存在");  // 31 April
    ExpectIdError("11010119900100001X", "不存在");  // day 0
    ExpectIdError("110101202302290019", "不存在");  // 2023 is not a leap year
    ExpectIdError("11010118991231001X", "早于1900年");
}

TEST(ValidatorsIdNumber, RejectsWrongCheckCharacter) {
    ExpectIdError("110105194912310020", "校验位不正确");  // X off by one in the table
    ExpectIdError("110105194912310029", "校验位不正确");
    ExpectIdError("440304199003071239", "校验位不正确");
    ExpectIdError("11010519491231003X", "校验位不正确");  // one digit changed
    ExpectIdError("10110519491231002X", "校验位不正确");  // two digits swapped
}

TEST(ValidatorsIdNumber, ImpossibleNumbersAreUnprocessableMalformedOnesAreBadRequests) {
    EXPECT_EQ(ValidateIdNumber("110105194912310020", kToday).error().code, ErrorCode::kUnprocessable);  // check
    EXPECT_EQ(ValidateIdNumber("110101199002300014", kToday).error().code, ErrorCode::kUnprocessable);  // 30 Feb
    EXPECT_EQ(ValidateIdNumber("110101203001010014", kToday).error().code, ErrorCode::kUnprocessable);  // future
    EXPECT_EQ(ValidateIdNumber("1101051949123100AX", kToday).error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(ValidateIdNumber("", kToday).error().code, ErrorCode::kInvalidArgument);
}

TEST(ValidatorsIdNumber, CheckCharacterHelper) {
    EXPECT_EQ(IdNumberCheckCharacter("11010519491231002"), 'X');
    EXPECT_EQ(IdNumberCheckCharacter("44010619371213011"), '0');
    EXPECT_EQ(IdNumberCheckCharacter("1101051949123100"), std::nullopt);
    EXPECT_EQ(IdNumberCheckCharacter("1101051949123100A"), std::nullopt);
}

// ---- Credit codes ----

TEST(ValidatorsCreditCode, AcceptsKnownGoodCodes) {
    // Check characters confirmed by a separate Python computation.
    for (const char* code : {"91350100M000100Y43", "91110000600037341L", "91440300708461136T"}) {
        Result<std::string> r = ValidateCreditCode(code);
        ASSERT_TRUE(r.ok()) << code << ": " << r.error().message;
        EXPECT_EQ(*r, code);
    }
}

TEST(ValidatorsCreditCode, NormalisesCaseWidthAndSpace) {
    EXPECT_EQ(ValidateCreditCode("91350100m000100y43").value(), "91350100M000100Y43");
    EXPECT_EQ(ValidateCreditCode(" ９１３５０１００Ｍ０００１００Ｙ４３　").value(), "91350100M000100Y43");
}

TEST(ValidatorsCreditCode, CheckValueThirtyOneMapsToZero) {
    // The first 17 characters below sum to 0 mod 31, so 31 − 0 = 31 → '0'.
    EXPECT_EQ(CreditCodeCheckCharacter("00000000000000000"), '0');
    EXPECT_TRUE(ValidateCreditCode("000000000000000000").ok());
    EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100Y4"), '3');
    EXPECT_EQ(CreditCodeCheckCharacter("91350100M000100I4"), std::nullopt);
    EXPECT_EQ(CreditCodeCheckCharacter("short"), std::nullopt);
}

TEST(ValidatorsCreditCode, RejectsMalformedCodes) {
    auto expect_error = [](std::string_view input, std::string_view message_part) {
        Result<std::string> r = ValidateCreditCode(input);
        ASSERT_FALSE(r.ok()) << input;
        EXPECT_EQ(r.error().field, "credit_code");
        EXPECT_EQ(r.error().reason, "invalid_credit_code");
        EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
        EXPECT_NE(r.error().message.find(message_part), std::string::npos) << input << " → " << r.error().message;
    };
    expect_error("", "请输入统一社会信用代码");
    expect_error("91350100M000100Y4", "您输入的是17位");
    expect_error("91350100M000100Y433", "您输入的是19位");
    for (char letter : {'I', 'O', 'Z', 'S', 'V'}) {
        std::string code = "91350100M000100Y43";
        code[8] = letter;
        expect_error(code, "不使用字母I、O、S、V、Z");
    }
    expect_error("91350100M000100Y4-", "不使用字母");
    expect_error("91350100M000100Y44", "校验位不正确");
    expect_error("91350100M000100Y42", "校验位不正确");
    expect_error("91350100M000010Y43", "校验位不正确");  // transposed
}

// ---- Mobile numbers ----

TEST(ValidatorsMobile, AcceptsAndNormalisesCommonSpellings) {
    for (const char* input : {"13812345678", " 13812345678 ", "138 1234 5678", "138-1234-5678", "+8613812345678",
                              "+86 138 1234 5678", "8613812345678", "008613812345678", "１３８１２３４５６７８"}) {
        Result<std::string> r = ValidateMobile(input);
        ASSERT_TRUE(r.ok()) << input << ": " << r.error().message;
        EXPECT_EQ(*r, "13812345678") << input;
    }
    for (const char* ok :
         {"13000000000", "14512345678", "15912345678", "16612345678", "17712345678", "18812345678", "19912345678"}) {
        EXPECT_TRUE(ValidateMobile(ok).ok()) << ok;
    }
}

TEST(ValidatorsMobile, RejectsMalformedNumbers) {
    auto expect_error = [](std::string_view input, std::string_view message_part) {
        Result<std::string> r = ValidateMobile(input);
        ASSERT_FALSE(r.ok()) << input;
        EXPECT_EQ(r.error().field, "mobile");
        EXPECT_EQ(r.error().reason, "invalid_mobile");
        EXPECT_NE(r.error().message.find(message_part), std::string::npos) << input << " → " << r.error().message;
    };
    expect_error("", "请输入手机号码");
    expect_error(" - ", "请输入手机号码");
    expect_error("1381234567", "您输入的是10位");
    expect_error("138123456789", "您输入的是12位");
    expect_error("12812345678", "以13至19开头");
    expect_error("11812345678", "以13至19开头");
    expect_error("23812345678", "以13至19开头");
    expect_error("1381234567a", "只能包含数字");
    expect_error("+1 4155552671", "只能包含数字");
    expect_error("(138)12345678", "只能包含数字");
    expect_error("861381234567", "您输入的是12位");  // 12 digits: "86" is not taken as a prefix
}

// ---- Masking ----

TEST(ValidatorsMask, MasksIdNumbers) {
    EXPECT_EQ(MaskIdNumber("220102199001011234"), "2201**********1234");
    EXPECT_EQ(MaskIdNumber("11010519491231002X"), "1101**********002X");
    EXPECT_EQ(MaskIdNumber("123456789"), "1234*6789");
    EXPECT_EQ(MaskIdNumber("12345678"), "********");
    EXPECT_EQ(MaskIdNumber(""), "");
}

TEST(ValidatorsMask, MasksMobiles) {
    EXPECT_EQ(MaskMobile("13812345678"), "138****5678");
    EXPECT_EQ(MaskMobile("1234567"), "*******");
    EXPECT_EQ(MaskMobile("12345678"), "123*5678");
}

TEST(ValidatorsMask, CountsCharactersNotBytes) {
    EXPECT_EQ(MaskIdNumber("一二三四五六七八九"), "一二三四*六七八九");
    EXPECT_EQ(MaskMobile("张三"), "**");
}

}  // namespace
}  // namespace dangan::core
