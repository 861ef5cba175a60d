#include "archives/records.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/text.hpp"
#include "archives/rules.hpp"
#include "core/ids.hpp"

namespace dangan::archives {

namespace {

constexpr std::size_t kMaxTextChars = 200;

// A required one-line text: trimmed, 1–200 characters, no control characters.
Result<std::string> Text(std::string_view input, std::string_view field, std::string_view what, bool required = true) {
    const std::string_view s = core::TrimSpaces(input);
    if (s.empty() && required) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("请填写{}", what), std::string(field),
                         "missing_" + std::string(field));
    }
    std::size_t chars = 0;
    for (unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}中有不能使用的字符", what),
                             std::string(field), "invalid_" + std::string(field));
        }
        if ((c & 0xC0) != 0x80) ++chars;
    }
    if (chars > kMaxTextChars) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}过长，最多 {} 个字", what, kMaxTextChars),
                         std::string(field), "invalid_" + std::string(field));
    }
    return std::string(s);
}

Status CheckRegion(std::string_view region) {
    if (IsRegionCode(region)) return Ok();
    return MakeError(ErrorCode::kInvalidArgument, "行政区划代码应为 2、4 或 6 位数字", "region_code",
                     "invalid_region_code");
}

// A code of letters, digits and '-', 1–32 characters.
Status CheckCode(std::string_view code, std::string_view field, std::string_view what) {
    bool ok = !code.empty() && code.size() <= 32;
    for (char c : code) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') ok = false;
    }
    if (ok) return Ok();
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}应由字母、数字和“-”组成，最多 32 位", what),
                     std::string(field), "invalid_" + std::string(field));
}

std::string JoinServices(const std::vector<std::string>& services) {
    std::string out;
    for (const std::string& s : services) {
        if (!out.empty()) out += ',';
        out += s;
    }
    return out;
}

std::vector<std::string> SplitServices(std::string_view joined) {
    std::vector<std::string> out;
    while (!joined.empty()) {
        const std::size_t comma = joined.find(',');
        if (comma != 0) out.emplace_back(joined.substr(0, comma));
        if (comma == std::string_view::npos) break;
        joined.remove_prefix(comma + 1);
    }
    return out;
}

constexpr std::string_view kHolderColumns = "id, code, name, kind, address, phone, opening_hours, region_code";

Holder HolderFrom(const db::Row& row, std::size_t at) {
    return Holder{row.Text(at),     row.Text(at + 1), row.Text(at + 2), row.Text(at + 3),
                  row.Text(at + 4), row.Text(at + 5), row.Text(at + 6), row.Text(at + 7)};
}

constexpr const char* kBranchColumns = "id, code, name, kind, address, phone, opening_hours, services, region_code";

Branch BranchFrom(const db::Row& row) {
    return Branch{row.Text(0), row.Text(1), row.Text(2), row.Text(3),
                  row.Text(4), row.Text(5), row.Text(6), SplitServices(row.Text(7)),
                  row.Text(8)};
}

// The `region` filter as a LIKE prefix; digits only, checked by the caller.
std::string Prefix(const std::string& region) { return region + "%"; }

}  // namespace

Result<std::vector<ArchiveRecord>> RecordsOfPerson(db::Database& db, const std::string& person_id, bool with_items) {
    auto found = db.Query(
        "SELECT r.id, r.archival_code, r.person_id, r.kind, r.status, r.shelf_location, r.filed_year, "
        "r.retention_years, r.retention_ends, h.id, h.code, h.name, h.kind, h.address, h.phone, h.opening_hours, "
        "h.region_code FROM archive_records r JOIN holders h ON h.id = r.holder_id WHERE r.person_id = ? "
        "ORDER BY r.filed_year DESC, r.archival_code",
        {person_id});
    if (!found) return found.error();
    std::vector<ArchiveRecord> records;
    records.reserve(found->rows.size());
    for (const db::Row& row : found->rows) {
        ArchiveRecord r;
        r.id = row.Text(0);
        r.archival_code = row.Text(1);
        r.person_id = row.Text(2);
        r.kind = row.Text(3);
        r.status = row.Text(4);
        r.shelf_location = row.Text(5);
        r.filed_year = static_cast<int>(row.Int(6));
        if (auto years = row.OptInt(7)) r.retention_years = static_cast<int>(*years);
        r.retention_ends = row.OptText(8);
        r.holder = HolderFrom(row, 9);
        records.push_back(std::move(r));
    }
    if (!with_items || records.empty()) return records;
    auto items = db.Query(
        "SELECT i.record_id, i.seq, i.title, i.doc_type, i.doc_date, i.page_count FROM archive_items i "
        "JOIN archive_records r ON r.id = i.record_id WHERE r.person_id = ? ORDER BY i.record_id, i.seq",
        {person_id});
    if (!items) return items.error();
    std::map<std::string, ArchiveRecord*> by_id;
    for (ArchiveRecord& r : records) by_id[r.id] = &r;
    for (const db::Row& row : items->rows) {
        auto it = by_id.find(row.Text(0));
        if (it == by_id.end()) continue;
        it->second->items.push_back(ArchiveItem{static_cast<int>(row.Int(1)), row.Text(2), row.Text(3), row.Text(4),
                                                static_cast<int>(row.Int(5))});
    }
    return records;
}

