#include "appointments/model.hpp"

#include <array>

namespace dangan::appointments {

Policy PolicyFrom(const core::Config& config) {
    const auto& a = config.appointments;
    return Policy{static_cast<int>(a.no_show_limit), static_cast<int>(a.cancel_cutoff_minutes),
                  static_cast<int>(a.no_show_grace_minutes), static_cast<int>(a.check_in_early_minutes)};
}

bool IsActive(std::string_view state) {
    return state == "booked" || state == "checked_in" || state == "received" || state == "preparing" ||
           state == "ready";
}

std::string StateLabel(std::string_view state) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kLabels{{
        {"booked", "已预约"},
        {"checked_in", "已签到"},
        {"received", "已受理"},
        {"preparing", "备档中"},
        {"ready", "待领取"},
        {"collected", "已领取"},
        {"mailed", "已邮寄"},
        {"returned", "已退回"},
        {"cancelled", "已取消"},
        {"no_show", "失约"},
    }};
    for (const auto& [code, label] : kLabels) {
        if (code == state) return std::string(label);
    }
    return std::string(state);
}

std::string KindLabel(Service kind) { return kind == Service::kVisit ? "预约到访" : "查档登记"; }

const std::vector<std::pair<std::string, std::string>>& Purposes() {
    static const std::vector<std::pair<std::string, std::string>> kPurposes{
        {"retirement", "退休审批"}, {"notary", "公证"},         {"litigation", "诉讼"},
        {"employment", "就业/入职"}, {"insurance", "社保待遇"}, {"personal", "个人留存"},
        {"other", "其他"},
    };
    return kPurposes;
}

std::optional<std::string> ParsePurpose(std::string_view code_or_label) {
    for (const auto& [code, label] : Purposes()) {
        if (code == code_or_label || label == code_or_label) return code;
    }
    return std::nullopt;
}

std::string PurposeLabel(std::string_view code) {
    for (const auto& [c, label] : Purposes()) {
        if (c == code) return label;
    }
    return std::string(code);
}

bool CancelIsLate(const Appointment& a, std::int64_t now_ms, const Policy& policy) {
    if (a.kind == Service::kRetrieval) return a.state == "ready";
    return now_ms > a.starts_at_ms - std::int64_t{policy.cancel_cutoff_minutes} * 60000;
}

}  // namespace dangan::appointments
