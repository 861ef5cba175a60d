#pragma once

// The "user" object of log-in answers and GET /api/v1/session (docs/api-identity.md):
// citizen {"kind":"citizen","id","name","id_number"(masked),"mobile"(masked)}; staff
// {"kind":"staff","id","username","display_name","grants":[{"role","scope"}]}; employer
// {"kind":"employer","id","username","display_name","employer":{"id","name","credit_code"}}.

#include <nlohmann/json.hpp>

#include "archives/persons.hpp"
#include "core/result.hpp"
#include "http/auth.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::identity {

nlohmann::json CitizenUserJson(const archives::Person& person);

// The user object of the principal's subject, read afresh from the database. kUnauthenticated
// when the subject is gone (a session outliving its person or user).
Result<nlohmann::json> SessionUserJson(http::App& app, const http::Principal& principal);

}  // namespace dangan::identity
