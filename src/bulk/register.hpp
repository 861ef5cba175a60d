#pragma once

// `dangan gen` and `dangan import`: the bulk-loading commands (src/bulk/README.md).

#include "cli/cli.hpp"

namespace dangan::bulk {

cli::CommandSet Commands();

}  // namespace dangan::bulk
