#pragma once

// The question matcher: finds the knowledge-base entry a free-text Chinese question asks about,
// or abstains. A library with no server, database or HTTP dependency (docs/kb-matcher.md).
// Build once per knowledge-base version, then call Find from any number of threads.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dangan::kb {

// One knowledge-base entry as the matcher sees it.
struct KbEntry {
    std::string id;
    std::string question;              // the canonical question
    std::vector<std::string> similar;  // other ways to ask it
    std::vector<std::string> tags;
    std::string category;
    std::string answer;
};

// The editable domain resources: synonym groups (every term is rewritten to the group's first)
// and stop phrases (removed before matching: 请问, 你好, 啊…).
struct Lexicon {
    std::vector<std::vector<std::string>> synonyms;
    std::vector<std::string> stop_phrases;
};

// The lexicon shipped with the program (src/kb/data/lexicon.txt): the default for `dangan init`
// and for `dangan kb match` without a database.
Lexicon DefaultLexicon();

// Parses the lexicon text format (docs/kb-matcher.md): lines "[synonyms]" and "[stop]" start
// sections; in [synonyms] a line is one group of terms separated by spaces, "/" or "、" (the first
// is canonical); in [stop] every term on a line is a stop phrase; "#" starts a comment line.
Lexicon ParseLexicon(std::string_view text);

enum class Verdict {
    kAnswer,  // confident: answer with top[0]
    kUnsure,  // plausible candidates: ask "您是想问：A，还是B？" with top[0], top[1]
    kNone,    // out of scope or not understood: abstain
};

struct Candidate {
    std::string id;
    double score = 0;  // the re-ranker's score in [0, 1]
};

struct MatchResult {
    Verdict verdict = Verdict::kNone;
    std::vector<Candidate> top;  // best first, at most k (may be non-empty when kNone)
    std::string normalised;      // the question after normalisation (for editors and logs)
};

class Matcher {
public:
    // `allowed` (optional) keeps only entries it returns true for (e.g. the asking channel's).
    using Filter = std::function<bool(const std::string& id)>;

    static std::shared_ptr<const Matcher> Build(std::vector<KbEntry> entries, Lexicon lexicon);

    MatchResult Find(std::string_view question, std::size_t k = 3, const Filter& allowed = {}) const;

    std::size_t size() const;

    // For scripts/train_kb_reranker.py (`dangan kb features`): the re-ranked candidates of a
    // question with their feature vectors (named by FeatureNames()), best first.
    struct Explained {
        std::string id;
        std::vector<double> features;
        double score = 0;
    };
    std::vector<Explained> Explain(std::string_view question) const;
    static const std::vector<std::string>& FeatureNames();

    ~Matcher();
    struct Impl;

private:
    explicit Matcher(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace dangan::kb
