// The scheduled no-show and reminder sweep of a node (App::jobs).

#include <spdlog/spdlog.h>

#include "appointments/booking.hpp"
#include "appointments/register.hpp"
#include "http/app.hpp"
#include "notify/sender.hpp"

namespace dangan::appointments {

void StartSweeper(http::App& app) {
    if (!app.background_jobs) return;
    const auto interval = std::chrono::seconds(app.config.appointments.sweep_interval_seconds);
    auto job = std::make_unique<core::Periodic>(interval, [&app] {
        auto counts = Sweep(Context{*app.db, app.keyring, *app.clock, PolicyFrom(app.config)});
        if (!counts) {
            spdlog::warn("appointments sweep failed, retried in the next round: {}", counts.error().message);
            return;
        }
        if (counts->no_shows == 0 && counts->reminders == 0) return;
        spdlog::info("appointments sweep: {} no-shows marked, {} reminders queued", counts->no_shows, counts->reminders);
        if (app.sms_sender) app.sms_sender->Wake();
    });
    job->Start();
    app.jobs.push_back(std::move(job));
}

}  // namespace dangan::appointments