Result<std::vector<EmploymentPeriod>> PeriodsOfPerson(db::Database& db, const std::string& person_id) {
    auto found = db.Query(
        "SELECT seq, employer_name, employer_credit_code, from_date, to_date FROM employment_periods "
        "WHERE person_id = ? ORDER BY from_date, seq",
        {person_id});
    if (!found) return found.error();
    std::vector<EmploymentPeriod> periods;
    for (const db::Row& row : found->rows) {
        periods.push_back(EmploymentPeriod{static_cast<int>(row.Int(0)), row.Text(1), row.OptText(2), row.Text(3),
                                           row.OptText(4)});
    }
    return periods;
}

Result<std::vector<Holder>> ListHolders(db::Database& db, const std::string& region, const std::string& kind,
                                        const std::string& after, int limit) {
    auto found = db.Query(fmt::format("SELECT {} FROM holders WHERE region_code LIKE ? AND (? = '' OR kind = ?) "
                                      "AND code > ? ORDER BY code LIMIT ?",
                                      kHolderColumns),
                          {Prefix(region), kind, kind, after, std::int64_t{limit}});
    if (!found) return found.error();
    std::vector<Holder> out;
    for (const db::Row& row : found->rows) out.push_back(HolderFrom(row, 0));
    return out;
}

Result<std::vector<Branch>> ListBranches(db::Database& db, const std::string& region, const std::string& service,
                                         const std::string& after, int limit) {
    auto found = db.Query(
        fmt::format("SELECT {} FROM branches "
        "WHERE region_code LIKE ? AND (? = '' OR ',' || services || ',' LIKE ?) AND code > ? ORDER BY code LIMIT ?", kBranchColumns),
        {Prefix(region), service, "%," + service + ",%", after, std::int64_t{limit}});
    if (!found) return found.error();
    std::vector<Branch> out;
    for (const db::Row& row : found->rows) out.push_back(BranchFrom(row));
    return out;
}

Result<std::optional<Holder>> FindHolderByCode(db::Database& db, const std::string& code) {
    auto found = db.Query(fmt::format("SELECT {} FROM holders WHERE code = ?", kHolderColumns), {code});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Holder>{};
    return std::optional<Holder>(HolderFrom(found->rows.front(), 0));
}

Result<std::optional<Branch>> FindBranchByCode(db::Database& db, const std::string& code) {
    auto found = db.Query(fmt::format("SELECT {} FROM branches WHERE code = ?", kBranchColumns), {code});
    if (!found) return found.error();
    if (found->empty()) return std::optional<Branch>{};
    return std::optional<Branch>(BranchFrom(found->rows.front()));
}

Result<Holder> UpsertHolder(db::Connection& conn, const core::Clock& clock, Holder h) {
    h.code = std::string(core::TrimSpaces(h.code));
    DANGAN_TRY(CheckCode(h.code, "code", "机构代码"));
    auto name = Text(h.name, "name", "机构名称");
    if (!name) return name.error();
    auto kind = ParseCode(HolderKinds(), h.kind, "kind");
    if (!kind) return kind.error();
    auto address = Text(h.address, "address", "地址");
    if (!address) return address.error();
    auto phone = Text(h.phone, "phone", "电话");
    if (!phone) return phone.error();
    auto hours = Text(h.opening_hours, "opening_hours", "办公时间");
    if (!hours) return hours.error();
    h.region_code = std::string(core::TrimSpaces(h.region_code));
    DANGAN_TRY(CheckRegion(h.region_code));
    h.name = *name, h.kind = *kind, h.address = *address, h.phone = *phone, h.opening_hours = *hours;
    const std::int64_t now = core::UnixMillis(clock.Now());
    auto stored = conn.Query(
        "INSERT INTO holders (id, code, name, kind, address, phone, opening_hours, region_code, created_at_ms, "
        "updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name, "
        "kind = excluded.kind, address = excluded.address, phone = excluded.phone, "
        "opening_hours = excluded.opening_hours, region_code = excluded.region_code, "
        "updated_at_ms = excluded.updated_at_ms RETURNING id",
        {core::NewId(clock), h.code, h.name, h.kind, h.address, h.phone, h.opening_hours, h.region_code, now, now});
    if (!stored) return stored.error();
    h.id = stored->rows.front().Text(0);
    return h;
}

