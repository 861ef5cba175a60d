#include "archives/rules.hpp"

#include <fmt/format.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>

#include <cctype>
#include <chrono>
#include <cstdint>

#include "core/text.hpp"

namespace dangan::archives {

namespace {

bool AllDigits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

std::size_t Utf8Chars(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) {
        if ((c & 0xC0) != 0x80) ++n;
    }
    return n;
}

// ASCII letters and digits or Chinese characters (Han script): no symbols, no punctuation,
// no broken UTF-8, which would otherwise pass as "not ASCII".
bool IsStoreRoomName(std::string_view s) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const auto length = static_cast<std::int32_t>(s.size());
    for (std::int32_t i = 0; i < length;) {
        UChar32 c = 0;
        U8_NEXT(p, i, length, c);
        if (c < 0) return false;
        if (c < 0x80 && std::isalnum(static_cast<unsigned char>(c))) continue;
        UErrorCode error = U_ZERO_ERROR;
        if (c < 0x80 || uscript_getScript(c, &error) != USCRIPT_HAN || U_FAILURE(error)) return false;
    }
    return true;
}

}  // namespace

const std::vector<Label>& RecordKinds() {
    static const std::vector<Label> kinds{{"social_insurance", "社会保险业务档案"},
                                          {"personnel", "人事档案"},
                                          {"retirement", "退休档案"},
                                          {"other", "其他档案"}};
    return kinds;
}

const std::vector<Label>& RecordStatuses() {
    static const std::vector<Label> statuses{{"in_store", "在库"},
                                             {"lent", "借出"},
                                             {"transferring", "移交中"},
                                             {"transferred", "已移交"},
                                             {"destroyed", "已销毁"}};
    return statuses;
}

const std::vector<Label>& HolderKinds() {
    static const std::vector<Label> kinds{{"centre", "本中心"},
                                          {"district_bureau", "区（县）社保经办机构"},
                                          {"employer", "用人单位"},
                                          {"talent_centre", "人才服务中心"},
                                          {"other", "其他机构"}};
    return kinds;
}

const std::vector<Label>& BranchKinds() {
    static const std::vector<Label> kinds{{"hall", "服务大厅"}, {"bank", "银行网点"}, {"community", "社区服务站"}};
    return kinds;
}

const std::vector<Label>& BranchServices() {
    static const std::vector<Label> services{{"lookup", "档案查询"},
                                             {"retrieval", "查档登记"},
                                             {"visit", "预约到访"},
                                             {"certificate", "查档证明"},
                                             {"kiosk", "自助终端"}};
    return services;
}

std::string_view LabelOf(const std::vector<Label>& labels, std::string_view code) {
    for (const Label& l : labels) {
        if (l.code == code) return l.zh;
    }
    return code;
}

bool IsCode(const std::vector<Label>& labels, std::string_view code) {
    for (const Label& l : labels) {
        if (l.code == code) return true;
    }
    return false;
}

Result<std::string> ParseCode(const std::vector<Label>& labels, std::string_view input, std::string_view field) {
    const std::string_view s = core::TrimSpaces(input);
    std::string names;
    for (const Label& l : labels) {
        if (s == l.code || s == l.zh) return std::string(l.code);
        if (!names.empty()) names += "、";
        names += l.zh;
    }
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("取值无效，应为：{}", names), std::string(field),
                     "invalid_" + std::string(field));
}

Result<Retention> ParseRetention(std::string_view input) {
    // Full-width digits and inner spaces ("１０ 年") are common in spreadsheets.
    std::string folded = core::FullWidthToHalfWidth(input);
    std::erase(folded, ' ');
    std::string_view s = core::TrimSpaces(folded);
    if (s == "永久" || s == "permanent") return Retention{};
    constexpr std::string_view kYear = "年";
    if (s.size() > kYear.size() && s.substr(s.size() - kYear.size()) == kYear) s.remove_suffix(kYear.size());
    for (int years : {10, 30, 50, 100}) {
        if (s == std::to_string(years)) return Retention{years};
    }
    return MakeError(ErrorCode::kInvalidArgument, "保管期限应为永久、10年、30年、50年或100年", "retention",
                     "invalid_retention");
}

std::optional<std::string> RetentionEnds(int filed_year, const Retention& retention) {
    if (!retention.years) return std::nullopt;
    return fmt::format("{:04d}-12-31", filed_year + *retention.years);
}

Result<std::string> ValidateShelfLocation(std::string_view input) {
    std::string s = core::FullWidthToHalfWidth(core::TrimSpaces(input));
    // Chinese dashes people type: — – －
    for (std::string_view dash : {"—", "–", "－"}) {
        std::string replaced;
        std::string_view rest = s;
        for (std::size_t at = rest.find(dash); at != std::string_view::npos; at = rest.find(dash)) {
            replaced.append(rest.substr(0, at)).push_back('-');
            rest.remove_prefix(at + dash.size());
        }
        s = replaced.append(rest);
    }
    std::vector<std::string_view> parts;
    std::string_view rest = s;
    while (true) {
        const std::size_t dash = rest.find('-');
        parts.push_back(core::TrimSpaces(rest.substr(0, dash)));
        if (dash == std::string_view::npos) break;
        rest.remove_prefix(dash + 1);
    }
    auto bad = [] {
        return MakeError(ErrorCode::kInvalidArgument, "存放位置应为“库房-排-架-层-盒”，例如 A-03-12-4-0217",
                         "shelf_location", "invalid_shelf_location");
    };
    if (parts.size() != 5 || parts[0].empty() || Utf8Chars(parts[0]) > 8) return bad();
    if (!IsStoreRoomName(parts[0])) return bad();
    std::string out(parts[0]);
    for (std::size_t i = 1; i < parts.size(); ++i) {
        if (!AllDigits(parts[i]) || parts[i].size() > 4) return bad();
        out += '-';
        out += parts[i];
    }
    return out;
}

std::string DescribeShelfLocation(std::string_view location) {
    static constexpr std::string_view kUnits[] = {"库", "排", "架", "层", "盒"};
    std::string out;
    std::size_t part = 0;
    while (part < 5) {
        const std::size_t dash = location.find('-');
        if (!out.empty()) out += ' ';
        out += location.substr(0, dash);
        out += kUnits[part++];
        if (dash == std::string_view::npos) break;
        location.remove_prefix(dash + 1);
    }
    return out;
}

bool IsRegionCode(std::string_view code) {
    return (code.size() == 2 || code.size() == 4 || code.size() == 6) && AllDigits(code);
}

bool IsBranchCode(std::string_view code) {
    return code.size() == 10 && AllDigits(code.substr(0, 6)) && code[6] == '-' && AllDigits(code.substr(7));
}

bool IsPartialDate(std::string_view date) {
    using namespace std::chrono;
    if (date.size() != 4 && date.size() != 7 && date.size() != 10) return false;
    if (!AllDigits(date.substr(0, 4))) return false;
    const int y = std::stoi(std::string(date.substr(0, 4)));
    if (y < 1900 || y > 2200) return false;
    if (date.size() == 4) return true;
    if (date[4] != '-' || !AllDigits(date.substr(5, 2))) return false;
    const unsigned m = static_cast<unsigned>(std::stoi(std::string(date.substr(5, 2))));
    if (m < 1 || m > 12) return false;
    if (date.size() == 7) return true;
    if (date[7] != '-' || !AllDigits(date.substr(8, 2))) return false;
    const unsigned d = static_cast<unsigned>(std::stoi(std::string(date.substr(8, 2))));
    return year_month_day{year{y}, month{m}, day{d}}.ok();
}

}  // namespace dangan::archives
