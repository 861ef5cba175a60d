#include "core/validators.hpp"

#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <string>

#include "core/text.hpp"

namespace dangan::core {
namespace {

constexpr int kEarliestBirthYear = 1900;

constexpr std::string_view kCreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
constexpr std::array<int, 17> kCreditCodeWeights = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool AllDigits(std::string_view s) {
    for (char c : s) {
        if (!IsDigit(c)) {
            return false;
        }
    }
    return true;
}

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Full-width → half-width, then surrounding white space removed: the spelling people type,
// reduced to what can be checked.
std::string Fold(std::string_view input) {
    std::string s = FullWidthToHalfWidth(input);
    std::size_t begin = 0;
    std::size_t end = s.size();
    while (begin < end && IsAsciiSpace(s[begin])) {
        ++begin;
    }
    while (end > begin && IsAsciiSpace(s[end - 1])) {
        --end;
    }
    return s.substr(begin, end - begin);
}

void UpperCaseAscii(std::string& s) {
    for (char& c : s) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
}

Error IdError(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "id_number", "invalid_id_number");
}

// A well-formed number that cannot exist (no such birth date, wrong check character): 422.
Error ImpossibleIdError(std::string message) {
    return MakeError(ErrorCode::kUnprocessable, std::move(message), "id_number", "invalid_id_number");
}

Error CreditCodeError(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "credit_code", "invalid_credit_code");
}

Error MobileError(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "mobile", "invalid_mobile");
}

int ParseDigits(std::string_view digits) {
    int value = 0;
    for (char c : digits) {
        value = value * 10 + (c - '0');
    }
    return value;
}

// Keeps the first `head` and last `tail` characters and replaces each one between with '*'.
std::string MaskMiddle(std::string_view value, std::size_t head, std::size_t tail) {
    std::size_t count = CountCharacters(value);
    if (count <= head + tail) {
        return std::string(count, '*');
    }
    std::string out;
    std::size_t index = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!IsUtf8Continuation(value[i]) && i > 0) {
            ++index;
        }
        if (index < head || index >= count - tail) {
            out.push_back(value[i]);
        } else if (!IsUtf8Continuation(value[i])) {
            out.push_back('*');
        }
    }
    return out;
}

}  // namespace

std::optional<char> Iso7064Mod112(std::string_view digits) {
    if (digits.empty() || !AllDigits(digits)) return std::nullopt;
    int sum = 0;
    int weight = 2;  // 2^1 for the last digit, doubling (mod 11) towards the first
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        sum = (sum + (*it - '0') * weight) % 11;
        weight = weight * 2 % 11;
    }
    const int check = (12 - sum) % 11;
    return check == 10 ? 'X' : static_cast<char>('0' + check);
}

std::optional<char> IdNumberCheckCharacter(std::string_view first17) {
    if (first17.size() != 17) return std::nullopt;
    return Iso7064Mod112(first17);
}

Result<IdNumber> ValidateIdNumber(std::string_view input, std::chrono::year_month_day today) {
    std::string s = Fold(input);
    if (s.empty()) {
        return IdError("请输入身份证号码。");
    }
    if (s.size() == 15 && AllDigits(s)) {
        return MakeError(ErrorCode::kUnprocessable,
                         "您输入的是15位的旧身份证号码，请改为输入18位的居民身份证号码（可在新版身份证上找到）。",
                         "id_number", "legacy_id_number");
    }
    std::size_t length = CountCharacters(s);
    if (length != 18) {
        return IdError(fmt::format("身份证号码应为18位，您输入的是{}位，请核对。", length));
    }
    UpperCaseAscii(s);
    if (!AllDigits(std::string_view(s).substr(0, 17)) || !(IsDigit(s[17]) || s[17] == 'X')) {
        return IdError("身份证号码只能由数字组成，最后一位可以是字母X，请检查是否混入了其他字母或符号。");
    }

    int year = ParseDigits(std::string_view(s).substr(6, 4));
    int month = ParseDigits(std::string_view(s).substr(10, 2));
    int day = ParseDigits(std::string_view(s).substr(12, 2));
    std::chrono::year_month_day birth{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                      std::chrono::day(static_cast<unsigned>(day))};
    std::string shown_date = fmt::format("{}年{}月{}日", s.substr(6, 4), s.substr(10, 2), s.substr(12, 2));
    if (!birth.ok()) {
        return ImpossibleIdError(fmt::format("身份证号码中的出生日期（{}）不存在，请核对第7至14位。", shown_date));
    }
    if (year < kEarliestBirthYear) {
        return ImpossibleIdError(fmt::format("身份证号码中的出生日期（{}）早于1900年，请核对第7至14位。", shown_date));
    }
    if (birth > today) {
        return ImpossibleIdError(fmt::format("身份证号码中的出生日期（{}）晚于今天，请核对第7至14位。", shown_date));
    }

    std::optional<char> check = IdNumberCheckCharacter(std::string_view(s).substr(0, 17));
    if (check != s[17]) {
        return ImpossibleIdError("身份证号码校验位不正确，可能有数字输错或顺序颠倒，请核对后重新输入。");
    }

    IdNumber id;
    id.region_code = s.substr(0, 6);
    id.birth_date = birth;
    id.gender = (s[16] - '0') % 2 == 1 ? Gender::kMale : Gender::kFemale;
    id.normalized = std::move(s);
    return id;
}

