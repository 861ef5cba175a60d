#include "appointments/notices.hpp"

#include <fmt/format.h>

#include <array>

namespace dangan::appointments {

namespace {

constexpr std::string_view kSign = "【社保档案】";
constexpr std::array<std::string_view, 8> kWeekdays{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"};

core::TimePoint FromMillis(std::int64_t ms) { return core::TimePoint(std::chrono::milliseconds(ms)); }

std::string Text(std::string_view body) { return std::string(kSign) + std::string(body); }

}  // namespace

std::string DayAndTime(std::int64_t at_ms) {
    const Date d = core::BusinessDate(FromMillis(at_ms));
    return fmt::format("{}月{}日（{}）{}", static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()),
                       kWeekdays[Weekday(d)], TimeOfDay(at_ms));
}

std::string LongDate(std::int64_t at_ms) {
    const Date d = core::BusinessDate(FromMillis(at_ms));
    return fmt::format("{}年{}月{}日", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                       static_cast<unsigned>(d.day()));
}

Notice ConfirmedNotice(const Appointment& a, const BranchText& b, const Policy& policy) {
    if (a.kind == Service::kVisit) {
        return {"appointment.confirmed",
                Text(fmt::format("您已预约{}到{}（{}）办理档案查询，预约码{}。请携带身份证按时到达；如不能前来，请在预约时间{}小时前取消，否则记为失约。",
                                 DayAndTime(a.starts_at_ms), b.name, b.address, a.code,
                                 policy.cancel_cutoff_minutes / 60 > 0 ? policy.cancel_cutoff_minutes / 60 : 1))};
    }
    const std::string how = a.delivery == "mail" ? "材料备好后将邮寄给您（邮费到付）"
                                                 : fmt::format("材料备好后将短信通知您到{}领取", b.name);
    return {"appointment.confirmed",
            Text(fmt::format("您的查档登记已受理，编号{}，{}。咨询电话{}。", a.code, how, b.phone))};
}

Notice ReadyNotice(const Appointment& a, const BranchText& b, const std::string& pickup_code) {
    if (!a.deadline_at_ms) {
        return {"appointment.ready",
                Text(fmt::format("您申请的档案材料已备好，请在办公时间凭取件码{}和身份证到{}（{}）窗口领取，无需排队。",
                                 pickup_code, b.name, b.address))};
    }
    return {"appointment.ready",
            Text(fmt::format("您申请的档案材料已备好，请于{}前凭取件码{}和身份证到{}（{}）窗口领取，无需排队。逾期未取记为失约。",
                             DayAndTime(a.ends_at_ms), pickup_code, b.name, b.address))};
}

Notice MailedNotice(const Appointment& a) {
    return {"appointment.mailed",
            Text(fmt::format("您申请的档案材料（编号{}）已通过{}寄出，运单号{}，邮费到付，请注意查收。", a.code,
                             a.courier.value_or("快递"), a.tracking_number.value_or("")))};
}

Notice ReturnedNotice(const Appointment& a) {
    return {"appointment.returned",
            Text(fmt::format("您的查档登记（编号{}）未能办理：{}。如有疑问请拨打12333。", a.code,
                             a.return_reason.value_or("")))};
}

Notice ReminderNotice(const Appointment& a, const BranchText& b) {
    return {"appointment.reminder",
            Text(fmt::format("提醒：您预约了{}到{}（{}）办理档案查询，预约码{}，请携带身份证按时到达。", DayAndTime(a.starts_at_ms),
                             b.name, b.address, a.code))};
}

Notice NoShowNotice(const Appointment& a, const BranchText& b, int count, const Policy& policy) {
    const std::string what = a.kind == Service::kVisit
                                 ? fmt::format("{}在{}的预约未签到", DayAndTime(a.starts_at_ms), b.name)
                             : a.no_show_reason == "late_cancel"
                                 ? fmt::format("查档登记（编号{}）在材料备好后取消", a.code)
                                 : fmt::format("查档登记（编号{}）的材料逾期未领取", a.code);
    const std::string late = a.kind == Service::kVisit && a.no_show_reason == "late_cancel"
                                 ? fmt::format("{}在{}的预约在开始前{}小时内取消", DayAndTime(a.starts_at_ms), b.name,
                                               policy.cancel_cutoff_minutes / 60 > 0 ? policy.cancel_cutoff_minutes / 60 : 1)
                                 : what;
    return {"appointment.no_show",
            Text(fmt::format("您{}，已记为失约（本月第{}次）。同一自然月失约满{}次将暂停预约至月底。", late, count,
                             policy.no_show_limit))};
}

Notice CancelledByCentreNotice(const Appointment& a, const BranchText& b, const std::string& reason) {
    const std::string what = a.kind == Service::kVisit
                                 ? fmt::format("{}在{}的预约", DayAndTime(a.starts_at_ms), b.name)
                                 : fmt::format("查档登记（编号{}）", a.code);
    return {"appointment.cancelled",
            Text(fmt::format("您{}已由工作人员取消：{}。不计失约，给您带来不便敬请谅解，可重新预约或拨打{}。", what, reason,
                             b.phone))};
}

Notice BarNotice(int limit, std::int64_t until_ms) {
    return {"appointment.barred",
            Text(fmt::format("因本月失约已满{}次，已记入信用记录，网上、窗口、自助终端等所有渠道暂停预约至{}，{}起可重新预约。",
                             limit, LongDate(until_ms - 1), LongDate(until_ms)))};
}

Notice VoidNotice(const Appointment& a, bool bar_lifted) {
    return {"appointment.no_show_voided",
            Text(fmt::format("您{}的失约记录已撤销：{}。{}", DayAndTime(a.starts_at_ms), a.void_reason.value_or(""),
                             bar_lifted ? "预约资格已恢复。" : ""))};
}

}  // namespace dangan::appointments
