// The demo booking set-up: hours and booking rules for the demo branches that offer visits or
// retrieval, and the national holidays of 2026 with their 调休 working days (国办发明电〔2025〕7号).
// The 2027 schedule is entered by the operator once the State Council publishes it; only New
// Year's Day, which never moves, is here.

#include "appointments/calendar_store.hpp"
#include "appointments/register.hpp"
#include "archives/records.hpp"
#include "http/app.hpp"

namespace dangan::appointments {

namespace {

using namespace std::chrono;

struct Holiday {
    Date from;
    Date to;
    const char* name;
};

const std::vector<Holiday>& Holidays() {
    static const std::vector<Holiday> kHolidays{
        {2026y / January / 1, 2026y / January / 3, "元旦"},
        {2026y / February / 15, 2026y / February / 23, "春节"},
        {2026y / April / 4, 2026y / April / 6, "清明节"},
        {2026y / May / 1, 2026y / May / 5, "劳动节"},
        {2026y / June / 19, 2026y / June / 21, "端午节"},
        {2026y / September / 25, 2026y / September / 27, "中秋节"},
        {2026y / October / 1, 2026y / October / 7, "国庆节"},
        {2027y / January / 1, 2027y / January / 1, "元旦"},
    };
    return kHolidays;
}

const std::vector<Date>& ShiftedWorkdays() {
    static const std::vector<Date> kDays{2026y / January / 4,   2026y / February / 14, 2026y / February / 28,
                                         2026y / May / 9,       2026y / September / 20, 2026y / October / 10};
    return kDays;
}

}  // namespace

Status SeedDemoCalendar(http::App& app) {
    auto branches = archives::ListBranches(*app.db, "", "", "", 100);
    if (!branches) return branches.error();
    for (const archives::Branch& b : *branches) {
        auto offers = [&](const char* s) { return std::find(b.services.begin(), b.services.end(), s) != b.services.end(); };
        if (!offers("visit") && !offers("retrieval")) continue;
        auto current = LoadSetup(*app.db, b.code);
        if (!current) return current.error();
        if (!current->rules.empty()) continue;
        BranchSetup setup;
        for (int d = 1; d <= 5; ++d) setup.hours[d] = {{8 * 60 + 30, 11 * 60 + 30}, {13 * 60, 16 * 60 + 30}};
        const bool hall = b.kind == "hall";
        if (offers("visit")) setup.rules.push_back({Service::kVisit, 30, hall ? 6 : 2, 14, 8 * 60});
        if (offers("retrieval")) setup.rules.push_back({Service::kRetrieval, 30, hall ? 20 : 5, 14, 8 * 60});
        DANGAN_TRY(app.db->Transaction(
            [&](db::Connection& conn) { return SaveSetup(conn, *app.clock, b.code, setup, "demo"); }));
    }
    return app.db->Transaction([&](db::Connection& conn) -> Status {
        for (const Holiday& h : Holidays()) {
            for (sys_days d = sys_days(h.from); d <= sys_days(h.to); d += days(1)) {
                DANGAN_TRY(PutCalendarDay(conn, *app.clock, {"", Date(d), true, h.name}, "demo"));
            }
        }
        for (const Date& d : ShiftedWorkdays()) DANGAN_TRY(PutCalendarDay(conn, *app.clock, {"", d, false, "调休上班"}, "demo"));
        return Ok();
    });
}

}  // namespace dangan::appointments
