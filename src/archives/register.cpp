// The person routes. Every read of a person's data is audited (person.read, person.read_full);
// a staff read outside the reader's scopes is refused and audited as access_denied.

#include "archives/register.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <nlohmann/json.hpp>

#include "archives/person_access.hpp"
#include "archives/persons.hpp"
#include "audit/audit_log.hpp"
#include "audit/register.hpp"
#include "core/ids.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"

namespace dangan::archives {

namespace {

const std::vector<std::string> kReadRoles{"window_clerk", "archivist", "reviewer", "branch_admin"};
const std::vector<std::string> kReadFullRoles{"window_clerk", "archivist"};

audit::Entry PersonEntry(const http::Request& request, std::string action, const Person& person, std::string purpose) {
    audit::Entry entry = audit::EntryFor(request, std::move(action));
    entry.subject_person_id = person.id;
    entry.target = "person:" + person.id;
    entry.purpose = std::move(purpose);
    return entry;
}

Error PersonNotFound() { return MakeError(ErrorCode::kNotFound, "未找到该人员的登记信息", "id", "person_not_found"); }

http::Response Me(http::App& app, http::Request& request) {
    auto person = FindPersonById(*app.db, app.keyring, request.principal->subject_id);
    if (!person) return http::Response::FromError(person.error());
    if (!*person) return http::Response::FromError(PersonNotFound());
    if (Status s = audit::Record(app, PersonEntry(request, "person.read", **person, "本人查询")); !s) {
        return http::Response::FromError(s.error());
    }
    nlohmann::json out = MaskedPersonJson(**person);
    out.erase("region_code");
    return http::Response::Json(out);
}

// The person of :id for a staff read by `roles`, after the purpose and scope checks; an
// out-of-scope read is audited as access_denied.
Result<std::pair<Person, std::string>> StaffRead(http::App& app, const http::Request& request,
                                                 const std::vector<std::string>& roles) {
    auto purpose = ValidatePurpose(request.QueryParam("purpose"));
    if (!purpose) return purpose.error();
    const std::string& id = request.Param("id");
    if (!core::IsId(id)) return PersonNotFound();
    auto person = FindPersonById(*app.db, app.keyring, id);
    if (!person) return person.error();
    if (!*person) return PersonNotFound();
    if (!CoversPerson(*request.principal, roles, **person)) {
        audit::Entry entry = PersonEntry(request, "access_denied", **person, *purpose);
        entry.detail_json = R"({"reason":"outside_scope"})";
        DANGAN_TRY(audit::Record(app, std::move(entry)));
        return MakeError(ErrorCode::kForbidden, "该人员不在您的管辖范围内，无权查阅", "id", "forbidden");
    }
    return std::make_pair(std::move(**person), std::move(*purpose));
}

http::Response GetPerson(http::App& app, http::Request& request) {
    auto read = StaffRead(app, request, kReadRoles);
    if (!read) return http::Response::FromError(read.error());
    auto& [person, purpose] = *read;
    if (Status s = audit::Record(app, PersonEntry(request, "person.read", person, purpose)); !s) {
        return http::Response::FromError(s.error());
    }
    return http::Response::Json(MaskedPersonJson(person));
}

http::Response GetIdentifiers(http::App& app, http::Request& request) {
    auto read = StaffRead(app, request, kReadFullRoles);
    if (!read) return http::Response::FromError(read.error());
    auto& [person, purpose] = *read;
    if (Status s = audit::Record(app, PersonEntry(request, "person.read_full", person, purpose)); !s) {
        return http::Response::FromError(s.error());
    }
    http::Response r = http::Response::Json({{"id_number", person.id_number}, {"mobile", person.mobile}});
    r.Header("Cache-Control", "no-store");
    return r;
}

struct DemoPerson {
    const char* name;
    const char* first17;  // region, birth date, sequence; the check character is computed
    const char* mobile;
};

// Changchun (2201: Nanguan, Chaoyang, Erdao, Lüyuan) and Jilin City (2202: Changyi, Longtan).
constexpr std::array<DemoPerson, 6> kDemoPersons{{
    {"张伟", "22010219850315001", "13904310001"},
    {"王芳", "22010419900722002", "13904310002"},
    {"李建国", "22010519650120013", "13904310003"},
    {"刘秀英", "22010619720808024", "13904310004"},
    {"陈磊", "22020219951130035", "13904320005"},
    {"赵丽", "22020319780405046", "13904320006"},
}};

}  // namespace

void Register(http::App& app) {
    http::App* a = &app;
    app.router.Add(http::Method::kGet, "/api/v1/me", http::Access::Roles({"citizen"}),
                   [a](http::Request& r) { return Me(*a, r); });
    app.router.Add(http::Method::kGet, "/api/v1/persons/:id",
                   http::Access::Roles({"window_clerk", "archivist", "reviewer", "branch_admin"}),
                   [a](http::Request& r) { return GetPerson(*a, r); });
    app.router.Add(http::Method::kGet, "/api/v1/persons/:id/identifiers",
                   http::Access::Roles({"window_clerk", "archivist"}),
                   [a](http::Request& r) { return GetIdentifiers(*a, r); });
}

Status SeedDemoPersons(http::App& app) {
    for (const DemoPerson& demo : kDemoPersons) {
        auto check = core::IdNumberCheckCharacter(demo.first17);
        if (!check) return MakeError(ErrorCode::kInternal, "演示数据有误", "", "invalid_demo_data");
        const std::string id_number = std::string(demo.first17) + *check;
        auto existing = FindPersonByIdNumber(*app.db, app.keyring, id_number);
        if (!existing) return existing.error();
        if (*existing) continue;
        DANGAN_TRY(app.db->Transaction([&](db::Connection& conn) -> Status {
            auto created = CreatePerson(conn, app.keyring, *app.clock, demo.name, id_number, demo.mobile);
            if (!created) return created.error();
            return Ok();
        }));
    }
    return Ok();
}

}  // namespace dangan::archives
