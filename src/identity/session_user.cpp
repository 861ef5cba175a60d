#include "identity/session_user.hpp"

#include "core/validators.hpp"
#include "http/app.hpp"
#include "identity/account_store.hpp"
#include "identity/accounts.hpp"

namespace dangan::identity {

namespace {

Error SubjectGone() { return MakeError(ErrorCode::kUnauthenticated, "请先登录", "", "unauthenticated"); }

}  // namespace

nlohmann::json CitizenUserJson(const archives::Person& person) {
    return {{"kind", "citizen"},
            {"id", person.id},
            {"name", person.name},
            {"id_number", core::MaskIdNumber(person.id_number)},
            {"mobile", core::MaskMobile(person.mobile)}};
}

Result<nlohmann::json> SessionUserJson(http::App& app, const http::Principal& principal) {
    if (principal.kind == http::Principal::Kind::kCitizen) {
        auto person = archives::FindPersonById(*app.db, app.keyring, principal.subject_id);
        if (!person) return person.error();
        if (!*person) return SubjectGone();
        return CitizenUserJson(**person);
    }
    AccountStore accounts(*app.db);
    auto user = accounts.UserById(principal.subject_id);
    if (!user) return user.error();
    if (!*user) return SubjectGone();
    if (principal.kind == http::Principal::Kind::kStaff) return StaffUserJson(**user);
    auto employer = accounts.EmployerById((*user)->employer_id);
    if (!employer) return employer.error();
    if (!*employer) return SubjectGone();
    return EmployerUserJson(**user, **employer);
}

}  // namespace dangan::identity
