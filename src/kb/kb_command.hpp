#pragma once

// `dangan kb match|eval`: the matcher over a knowledge base read from a JSON-lines file, with no
// database (docs/kb-matcher.md). Hidden: `dangan kb features` (training data for
// scripts/train_kb_reranker.py) and `dangan kb pinyin-table` (regenerates src/kb/pinyin_table.inc).

namespace dangan::cli {
struct CommandSet;
}

namespace dangan::kb {

cli::CommandSet MatchCommands();

}  // namespace dangan::kb
