#include "kiosk/id_card.hpp"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "core/clock.hpp"
#include "core/validators.hpp"

namespace dangan::kiosk {
namespace {

using std::chrono::year_month_day;

constexpr std::string_view kLongTerm = "长期";

Error Bad(std::string message, const std::string& field) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), field, "invalid_card");
}

Error Mismatch(std::string message, const std::string& field) {
    return MakeError(ErrorCode::kUnprocessable, std::move(message), field, "card_mismatch");
}

// Code points in well-formed UTF-8 (continuation bytes are not counted).
std::size_t CharCount(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

bool HasControl(std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7F) return true;
    }
    return false;
}

bool HasDigit(std::string_view s) { return s.find_first_of("0123456789") != std::string_view::npos; }

// "2020-05-01" → a valid calendar date; anything else → nullopt.
std::optional<year_month_day> ParseIsoDate(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    auto num = [&s](std::size_t at, std::size_t len, auto& out) {
        auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + len, out);
        return ec == std::errc() && p == s.data() + at + len;
    };
    if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
    year_month_day date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!date.ok()) return std::nullopt;
    return date;
}

// The same day `years` later; 29 February becomes 28 February in a common year.
year_month_day AddYears(year_month_day d, int years) {
    year_month_day out{d.year() + std::chrono::years{years}, d.month(), d.day()};
    return out.ok() ? out : year_month_day{out.year(), out.month(), std::chrono::day{28}};
}

// The city of a Jilin region code (the card's address and issuer); other provinces get a
// neutral text, which is all a simulator needs.
std::string CityOf(std::string_view region_code) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kCities{{
        {"2201", "长春市"},
        {"2202", "吉林市"},
        {"2203", "四平市"},
        {"2204", "辽源市"},
        {"2205", "通化市"},
        {"2206", "白山市"},
        {"2207", "松原市"},
        {"2208", "白城市"},
        {"2224", "延边朝鲜族自治州"},
    }};
    for (const auto& [code, city] : kCities) {
        if (region_code.substr(0, 4) == code) return std::string(city);
    }
    return "";
}

Status CheckName(std::string_view name) {
    if (name.empty()) return Bad("请填写姓名", "name");
    if (CharCount(name) > 30 || HasControl(name) || HasDigit(name)) {
        return Bad("姓名应为 1 到 30 个字，不能含数字或控制字符", "name");
    }
    return Ok();
}

// Reads an optional text field of at most `max` characters into `target`.
Status ReadText(const nlohmann::json& body, const std::string& field, const char* label, std::size_t max,
                std::string& target) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return Ok();
    if (!it->is_string()) return Bad(std::string(label) + "应为文本", field);
    const auto& text = it->get_ref<const std::string&>();
    if (text.empty() || CharCount(text) > max || HasControl(text)) {
        return Bad(std::string(label) + "应为 1 到 " + std::to_string(max) + " 个字", field);
    }
    target = text;
    return Ok();
}

}  // namespace

Result<IdCard> MakeIdCard(std::string_view id_number, std::string_view name, year_month_day today) {
    auto id = core::ValidateIdNumber(id_number, today);
    if (!id) return id.error();
    DANGAN_TRY(CheckName(name));
    IdCard card;
    card.id_number = id->normalized;
    card.name = std::string(name);
    card.gender = id->gender == core::Gender::kMale ? "男" : "女";
    card.nation = "汉";
    card.birth_date = core::FormatDate(id->birth_date);
    std::string city = CityOf(id->region_code);
    card.address = city.empty() ? "（模拟）人民大街100号" : "吉林省" + city + "人民大街100号";
    card.issuer = city.empty() ? "（模拟）公安局" : city + "公安局";
    // Issued two years ago (never before birth); valid for 5, 10 or 20 years by age at issue,
    // long-term from 46 (the resident ID card law).
    year_month_day issued = AddYears(today, -2);
    if (std::chrono::sys_days(issued) < std::chrono::sys_days(id->birth_date)) issued = id->birth_date;
    int age = static_cast<int>(issued.year()) - static_cast<int>(id->birth_date.year()) -
              (std::chrono::month_day{issued.month(), issued.day()} <
                       std::chrono::month_day{id->birth_date.month(), id->birth_date.day()}
                   ? 1
                   : 0);
    card.valid_from = core::FormatDate(issued);
    if (age >= 46) {
        card.valid_to = std::string(kLongTerm);
    } else {
        card.valid_to = core::FormatDate(AddYears(issued, age < 16 ? 5 : age < 26 ? 10 : 20));
    }
    return card;
}

