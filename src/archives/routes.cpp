// The archive routes: the citizen's own archive locations, staff search and the person view
// (360°), the public holder and branch lists. Every read of a person's data is audited
// (archive.read, person.read, person.read_full); a staff read outside the reader's scopes is
// refused with 403 and audited as access_denied. Shapes: docs/api-archives.md.

#include <algorithm>
#include <nlohmann/json.hpp>

#include "archives/person_access.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "archives/register.hpp"
#include "archives/rules.hpp"
#include "archives/views.hpp"
#include "audit/audit_log.hpp"
#include "audit/register.hpp"
#include "core/ids.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"

namespace dangan::archives {

namespace {

using nlohmann::json;

const std::vector<std::string> kReadRoles{"window_clerk", "archivist", "reviewer", "branch_admin"};
const std::vector<std::string> kReadFullRoles{"window_clerk", "archivist"};
constexpr int kMaxSearchResults = 20;
constexpr int kDefaultPage = 50;
constexpr int kMaxPage = 100;

audit::Entry PersonEntry(const http::Request& request, std::string action, const Person& person, std::string purpose) {
    audit::Entry entry = audit::EntryFor(request, std::move(action));
    entry.subject_person_id = person.id;
    entry.target = "person:" + person.id;
    entry.purpose = std::move(purpose);
    return entry;
}

// Staff look-ups that find nobody. The ID-number search answers like the citizen services
// (the clerk reads it to the person at the window); the others name what was searched.
Error PersonNotFound(std::string field = "id") {
    std::string message = field == "id_number" ? NextStepsMessage()
                          : field == "name"    ? "未找到该姓名和出生日期的人员，请核对，或改用身份证号码查询。"
                                               : "未找到该人员，可能链接已失效，请重新查询。";
    return MakeError(ErrorCode::kNotFound, std::move(message), std::move(field), "person_not_found");
}

Error OutsideScope(std::string field = "id") {
    return MakeError(ErrorCode::kForbidden, "该人员不在您的管辖范围内，无权查阅", std::move(field), "forbidden");
}

// Answers about a person are never stored by a browser or a proxy: kiosks are shared.
http::Response Private(http::Response r) {
    r.Header("Cache-Control", "no-store");
    return r;
}

// A staff reader may see a person whose region, or the region of one of whose archive
// holders, lies within one of their grants of `roles`: a Changchun clerk serves a person born
// in Yanbian whose archive is kept in Changchun.
bool MayRead(const http::Principal& principal, const std::vector<std::string>& roles, const Person& person,
             const std::vector<ArchiveRecord>& records) {
    if (CoversPerson(principal, roles, person)) return true;
    return std::any_of(records.begin(), records.end(),
                       [&](const ArchiveRecord& r) { return CoversRegion(principal, roles, r.holder.region_code); });
}

Status AuditDenied(http::App& app, const http::Request& request, const Person& person, const std::string& purpose) {
    audit::Entry entry = PersonEntry(request, "access_denied", person, purpose);
    entry.detail_json = R"({"reason":"outside_scope"})";
    return audit::Record(app, std::move(entry));
}

// --- citizen -------------------------------------------------------------------------

http::Response Me(http::App& app, http::Request& request) {
    auto person = FindPersonById(*app.db, app.keyring, request.principal->subject_id);
    if (!person) return http::Response::FromError(person.error());
    if (!*person) return http::Response::FromError(PersonNotFound());
    if (Status s = audit::Record(app, PersonEntry(request, "person.read", **person, "本人查询")); !s) {
        return http::Response::FromError(s.error());
    }
    nlohmann::json out = MaskedPersonJson(**person);
    out.erase("region_code");
    return Private(http::Response::Json(out));
}

http::Response MyArchives(http::App& app, http::Request& request) {
    const std::string& person_id = request.principal->subject_id;
    auto records = RecordsOfPerson(*app.db, person_id, true);
    if (!records) return http::Response::FromError(records.error());
    audit::Entry entry = audit::EntryFor(request, "archive.read");
    entry.subject_person_id = person_id;
    entry.target = "person:" + person_id;
    entry.purpose = "本人查询";
    if (Status s = audit::Record(app, std::move(entry)); !s) return http::Response::FromError(s.error());
    json list = json::array();
    for (const ArchiveRecord& r : *records) list.push_back(CitizenRecordJson(r));
    json steps = records->empty() ? json(NextSteps()) : json::array();
    return Private(http::Response::Json(
        {{"person", {{"name", request.principal->display_name}}}, {"records", std::move(list)}, {"next_steps", steps}}));
}

// --- staff ---------------------------------------------------------------------------

struct StaffReading {
    Person person;
    std::string purpose;
    std::vector<ArchiveRecord> records;  // with items
};

// The person of :id for a staff read by `roles`, after the purpose and scope checks.
Result<StaffReading> StaffRead(http::App& app, const http::Request& request, const std::vector<std::string>& roles) {
    auto purpose = PurposeOf(request);
    if (!purpose) return purpose.error();
    const std::string& id = request.Param("id");
    if (!core::IsId(id)) return PersonNotFound();
    auto person = FindPersonById(*app.db, app.keyring, id);
    if (!person) return person.error();
    if (!*person) return PersonNotFound();
    auto records = RecordsOfPerson(*app.db, (*person)->id, true);
    if (!records) return records.error();
    if (!MayRead(*request.principal, roles, **person, *records)) {
        DANGAN_TRY(AuditDenied(app, request, **person, *purpose));
        return OutsideScope();
    }
    return StaffReading{std::move(**person), std::move(*purpose), std::move(*records)};
}

// The person view (360°): the person, their records with items, their employment periods.
http::Response GetPerson(http::App& app, http::Request& request) {
    auto read = StaffRead(app, request, kReadRoles);
    if (!read) return http::Response::FromError(read.error());
    auto& [person, purpose, records] = *read;
    auto periods = PeriodsOfPerson(*app.db, person.id);
    if (!periods) return http::Response::FromError(periods.error());
    if (Status s = audit::Record(app, PersonEntry(request, "person.read", person, purpose)); !s) {
        return http::Response::FromError(s.error());
    }
    json out = MaskedPersonJson(person);
    out["records"] = json::array();
    for (const ArchiveRecord& r : records) out["records"].push_back(StaffRecordJson(r, true));
    out["employment"] = json::array();
    for (const EmploymentPeriod& p : *periods) out["employment"].push_back(PeriodJson(p));
    return Private(http::Response::Json(out));
}

http::Response GetIdentifiers(http::App& app, http::Request& request) {
    auto read = StaffRead(app, request, kReadFullRoles);
    if (!read) return http::Response::FromError(read.error());
    const auto& [person, purpose, records] = *read;
    if (Status s = audit::Record(app, PersonEntry(request, "person.read_full", person, purpose)); !s) {
        return http::Response::FromError(s.error());
    }
    return Private(http::Response::Json({{"id_number", person.id_number}, {"mobile", person.mobile}}));
}

// The persons a search names: by ID number (one at most) or by name and birth date.
Result<std::vector<Person>> SearchCandidates(http::App& app, const json& body) {
    auto id_number = http::TextMember(body, "id_number");
    if (!id_number) return id_number.error();
    auto name = http::TextMember(body, "name");
    if (!name) return name.error();
    auto birth_date = http::TextMember(body, "birth_date");
    if (!birth_date) return birth_date.error();
    if (!id_number->empty()) {
        auto id = core::ValidateIdNumber(*id_number, core::BusinessDate(app.clock->Now()));
        if (!id) return id.error();
        auto person = FindPersonByIdNumber(*app.db, app.keyring, id->normalized);
        if (!person) return person.error();
        if (!*person) return PersonNotFound("id_number");
        return std::vector<Person>{std::move(**person)};
    }
    if (name->empty() && birth_date->empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请填写身份证号码，或者姓名和出生日期", "id_number",
                         "search_criteria_required");
    }
    if (name->empty()) return MakeError(ErrorCode::kInvalidArgument, "请填写姓名", "name", "search_criteria_required");
    if (birth_date->size() != 10 || !IsPartialDate(*birth_date)) {
        return MakeError(ErrorCode::kInvalidArgument, "出生日期应为 YYYY-MM-DD，例如 1985-03-15", "birth_date",
                         "invalid_birth_date");
    }
    auto persons = FindPersonsByNameAndBirthDate(*app.db, app.keyring, *name, *birth_date, kMaxSearchResults);
    if (!persons) return persons.error();
    if (persons->empty()) return PersonNotFound("name");
    return std::move(*persons);
}

http::Response SearchPersons(http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return http::Response::FromError(body.error());
    auto purpose_text = http::TextMember(*body, "purpose");
    if (!purpose_text) return http::Response::FromError(purpose_text.error());
    auto purpose = ValidatePurpose(*purpose_text);
    if (!purpose) return http::Response::FromError(purpose.error());
    auto candidates = SearchCandidates(app, *body);
    if (!candidates) return http::Response::FromError(candidates.error());

    json persons = json::array();
    for (const Person& person : *candidates) {
        auto records = RecordsOfPerson(*app.db, person.id, false);
        if (!records) return http::Response::FromError(records.error());
        if (!MayRead(*request.principal, kReadRoles, person, *records)) {
            if (Status s = AuditDenied(app, request, person, *purpose); !s) return http::Response::FromError(s.error());
            continue;
        }
        if (Status s = audit::Record(app, PersonEntry(request, "person.read", person, *purpose)); !s) {
            return http::Response::FromError(s.error());
        }
        json p = MaskedPersonJson(person);
        p["records"] = json::array();
        for (const ArchiveRecord& r : *records) p["records"].push_back(StaffRecordJson(r, false));
        persons.push_back(std::move(p));
    }
    if (persons.empty()) {
        const bool by_id = !body->value("id_number", json()).is_null() && !body->value("id_number", std::string()).empty();
        return http::Response::FromError(OutsideScope(by_id ? "id_number" : "name"));
    }
    return Private(http::Response::Json({{"persons", std::move(persons)}}));
}

// --- public --------------------------------------------------------------------------

struct ListQuery {
    std::string region;
    std::string filter;
    std::string cursor;
    int limit = kDefaultPage;
};

// region (2/4/6 digits), the filter parameter (one of `codes`), cursor, limit (1–100).
Result<ListQuery> ParseListQuery(const http::Request& request, const char* filter_name,
                                 const std::vector<Label>& codes) {
    ListQuery q;
    q.region = request.QueryParam("region").value_or("");
    if (!q.region.empty() && !IsRegionCode(q.region)) {
        return MakeError(ErrorCode::kInvalidArgument, "region 应为 2、4 或 6 位行政区划代码", "region", "invalid_region");
    }
    q.filter = request.QueryParam(filter_name).value_or("");
    if (!q.filter.empty()) {
        auto code = ParseCode(codes, q.filter, filter_name);
        if (!code) return code.error();
        q.filter = *code;
    }
    q.cursor = request.QueryParam("cursor").value_or("");
    if (q.cursor.size() > 64) return MakeError(ErrorCode::kInvalidArgument, "cursor 无效", "cursor", "invalid_cursor");
    if (auto limit = request.QueryParam("limit")) {
        const bool digits = !limit->empty() && limit->size() <= 3 &&
                            limit->find_first_not_of("0123456789") == std::string::npos;
        q.limit = digits ? std::stoi(*limit) : 0;
        if (q.limit < 1 || q.limit > kMaxPage) {
            return MakeError(ErrorCode::kInvalidArgument, "limit 应为 1 至 100", "limit", "invalid_limit");
        }
    }
    return q;
}

template <typename T, typename ToJson>
http::Response Page(const char* key, const std::vector<T>& rows, int limit, ToJson to_json) {
    json list = json::array();
    for (const T& row : rows) list.push_back(to_json(row));
    json next = static_cast<int>(rows.size()) == limit ? json(rows.back().code) : json(nullptr);
    http::Response r = http::Response::Json({{key, std::move(list)}, {"next_cursor", std::move(next)}});
    r.Header("Cache-Control", "public, max-age=300");
    return r;
}

http::Response ListHoldersRoute(http::App& app, http::Request& request) {
    auto q = ParseListQuery(request, "kind", HolderKinds());
    if (!q) return http::Response::FromError(q.error());
    auto rows = ListHolders(*app.db, q->region, q->filter, q->cursor, q->limit);
    if (!rows) return http::Response::FromError(rows.error());
    return Page("holders", *rows, q->limit, HolderJson);
}

http::Response ListBranchesRoute(http::App& app, http::Request& request) {
    auto q = ParseListQuery(request, "service", BranchServices());
    if (!q) return http::Response::FromError(q.error());
    auto rows = ListBranches(*app.db, q->region, q->filter, q->cursor, q->limit);
    if (!rows) return http::Response::FromError(rows.error());
    return Page("branches", *rows, q->limit, BranchJson);
}

}  // namespace

void Register(http::App& app) {
    auto route = [&app](http::Method method, const char* path, http::Access access, http::AppHandler handler) {
        http::AddRoute(app, method, path, std::move(access), handler);
    };
    route(http::Method::kGet, "/api/v1/me", http::Access::Roles({"citizen"}), Me);
    route(http::Method::kGet, "/api/v1/me/archives", http::Access::Roles({"citizen"}), MyArchives);
    route(http::Method::kPost, "/api/v1/persons/search",
          http::Access::Roles({"window_clerk", "archivist", "reviewer", "branch_admin"}), SearchPersons);
    route(http::Method::kGet, "/api/v1/persons/:id",
          http::Access::Roles({"window_clerk", "archivist", "reviewer", "branch_admin"}), GetPerson);
    route(http::Method::kGet, "/api/v1/persons/:id/identifiers", http::Access::Roles({"window_clerk", "archivist"}),
          GetIdentifiers);
    route(http::Method::kGet, "/api/v1/holders", http::Access::Public(), ListHoldersRoute);
    route(http::Method::kGet, "/api/v1/branches", http::Access::Public(), ListBranchesRoute);
}

}  // namespace dangan::archives
