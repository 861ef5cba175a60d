// The list of modules — the one place that names them all.

#include "modules.hpp"

#include "http/system_routes.hpp"

namespace dangan {

cli::Modules AllModules() {
    cli::Modules m;
    m.registrars = {http::RegisterSystemRoutes};
    return m;
}

}  // namespace dangan
