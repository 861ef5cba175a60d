#include "archives/person_access.hpp"

#include <algorithm>

#include "core/validators.hpp"
#include "http/message.hpp"

namespace dangan::archives {

Result<std::string> ValidatePurpose(const std::optional<std::string>& purpose) {
    std::string_view text = purpose ? std::string_view(*purpose) : std::string_view();
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写查阅目的", "purpose", "purpose_required");
    }
    std::size_t chars = 0;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            return MakeError(ErrorCode::kInvalidArgument, "查阅目的中有不能使用的字符", "purpose", "invalid_purpose");
        }
        if ((c & 0xC0) != 0x80) ++chars;
    }
    if (chars > kMaxPurposeChars) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "查阅目的过长，最多 " + std::to_string(kMaxPurposeChars) + " 个字", "purpose",
                         "invalid_purpose");
    }
    return std::string(text);
}

Result<std::string> PurposeOf(const http::Request& request) {
    auto header = request.Header("x-dangan-purpose");
    if (!header) return ValidatePurpose(std::nullopt);
    return ValidatePurpose(http::PercentDecode(*header, false));
}

bool CoversRegion(const http::Principal& principal, const std::vector<std::string>& roles, std::string_view region) {
    if (principal.kind != http::Principal::Kind::kStaff || region.empty()) return false;
    return std::any_of(principal.grants.begin(), principal.grants.end(), [&](const http::Grant& g) {
        if (g.scope.empty() || std::find(roles.begin(), roles.end(), g.role) == roles.end()) return false;
        // A branch scope (220102-001) serves the persons of its district (220102).
        const std::string_view scope = std::string_view(g.scope).substr(0, g.scope.find('-'));
        return region.substr(0, scope.size()) == scope;
    });
}

bool CoversPerson(const http::Principal& principal, const std::vector<std::string>& roles, const Person& person) {
    return CoversRegion(principal, roles, person.region_code);
}

nlohmann::json MaskedPersonJson(const Person& person) {
    return {{"id", person.id},
            {"name", person.name},
            {"id_number", core::MaskIdNumber(person.id_number)},
            {"mobile", core::MaskMobile(person.mobile)},
            {"gender", person.gender},
            {"birth_date", person.birth_date},
            {"region_code", person.region_code}};
}

}  // namespace dangan::archives
