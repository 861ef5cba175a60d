// Composes the modules into the `dangan` executable; nothing else lives here.

#include "cli/cli.hpp"
#include "modules.hpp"

int main(int argc, char** argv) { return dangan::cli::Run(argc, argv, dangan::AllModules()); }
