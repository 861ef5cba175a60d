// Composes the modules into the `dangan` executable; nothing else lives here.

#include "cli/cli.hpp"
#include "http/system_routes.hpp"

int main(int argc, char** argv) {
    dangan::cli::Modules modules;
    modules.registrars = {dangan::http::RegisterSystemRoutes};
    return dangan::cli::Run(argc, argv, modules);
}
