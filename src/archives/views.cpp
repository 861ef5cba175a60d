#include "archives/views.hpp"

#include "archives/rules.hpp"

namespace dangan::archives {

namespace {

nlohmann::json Nullable(const std::optional<std::string>& value) {
    return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json HolderJson(const Holder& h) {
    return {{"code", h.code},
            {"name", h.name},
            {"kind", h.kind},
            {"kind_label", LabelOf(HolderKinds(), h.kind)},
            {"address", h.address},
            {"phone", h.phone},
            {"opening_hours", h.opening_hours},
            {"region_code", h.region_code}};
}

nlohmann::json BranchJson(const Branch& b) {
    nlohmann::json services = nlohmann::json::array();
    for (const std::string& s : b.services) services.push_back({{"code", s}, {"label", LabelOf(BranchServices(), s)}});
    return {{"code", b.code},
            {"name", b.name},
            {"kind", b.kind},
            {"kind_label", LabelOf(BranchKinds(), b.kind)},
            {"address", b.address},
            {"phone", b.phone},
            {"opening_hours", b.opening_hours},
            {"services", std::move(services)},
            {"region_code", b.region_code}};
}

namespace {

nlohmann::json ItemsJson(const std::vector<ArchiveItem>& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const ArchiveItem& i : items) {
        out.push_back({{"seq", i.seq},
                       {"title", i.title},
                       {"doc_type", i.doc_type},
                       {"doc_date", i.doc_date},
                       {"page_count", i.page_count}});
    }
    return out;
}

}  // namespace

nlohmann::json CitizenRecordJson(const ArchiveRecord& r) {
    return {{"id", r.id},
            {"archival_code", r.archival_code},
            {"kind", r.kind},
            {"kind_label", LabelOf(RecordKinds(), r.kind)},
            {"status", r.status},
            {"status_label", LabelOf(RecordStatuses(), r.status)},
            {"filed_year", r.filed_year},
            {"holder", HolderJson(r.holder)},
            {"items", ItemsJson(r.items)}};
}

nlohmann::json StaffRecordJson(const ArchiveRecord& r, bool with_items) {
    nlohmann::json out = CitizenRecordJson(r);
    out["shelf_location"] = r.shelf_location;
    out["shelf_label"] = DescribeShelfLocation(r.shelf_location);
    out["retention"] = r.retention_years ? std::to_string(*r.retention_years) : "permanent";
    out["retention_label"] = r.retention_years ? std::to_string(*r.retention_years) + "年" : "永久";
    out["retention_ends"] = Nullable(r.retention_ends);
    if (!with_items) out.erase("items");
    return out;
}

nlohmann::json PeriodJson(const EmploymentPeriod& p) {
    return {{"seq", p.seq},
            {"employer_name", p.employer_name},
            {"employer_credit_code", Nullable(p.employer_credit_code)},
            {"from_date", p.from_date},
            {"to_date", Nullable(p.to_date)}};
}

std::vector<std::string> NextSteps() {
    return {"拨打 12333 人力资源和社会保障服务热线，说明您的姓名和身份证号码，工作人员会帮您查找档案去向。",
            "携带本人身份证到就近的社保服务网点（服务大厅、银行网点或社区服务站）窗口查询。",
            "如果您曾在单位工作，也可以向最后工作的单位人事部门询问档案转递情况。"};
}

std::string NextStepsMessage() {
    return "没有查到该身份证号码的档案记录。您可以拨打 12333 咨询，或携带身份证到就近的社保服务网点查询。";
}

}  // namespace dangan::archives
