// The default lexicon for `dangan init` and the demo knowledge base for `dangan init --demo`.

#include "kb/demo.hpp"

#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "http/app.hpp"
#include "kb/register.hpp"
#include "kb/store.hpp"

namespace dangan::kb {

Status EnsureDefaultLexicon(http::App& app) { return EnsureLexicon(*app.db, core::UnixMillis(app.clock->Now())); }

Status SeedDemoKb(http::App& app) {
    const std::int64_t now = core::UnixMillis(app.clock->Now());
    if (Status s = EnsureLexicon(*app.db, now); !s) return s;
    auto any = app.db->Query("SELECT id FROM kb_entries LIMIT 1");
    if (!any) return any.error();
    if (!any->empty()) return {};  // an existing knowledge base is never overwritten
    auto counts = ImportJsonl(*app.db, DemoKbJsonl(), "system", now, /*publish=*/true);
    if (!counts) return counts.error();
    spdlog::info("kb: demo knowledge base: {} entries published", counts->created);
    return {};
}

}  // namespace dangan::kb
