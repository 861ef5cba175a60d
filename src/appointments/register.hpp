#pragma once

// The appointments module: routes (docs/api-appointments.md), the scheduled no-show and
// reminder sweep, and the demo booking set-up.

#include "core/result.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::appointments {

// The routes, and the sweep started on this node (when app.background_jobs).
void Register(http::App& app);

// Runs Sweep every appointments.sweep_interval_seconds on a background thread (App::jobs).
void StartSweeper(http::App& app);

// Booking rules and hours for the demo branches, and the national holidays with their 调休
// working days for 2026 and 2027. Idempotent: rules already set are left as they are.
Status SeedDemoCalendar(http::App& app);

}  // namespace dangan::appointments