Result<Branch> UpsertBranch(db::Connection& conn, const core::Clock& clock, Branch b) {
    b.code = std::string(core::TrimSpaces(b.code));
    if (!IsBranchCode(b.code)) {
        return MakeError(ErrorCode::kInvalidArgument, "网点代码应为“6 位区划代码-3 位序号”，例如 220102-001", "code",
                         "invalid_code");
    }
    auto name = Text(b.name, "name", "网点名称");
    if (!name) return name.error();
    auto kind = ParseCode(BranchKinds(), b.kind, "kind");
    if (!kind) return kind.error();
    auto address = Text(b.address, "address", "地址");
    if (!address) return address.error();
    auto phone = Text(b.phone, "phone", "电话");
    if (!phone) return phone.error();
    auto hours = Text(b.opening_hours, "opening_hours", "办公时间");
    if (!hours) return hours.error();
    std::vector<std::string> services;
    for (const std::string& s : b.services) {
        auto code = ParseCode(BranchServices(), s, "services");
        if (!code) return code.error();
        services.push_back(*code);
    }
    b.region_code = b.code.substr(0, 6);
    b.name = *name, b.kind = *kind, b.address = *address, b.phone = *phone, b.opening_hours = *hours;
    b.services = std::move(services);
    const std::int64_t now = core::UnixMillis(clock.Now());
    auto stored = conn.Query(
        "INSERT INTO branches (id, code, name, kind, address, phone, opening_hours, services, region_code, "
        "created_at_ms, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET "
        "name = excluded.name, kind = excluded.kind, address = excluded.address, phone = excluded.phone, "
        "opening_hours = excluded.opening_hours, services = excluded.services, "
        "updated_at_ms = excluded.updated_at_ms RETURNING id",
        {core::NewId(clock), b.code, b.name, b.kind, b.address, b.phone, b.opening_hours, JoinServices(b.services),
         b.region_code, now, now});
    if (!stored) return stored.error();
    b.id = stored->rows.front().Text(0);
    return b;
}

Result<ArchiveRecord> UpsertRecord(db::Connection& conn, const core::Clock& clock, const RecordInput& input) {
    ArchiveRecord r;
    r.archival_code = std::string(core::TrimSpaces(input.archival_code));
    DANGAN_TRY(CheckCode(r.archival_code, "archival_code", "档号"));
    auto kind = ParseCode(RecordKinds(), input.kind, "kind");
    if (!kind) return kind.error();
    auto status = ParseCode(RecordStatuses(), input.status, "status");
    if (!status) return status.error();
    auto location = ValidateShelfLocation(input.shelf_location);
    if (!location) return location.error();
    const int this_year = static_cast<int>(core::BusinessDate(clock.Now()).year());
    if (input.filed_year < 1949 || input.filed_year > this_year) {
        return MakeError(ErrorCode::kInvalidArgument, fmt::format("归档年度应在 1949 至 {} 年之间", this_year),
                         "filed_year", "invalid_filed_year");
    }
    const Retention retention{input.retention_years};
    if (retention.years && *retention.years != 10 && *retention.years != 30 && *retention.years != 50 &&
        *retention.years != 100) {
        return MakeError(ErrorCode::kInvalidArgument, "保管期限应为永久、10年、30年、50年或100年", "retention",
                         "invalid_retention");
    }
    auto holder = conn.Query(fmt::format("SELECT {} FROM holders WHERE code = ?", kHolderColumns),
                             {std::string(core::TrimSpaces(input.holder_code))});
    if (!holder) return holder.error();
    if (holder->empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "没有这个保管机构代码，请先导入保管机构", "holder_code",
                         "unknown_holder");
    }
    r.holder = HolderFrom(holder->rows.front(), 0);
    r.person_id = input.person_id;
    r.kind = *kind;
    r.status = *status;
    r.shelf_location = *location;
    r.filed_year = input.filed_year;
    r.retention_years = retention.years;
    r.retention_ends = RetentionEnds(input.filed_year, retention);
    const std::int64_t now = core::UnixMillis(clock.Now());
    auto ends = r.retention_ends ? db::Value(*r.retention_ends) : db::Value(nullptr);
    auto years = r.retention_years ? db::Value(std::int64_t{*r.retention_years}) : db::Value(nullptr);
    auto stored = conn.Query(
        "INSERT INTO archive_records (id, archival_code, person_id, kind, holder_id, shelf_location, status, "
        "filed_year, retention_years, retention_ends, created_at_ms, updated_at_ms) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (archival_code) DO UPDATE SET "
        "kind = excluded.kind, holder_id = excluded.holder_id, shelf_location = excluded.shelf_location, "
        "status = excluded.status, filed_year = excluded.filed_year, retention_years = excluded.retention_years, "
        "retention_ends = excluded.retention_ends, updated_at_ms = excluded.updated_at_ms "
        "WHERE archive_records.person_id = excluded.person_id RETURNING id",
        {core::NewId(clock), r.archival_code, r.person_id, r.kind, r.holder.id, r.shelf_location, r.status,
         std::int64_t{r.filed_year}, years, ends, now, now});
    if (!stored) return stored.error();
    if (stored->empty()) {
        return MakeError(ErrorCode::kConflict, "该档号已登记在另一人名下", "archival_code", "archival_code_taken");
    }
    r.id = stored->rows.front().Text(0);
    return r;
}

