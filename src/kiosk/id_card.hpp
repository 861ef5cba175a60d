#pragma once

// The fields a resident ID card reader gives the kiosk, as the bridge serves them
// (docs/api-archives.md, "Kiosk ID-card reader bridge"): plain rules, no server, no clock.

#include <chrono>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::kiosk {

struct IdCard {
    std::string id_number;  // 18 characters, canonical (core::ValidateIdNumber)
    std::string name;
    std::string gender;      // "男" | "女", from the ID number
    std::string nation;      // "汉" unless given
    std::string birth_date;  // "YYYY-MM-DD", from the ID number
    std::string address;
    std::string issuer;
    std::string valid_from;  // "YYYY-MM-DD"
    std::string valid_to;    // "YYYY-MM-DD" or "长期"
};

// A card for `id_number` and `name` with the rest filled in as a real card would have it:
// gender and birth date from the number, nation 汉, an address and issuer in the number's city,
// issued two years before `today` and valid for as long as the law gives someone of that age
// (5, 10 or 20 years, or 长期 from 46). Errors: the ID number's (field id_number, 400 or 422),
// or a name that is empty, longer than 30 characters or holds control characters or digits
// (400, field name).
Result<IdCard> MakeIdCard(std::string_view id_number, std::string_view name, std::chrono::year_month_day today);

// `dangan card-reader-sim --card "ID_NUMBER,NAME"`: the two parts split at the first comma.
Result<IdCard> ParseCardOption(std::string_view text, std::chrono::year_month_day today);

// The body of `PUT /card`: a JSON object with id_number and name required and the other card
// fields optional (defaults as MakeIdCard). gender and birth_date, when given, must agree with
// the ID number (422); dates are YYYY-MM-DD, valid_to may be 长期 and must not precede
// valid_from (422); unknown fields, wrong types and over-long text are 400. Every error names
// its field and is in Chinese.
Result<IdCard> ParseIdCard(const nlohmann::json& body, std::chrono::year_month_day today);

nlohmann::json IdCardJson(const IdCard& card);

}  // namespace dangan::kiosk