std::optional<char> CreditCodeCheckCharacter(std::string_view first17) {
    if (first17.size() != kCreditCodeWeights.size()) {
        return std::nullopt;
    }
    int sum = 0;
    for (std::size_t i = 0; i < kCreditCodeWeights.size(); ++i) {
        std::size_t value = kCreditCodeAlphabet.find(first17[i]);
        if (value == std::string_view::npos) {
            return std::nullopt;
        }
        sum += static_cast<int>(value) * kCreditCodeWeights[i];
    }
    int check = 31 - sum % 31;
    return kCreditCodeAlphabet[static_cast<std::size_t>(check == 31 ? 0 : check)];
}

Result<std::string> ValidateCreditCode(std::string_view input) {
    std::string s = Fold(input);
    if (s.empty()) {
        return CreditCodeError("请输入统一社会信用代码。");
    }
    std::size_t length = CountCharacters(s);
    if (length != 18) {
        return CreditCodeError(fmt::format("统一社会信用代码应为18位，您输入的是{}位，请核对。", length));
    }
    UpperCaseAscii(s);
    for (char c : s) {
        if (kCreditCodeAlphabet.find(c) == std::string_view::npos) {
            return CreditCodeError("统一社会信用代码只能由数字和大写字母组成，不使用字母I、O、S、V、Z，请核对。");
        }
    }
    if (CreditCodeCheckCharacter(std::string_view(s).substr(0, 17)) != s[17]) {
        return CreditCodeError("统一社会信用代码校验位不正确，请对照营业执照核对后重新输入。");
    }
    return s;
}

Result<std::string> ValidateMobile(std::string_view input) {
    std::string folded = Fold(input);
    std::string s;
    s.reserve(folded.size());
    for (char c : folded) {
        if (!IsAsciiSpace(c) && c != '-') {
            s.push_back(c);
        }
    }
    if (s.empty()) {
        return MobileError("请输入手机号码。");
    }
    std::string_view digits = s;
    if (digits.starts_with("+86")) {
        digits.remove_prefix(3);
    } else if (digits.starts_with("0086")) {
        digits.remove_prefix(4);
    } else if (digits.size() == 13 && digits.starts_with("86")) {
        digits.remove_prefix(2);
    }
    if (!AllDigits(digits)) {
        return MobileError("手机号码只能包含数字，请核对。");
    }
    if (digits.size() != 11) {
        return MobileError(fmt::format("手机号码应为11位数字，您输入的是{}位，请核对。", digits.size()));
    }
    if (digits[0] != '1' || digits[1] < '3') {
        return MobileError("手机号码应以13至19开头，请核对。");
    }
    return std::string(digits);
}

std::string MaskIdNumber(std::string_view id_number) { return MaskMiddle(id_number, 4, 4); }

std::string MaskMobile(std::string_view mobile) { return MaskMiddle(mobile, 3, 4); }

}  // namespace dangan::core
