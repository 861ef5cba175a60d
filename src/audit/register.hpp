#pragma once

// The audit module's hooks for main(): the shared AuditLog, the auditor's routes and the
// `dangan audit` subcommands.

namespace dangan::http {
struct App;
}
namespace dangan::cli {
struct CommandSet;
}

#include "audit/audit_log.hpp"
#include "core/result.hpp"

namespace dangan::audit {

// Records `entry` in app.audit. Without an audit log the entry cannot be kept, so this is
// kUnavailable (logged) rather than a silent gap: callers fail the request.
Status Record(http::App& app, Entry entry);

// Creates the GroupCommitLog (config.audit.*) into app.audit unless one is set already.
// For subcommands that audit without serving.
void Start(http::App& app);

// Start(app), then GET /api/v1/audit and GET /api/v1/audit/verify (auditor only; both
// audited as "audit.read" / "audit.verify").
void Register(http::App& app);

// `dangan audit verify [--config FILE] [--db URL]`: exit 0 when the chain is whole, 1 naming
// the first broken row, 2/3 for configuration or database trouble.
cli::CommandSet Commands();

}  // namespace dangan::audit