Status PutItem(db::Connection& conn, const std::string& record_id, const ArchiveItem& item) {
    if (item.seq < 1 || item.seq > 9999) {
        return MakeError(ErrorCode::kInvalidArgument, "件号应为 1 至 9999", "seq", "invalid_seq");
    }
    auto title = Text(item.title, "title", "题名");
    if (!title) return title.error();
    auto doc_type = Text(item.doc_type, "doc_type", "文件类型");
    if (!doc_type) return doc_type.error();
    if (!IsPartialDate(item.doc_date)) {
        return MakeError(ErrorCode::kInvalidArgument, "文件日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD", "doc_date",
                         "invalid_doc_date");
    }
    if (item.page_count < 0 || item.page_count > 10000) {
        return MakeError(ErrorCode::kInvalidArgument, "页数应为 0 至 10000", "page_count", "invalid_page_count");
    }
    auto stored = conn.Query(
        "INSERT INTO archive_items (record_id, seq, title, doc_type, doc_date, page_count) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (record_id, seq) DO UPDATE SET title = excluded.title, doc_type = excluded.doc_type, "
        "doc_date = excluded.doc_date, page_count = excluded.page_count",
        {record_id, std::int64_t{item.seq}, *title, *doc_type, item.doc_date, std::int64_t{item.page_count}});
    if (!stored) return stored.error();
    return Ok();
}

Status PutPeriod(db::Connection& conn, const std::string& person_id, const EmploymentPeriod& period) {
    if (period.seq < 1 || period.seq > 999) {
        return MakeError(ErrorCode::kInvalidArgument, "序号应为 1 至 999", "seq", "invalid_seq");
    }
    auto employer = Text(period.employer_name, "employer_name", "单位名称");
    if (!employer) return employer.error();
    if (!IsPartialDate(period.from_date)) {
        return MakeError(ErrorCode::kInvalidArgument, "起始日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD", "from_date",
                         "invalid_from_date");
    }
    if (period.to_date && !IsPartialDate(*period.to_date)) {
        return MakeError(ErrorCode::kInvalidArgument, "终止日期应为 YYYY、YYYY-MM 或 YYYY-MM-DD", "to_date",
                         "invalid_to_date");
    }
    // Dates of different precision compare on what both state: 2005-07 … 2005 is fine.
    if (period.to_date) {
        const std::size_t common = std::min(period.to_date->size(), period.from_date.size());
        if (period.to_date->compare(0, common, period.from_date, 0, common) < 0) {
            return MakeError(ErrorCode::kInvalidArgument, "终止日期不能早于起始日期", "to_date", "invalid_to_date");
        }
    }
    auto code = period.employer_credit_code ? db::Value(*period.employer_credit_code) : db::Value(nullptr);
    auto to = period.to_date ? db::Value(*period.to_date) : db::Value(nullptr);
    auto stored = conn.Query(
        "INSERT INTO employment_periods (person_id, seq, employer_name, employer_credit_code, from_date, to_date) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (person_id, seq) DO UPDATE SET employer_name = excluded.employer_name, "
        "employer_credit_code = excluded.employer_credit_code, from_date = excluded.from_date, "
        "to_date = excluded.to_date",
        {person_id, std::int64_t{period.seq}, *employer, code, period.from_date, to});
    if (!stored) return stored.error();
    return Ok();
}

}  // namespace dangan::archives
