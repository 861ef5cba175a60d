// The list of modules — the one place that names them all.

#include "modules.hpp"

#include "appointments/register.hpp"
#include "archives/register.hpp"
#include "audit/register.hpp"
#include "bulk/register.hpp"
#include "certificates/register.hpp"
#include "channels/register.hpp"
#include "http/system_routes.hpp"
#include "identity/accounts.hpp"
#include "identity/register.hpp"
#include "kb/chat.hpp"
#include "kb/kb_command.hpp"
#include "kb/register.hpp"
#include "kiosk/card_reader.hpp"
#include "notify/register.hpp"

namespace dangan {

cli::Modules AllModules() {
    cli::Modules m;
    m.registrars = {http::RegisterSystemRoutes, audit::Register, notify::Register, identity::Register,
                    archives::Register, appointments::Register, certificates::Register};
    m.registrars.push_back(kb::Register);
    m.registrars.push_back(kb::RegisterChat);
    m.registrars.push_back(channels::Register);
    m.init_steps.push_back(certificates::EnsureSigningKey);
    m.init_steps.push_back(kb::EnsureDefaultLexicon);
    m.demo_seeders.push_back(archives::SeedDemoPersons);
    m.demo_seeders.push_back(archives::SeedDemoArchives);
    m.demo_seeders.push_back(appointments::SeedDemoCalendar);
    m.demo_seeders.push_back(kb::SeedDemoKb);
    m.commands.push_back(audit::Commands());
    m.demo_seeders.push_back(identity::SeedDemoAccounts);
    m.commands.push_back(identity::UserCommands());
    m.commands.push_back(bulk::Commands());
    m.commands.push_back(kiosk::CardReaderCommands());
    m.commands.push_back(certificates::Commands());
    m.commands.push_back(kb::MatchCommands());
    return m;
}

}  // namespace dangan
