#pragma once

// The knowledge-base module: the editors' routes, the public FAQ and the unanswered questions
// (docs/api-kb.md "Knowledge base (staff)", "Public FAQ"), the default lexicon stored by every
// `dangan init`, and the demo knowledge base of `dangan init --demo`.

#include "core/result.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::kb {

// Adds the routes; they share the node's kb::IndexOf(app).
void Register(http::App& app);

// For `dangan init`: stores the default lexicon when none is stored (idempotent).
Status EnsureDefaultLexicon(http::App& app);

// For `dangan init --demo`: the demo knowledge base (src/kb/data/demo_kb.jsonl), published on
// every channel, when the knowledge base is empty.
Status SeedDemoKb(http::App& app);

}  // namespace dangan::kb
