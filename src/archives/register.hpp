#pragma once

// The archives module's routes (persons for now) and its demo data.

#include "core/result.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::archives {

// GET /api/v1/me, GET /api/v1/persons/:id, GET /api/v1/persons/:id/identifiers.
void Register(http::App& app);

// Six demo persons in Changchun (2201) and Jilin City (2202) with valid ID numbers and mobile
// numbers (README.md lists them). Idempotent: persons already present are left as they are.
Status SeedDemoPersons(http::App& app);
// Demo holders, branches, records, items and employment periods (demo_archives.json); after
// SeedDemoPersons.
Status SeedDemoArchives(http::App& app);

}  // namespace dangan::archives