Result<IdCard> ParseCardOption(std::string_view text, year_month_day today) {
    auto comma = text.find(',');
    if (comma == std::string_view::npos) {
        return Bad("--card 应为“身份证号码,姓名”，例如 220102198503150015,张伟", "card");
    }
    return MakeIdCard(text.substr(0, comma), text.substr(comma + 1), today);
}

Result<IdCard> ParseIdCard(const nlohmann::json& body, year_month_day today) {
    if (!body.is_object()) return Bad("请求体应为 JSON 对象", "body");
    static const std::array<std::string_view, 9> kFields{"id_number", "name",   "gender",     "nation",  "birth_date",
                                                         "address",   "issuer", "valid_from", "valid_to"};
    for (const auto& [key, value] : body.items()) {
        bool known = false;
        for (auto f : kFields) known = known || key == f;
        if (!known) return Bad("身份证信息中没有“" + key + "”这一项", key);
    }
    for (const char* field : {"id_number", "name"}) {
        auto it = body.find(field);
        if (it == body.end() || !it->is_string()) {
            return Bad(std::string("请填写") + (field == std::string("name") ? "姓名" : "身份证号码"), field);
        }
    }
    auto card =
        MakeIdCard(body["id_number"].get_ref<const std::string&>(), body["name"].get_ref<const std::string&>(), today);
    if (!card) return card.error();

    std::string gender = card->gender;
    DANGAN_TRY(ReadText(body, "gender", "性别", 1, gender));
    if (gender != "男" && gender != "女") return Bad("性别应为“男”或“女”", "gender");
    if (gender != card->gender) return Mismatch("性别与身份证号码不符（第 17 位单数为男，双数为女）", "gender");

    std::string birth = card->birth_date;
    DANGAN_TRY(ReadText(body, "birth_date", "出生日期", 10, birth));
    if (!ParseIsoDate(birth)) return Bad("出生日期应为 YYYY-MM-DD 格式的日期", "birth_date");
    if (birth != card->birth_date) return Mismatch("出生日期与身份证号码不符（第 7 到 14 位）", "birth_date");

    DANGAN_TRY(ReadText(body, "nation", "民族", 10, card->nation));
    DANGAN_TRY(ReadText(body, "address", "住址", 100, card->address));
    DANGAN_TRY(ReadText(body, "issuer", "签发机关", 50, card->issuer));
    DANGAN_TRY(ReadText(body, "valid_from", "有效期起始日期", 10, card->valid_from));
    DANGAN_TRY(ReadText(body, "valid_to", "有效期截止日期", 10, card->valid_to));
    auto from = ParseIsoDate(card->valid_from);
    if (!from) return Bad("有效期起始日期应为 YYYY-MM-DD 格式的日期", "valid_from");
    if (card->valid_to != kLongTerm) {
        auto to = ParseIsoDate(card->valid_to);
        if (!to) return Bad("有效期截止日期应为 YYYY-MM-DD 格式的日期或“长期”", "valid_to");
        if (std::chrono::sys_days(*to) <= std::chrono::sys_days(*from)) {
            return Mismatch("有效期截止日期应晚于起始日期", "valid_to");
        }
    }
    return card;
}

nlohmann::json IdCardJson(const IdCard& card) {
    return nlohmann::json{{"id_number", card.id_number},   {"name", card.name},
                          {"gender", card.gender},         {"nation", card.nation},
                          {"birth_date", card.birth_date}, {"address", card.address},
                          {"issuer", card.issuer},         {"valid_from", card.valid_from},
                          {"valid_to", card.valid_to}};
}

}  // namespace dangan::kiosk
