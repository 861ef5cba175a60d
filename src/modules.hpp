#pragma once

#include "cli/cli.hpp"

namespace dangan {

// Every module of the server, in the order they register. main() runs the CLI with these;
// tests use the same list to check the whole route table.
cli::Modules AllModules();

}  // namespace dangan
