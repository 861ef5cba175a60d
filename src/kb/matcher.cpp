// The question matcher (docs/kb-matcher.md): normalise, retrieve with BM25F over character
// unigrams + bigrams and over fuzzy-pinyin unigrams + bigrams, re-rank the union of both channels'
// best candidates with a logistic model over matching features, and decide whether to answer.

#include "kb/matcher.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "kb/normalise.hpp"
#include "kb/pinyin.hpp"

namespace dangan::kb {

std::string_view DefaultLexiconText();
std::string_view RerankerJson();

namespace {

// ---------------------------------------------------------------------------------------------
// Lexicon text

std::vector<std::string> SplitTerms(std::string_view line) {
    std::vector<std::string> out;
    std::string current;
    auto flush = [&] {
        if (!current.empty()) out.push_back(current);
        current.clear();
    };
    for (std::size_t i = 0; i < line.size();) {
        if (line[i] == ' ' || line[i] == '\t' || line[i] == '/' || line[i] == ',' || line[i] == '\r') {
            flush();
            ++i;
        } else if (line.substr(i, 3) == "、" || line.substr(i, 3) == "，" || line.substr(i, 3) == "／") {
            flush();
            i += 3;
        } else {
            current.push_back(line[i++]);
        }
    }
    flush();
    return out;
}

// ---------------------------------------------------------------------------------------------
// Units and terms

struct Unit {
    std::uint64_t ch = 0;  // the character (code point) or a hash of an ASCII word
    std::uint64_t py = 0;  // the fuzzy pinyin syllable, or `ch` when there is none
    std::uint32_t seg = 0;
};

constexpr std::uint64_t kWordBit = 1ULL << 40;
constexpr std::uint64_t kPinyinBit = 1ULL << 41;

std::uint64_t Mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::uint64_t UnigramKey(std::uint64_t u) { return Mix(u ^ 0x5555000000000000ULL); }
std::uint64_t BigramKey(std::uint64_t a, std::uint64_t b) { return Mix(Mix(a) + b * 0x2545F4914F6CDD1DULL); }
// Two characters with one between them ("预约号" and "预的号" share 预·号): tolerates an inserted,
// dropped or replaced character.
std::uint64_t SkipKey(std::uint64_t a, std::uint64_t b) { return Mix(Mix(a ^ 0x7777) + b * 0x9FB21C651E98DF25ULL); }

constexpr bool kSkipGrams = false;  // measured: no gain on the dev set (docs/kb-matcher.md)

bool IsAsciiAlnum(char32_t c) { return c < 0x80 && IsWordChar(c); }

std::vector<Unit> Units(std::u32string_view text) {
    std::vector<Unit> units;
    std::uint32_t seg = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        char32_t c = text[i];
        if (c == U' ') {
            ++seg;
            ++i;
            continue;
        }
        Unit u;
        u.seg = seg;
        if (IsAsciiAlnum(c)) {
            std::uint64_t h = 1469598103934665603ULL;
            while (i < text.size() && IsAsciiAlnum(text[i])) {
                h = (h ^ text[i]) * 1099511628211ULL;
                ++i;
            }
            u.ch = (h & (kWordBit - 1)) | kWordBit;
            u.py = u.ch;
        } else {
            u.ch = c;
            std::uint32_t syllable = FuzzyPinyinId(c);
            u.py = syllable != 0 ? (kPinyinBit | syllable) : u.ch;
            ++i;
        }
        units.push_back(u);
    }
    return units;
}

// Distinct terms of a unit sequence (unigrams then bigrams within a segment), with counts.
struct TermCount {
    std::uint64_t key;
    std::uint32_t count;
    bool bigram;
};

template <bool kPinyin>
std::vector<TermCount> Terms(const std::vector<Unit>& units) {
    std::vector<TermCount> out;
    auto add = [&](std::uint64_t key, bool bigram) {
        for (auto& t : out) {
            if (t.key == key) {
                ++t.count;
                return;
            }
        }
        out.push_back({key, 1, bigram});
    };
    auto val = [](const Unit& u) { return kPinyin ? u.py : u.ch; };
    for (const auto& u : units) add(UnigramKey(val(u)), false);
    for (std::size_t i = 0; i + 1 < units.size(); ++i) {
        if (units[i].seg == units[i + 1].seg) add(BigramKey(val(units[i]), val(units[i + 1])), true);
        if (kSkipGrams && i + 2 < units.size() && units[i].seg == units[i + 2].seg) {
            add(SkipKey(val(units[i]), val(units[i + 2])), true);
        }
    }
    return out;
}

// Faster distinct-term collection for long texts (answers).
template <bool kPinyin>
std::unordered_map<std::uint64_t, std::uint32_t> TermMap(const std::vector<Unit>& units) {
    std::unordered_map<std::uint64_t, std::uint32_t> out;
    auto val = [](const Unit& u) { return kPinyin ? u.py : u.ch; };
    for (const auto& u : units) ++out[UnigramKey(val(u))];
    for (std::size_t i = 0; i + 1 < units.size(); ++i) {
        if (units[i].seg == units[i + 1].seg) ++out[BigramKey(val(units[i]), val(units[i + 1]))];
        if (kSkipGrams && i + 2 < units.size() && units[i].seg == units[i + 2].seg) {
            ++out[SkipKey(val(units[i]), val(units[i + 2]))];
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Similarity measures over unit sequences

// Edit distance and LCS look at the first kMaxDp characters (questions are short; bounds the cost).
constexpr std::size_t kMaxDp = 64;

template <typename F>
std::size_t EditDistance(const std::vector<Unit>& a, const std::vector<Unit>& b, F val) {
    std::size_t n = std::min<std::size_t>(a.size(), kMaxDp), m = std::min<std::size_t>(b.size(), kMaxDp);
    std::array<std::uint16_t, kMaxDp + 1> prev{}, cur{};
    for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<std::uint16_t>(j);
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = static_cast<std::uint16_t>(i);
        for (std::size_t j = 1; j <= m; ++j) {
            std::uint16_t sub = prev[j - 1] + (val(a[i - 1]) == val(b[j - 1]) ? 0 : 1);
            cur[j] = std::min<std::uint16_t>({static_cast<std::uint16_t>(prev[j] + 1),
                                              static_cast<std::uint16_t>(cur[j - 1] + 1), sub});
        }
        prev = cur;
    }
    return prev[m];
}

template <typename F>
std::size_t Lcs(const std::vector<Unit>& a, const std::vector<Unit>& b, F val) {
    std::size_t n = std::min<std::size_t>(a.size(), kMaxDp), m = std::min<std::size_t>(b.size(), kMaxDp);
    std::array<std::uint16_t, kMaxDp + 1> prev{}, cur{};
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = 0;
        for (std::size_t j = 1; j <= m; ++j) {
            cur[j] = val(a[i - 1]) == val(b[j - 1]) ? static_cast<std::uint16_t>(prev[j - 1] + 1)
                                                    : std::max(prev[j], cur[j - 1]);
        }
        prev = cur;
    }
    return prev[m];
}

// ---------------------------------------------------------------------------------------------
// Channels: postings with BM25F weights

struct Posting {
    std::uint32_t entry;
    float weight;
};

struct Channel {
    struct Term {
        float idf = 0;
        std::uint32_t begin = 0, end = 0;
    };
    std::unordered_map<std::uint64_t, Term> terms;
    std::vector<Posting> postings;
    float unknown_idf = 0;

    const Term* Find(std::uint64_t key) const {
        auto it = terms.find(key);
        return it == terms.end() ? nullptr : &it->second;
    }
    float Idf(std::uint64_t key) const {
        const Term* t = Find(key);
        return t != nullptr ? t->idf : unknown_idf;
    }
};

struct FieldParams {
    double weight_question = 1.0, weight_tags = 1.6, weight_answer = 0.25;
    double b_question = 0.6, b_tags = 0.3, b_answer = 0.75;
    double k1 = 1.2;
};

// Per-entry term counts by field, for building a channel.
struct FieldTerms {
    std::unordered_map<std::uint64_t, std::uint32_t> question, tags, answer;
    std::size_t len_question = 0, len_tags = 0, len_answer = 0;
};

Channel BuildChannel(const std::vector<FieldTerms>& docs, const FieldParams& p) {
    Channel ch;
    double n = static_cast<double>(docs.size());
    double avg_q = 0, avg_t = 0, avg_a = 0;
    std::unordered_map<std::uint64_t, std::uint32_t> df;
    for (const auto& d : docs) {
        avg_q += static_cast<double>(d.len_question);
        avg_t += static_cast<double>(d.len_tags);
        avg_a += static_cast<double>(d.len_answer);
        std::unordered_set<std::uint64_t> seen;
        for (const auto* field : {&d.question, &d.tags, &d.answer}) {
            for (const auto& [k, c] : *field) {
                if (seen.insert(k).second) ++df[k];
            }
        }
    }
    if (n > 0) {
        avg_q = std::max(1.0, avg_q / n);
        avg_t = std::max(1.0, avg_t / n);
        avg_a = std::max(1.0, avg_a / n);
    }
    std::unordered_map<std::uint64_t, std::vector<Posting>> lists;
    for (std::uint32_t e = 0; e < docs.size(); ++e) {
        const auto& d = docs[e];
        double nq = 1 - p.b_question + p.b_question * static_cast<double>(d.len_question) / avg_q;
        double nt = 1 - p.b_tags + p.b_tags * static_cast<double>(d.len_tags) / avg_t;
        double na = 1 - p.b_answer + p.b_answer * static_cast<double>(d.len_answer) / avg_a;
        std::unordered_map<std::uint64_t, double> tf;
        for (const auto& [k, c] : d.question) tf[k] += p.weight_question * c / nq;
        for (const auto& [k, c] : d.tags) tf[k] += p.weight_tags * c / nt;
        for (const auto& [k, c] : d.answer) tf[k] += p.weight_answer * c / na;
        for (const auto& [k, t] : tf) {
            double f = static_cast<double>(df[k]);
            double idf = std::log(1 + (n - f + 0.5) / (f + 0.5));
            lists[k].push_back({e, static_cast<float>(idf * t * (p.k1 + 1) / (p.k1 + t))});
        }
    }
    for (auto& [k, list] : lists) {
        double f = static_cast<double>(df[k]);
        Channel::Term term;
        term.idf = static_cast<float>(std::log(1 + (n - f + 0.5) / (f + 0.5)));
        term.begin = static_cast<std::uint32_t>(ch.postings.size());
        ch.postings.insert(ch.postings.end(), list.begin(), list.end());
        term.end = static_cast<std::uint32_t>(ch.postings.size());
        ch.terms.emplace(k, term);
    }
    ch.unknown_idf = static_cast<float>(std::log(1 + (n + 0.5) / 0.5));
    return ch;
}

// ---------------------------------------------------------------------------------------------
// The re-ranker

const std::vector<std::string> kFeatureNames = {
    "char_bm25",  "char_rel",    "py_bm25",   "py_rel",    "cov_qt",      "cov_all",   "cov_bi_qt",
    "cov_py_qt",  "cov_py_all",  "cov_entry", "edit_char", "edit_py",     "lcs_query", "lcs_entry",
    "rare_qt",    "rare_all",    "unknown",   "unknown_py", "query_len",  "rank_char", "rank_py",
    "foreign",
};

// Neighbouring public services that a social-insurance archives centre does not handle (a general
// domain resource, docs/kb-matcher.md): a query naming one of them that the candidate entry does
// not mention is probably out of scope. Normalised like questions at Build time.
const std::vector<std::string_view> kNeighbourServices = {
    "公积金", "住房公积金", "贷款", "房贷", "提取", "医保", "医疗保险", "报销", "就医", "住院", "门诊",
    "异地就医", "医保卡", "挂失", "社保卡挂失", "社保卡补办", "社保卡激活", "社保卡密码", "银行卡",
    "发放账户", "工伤认定", "工伤待遇", "伤残鉴定", "劳动能力鉴定", "失业保险金", "失业金", "失业登记",
    "生育保险", "生育津贴", "产假", "养老金调整", "养老金计算", "待遇调整", "涨多少", "领多少",
    "个税", "个人所得税", "税务", "纳税", "户口", "落户", "户籍迁移", "身份证办理", "驾驶证", "驾照",
    "护照", "签证", "港澳通行证", "婚姻登记", "结婚证", "离婚", "民政局", "不动产", "房产证", "营业执照",
    "低保", "残疾证", "出生证明", "准生证", "疫苗", "学籍", "入学", "招聘", "求职", "培训补贴",
    "劳动仲裁", "欠薪", "违章", "车辆", "罚款", "天气", "股票", "基金", "火车票", "高铁票", "机票",
    "笑话", "菜谱", "怎么做菜", "彩票", "快递公司", "水电费", "燃气", "话费",
};

// Confidence that the ranker's first candidate is right: features of the query's top candidates.
const std::vector<std::string> kTopFeatures = {"cov_qt",    "cov_all",   "cov_py_all", "rare_qt",
                                               "rare_all",  "edit_char", "lcs_query",  "cov_entry",
                                               "char_bm25", "py_bm25",   "unknown",    "unknown_py",
                                               "foreign"};

std::vector<std::string> ConfidenceNames() {
    std::vector<std::string> names{"p1", "margin"};
    for (const auto& n : kTopFeatures) names.push_back("top_" + n);
    return names;
}

std::size_t FeatureIndex(std::string_view name) {
    for (std::size_t i = 0; i < kFeatureNames.size(); ++i) {
        if (kFeatureNames[i] == name) return i;
    }
    throw std::logic_error("unknown matcher feature");
}

// Stage 1 ranks the candidates by a linear score z (trained as a softmax over each question's
// candidates); stage 2 is a logistic model of "the first candidate is right" over the softmax
// probability p1, the margin z1 − z2 and the first candidate's features. A candidate's score is
// confidence × p_i / p_1, so the first one's score is the confidence itself.
struct Reranker {
    std::vector<double> weights;             // by kFeatureNames
    std::vector<double> confidence_weights;  // by ConfidenceNames()
    double confidence_bias = 0;
    double t_none = 0.3, t_answer = 0.6, t_gap = 0.15;
    std::size_t candidates = 30;
    FieldParams fields;
};

Reranker DefaultReranker() {
    Reranker r;
    r.weights.assign(kFeatureNames.size(), 0.0);
    r.weights[FeatureIndex("char_bm25")] = 8.0;
    r.weights[FeatureIndex("py_bm25")] = 4.0;
    r.weights[FeatureIndex("cov_entry")] = 2.0;
    r.confidence_weights.assign(ConfidenceNames().size(), 0.0);
    r.confidence_weights[0] = 3.0;                                  // p1
    r.confidence_weights[2 + 1] = 3.0;                              // top_cov_all
    r.confidence_weights[2 + 7] = 3.0;                              // top_cov_entry
    r.confidence_bias = -4.0;
    return r;
}

Reranker LoadReranker(std::string_view json_text) {
    Reranker r = DefaultReranker();
    nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
    if (!j.is_object()) return r;
    r.t_none = j.value("t_none", r.t_none);
    r.t_answer = j.value("t_answer", r.t_answer);
    r.t_gap = j.value("t_gap", r.t_gap);
    r.candidates = j.value("candidates", r.candidates);
    if (j.contains("fields") && j["fields"].is_object()) {
        const auto& f = j["fields"];
        r.fields.weight_question = f.value("weight_question", r.fields.weight_question);
        r.fields.weight_tags = f.value("weight_tags", r.fields.weight_tags);
        r.fields.weight_answer = f.value("weight_answer", r.fields.weight_answer);
        r.fields.b_question = f.value("b_question", r.fields.b_question);
        r.fields.b_tags = f.value("b_tags", r.fields.b_tags);
        r.fields.b_answer = f.value("b_answer", r.fields.b_answer);
        r.fields.k1 = f.value("k1", r.fields.k1);
    }
    if (!j.contains("weights") || !j["weights"].is_object()) return r;
    const auto& w = j["weights"];
    for (std::size_t i = 0; i < kFeatureNames.size(); ++i) r.weights[i] = w.value(kFeatureNames[i], 0.0);
    if (j.contains("confidence") && j["confidence"].is_object()) {
        const auto& c = j["confidence"];
        auto names = ConfidenceNames();
        if (c.contains("weights") && c["weights"].is_object()) {
            for (std::size_t i = 0; i < names.size(); ++i) r.confidence_weights[i] = c["weights"].value(names[i], 0.0);
        }
        r.confidence_bias = c.value("bias", r.confidence_bias);
    }
    return r;
}

const Reranker& ShippedReranker() {
    static const Reranker r = LoadReranker(RerankerJson());
    return r;
}

struct EntryData {
    std::vector<std::vector<Unit>> variants;      // the question and the similar questions
    std::vector<std::uint64_t> qt_char, all_char;  // sorted distinct terms: question+similar+tags, and all fields
    std::vector<std::uint64_t> qt_py, all_py;
    std::vector<std::vector<TermCount>> variant_terms;  // char terms of each variant
    std::vector<std::vector<double>> variant_idf;       // and their idf
};

bool Has(const std::vector<std::uint64_t>& sorted, std::uint64_t key) {
    return std::binary_search(sorted.begin(), sorted.end(), key);
}

template <typename Map>
std::vector<std::uint64_t> SortedKeys(const Map& m) {
    std::vector<std::uint64_t> keys;
    keys.reserve(m.size());
    for (const auto& kv : m) keys.push_back(kv.first);
    std::sort(keys.begin(), keys.end());
    return keys;
}

}  // namespace

Lexicon ParseLexicon(std::string_view text) {
    Lexicon lex;
    bool stop = false;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        if (line.empty() || line.front() == '#') continue;
        if (line == "[stop]") {
            stop = true;
            continue;
        }
        if (line == "[synonyms]") {
            stop = false;
            continue;
        }
        auto terms = SplitTerms(line);
        if (terms.empty()) continue;
        if (stop) {
            lex.stop_phrases.insert(lex.stop_phrases.end(), terms.begin(), terms.end());
        } else if (terms.size() >= 2) {
            lex.synonyms.push_back(std::move(terms));
        }
        if (end == text.size()) break;
    }
    return lex;
}

Lexicon DefaultLexicon() {
    static const Lexicon lexicon = ParseLexicon(DefaultLexiconText());
    return lexicon;
}

struct Matcher::Impl {
    std::vector<KbEntry> entries;
    Normaliser normaliser;
    Reranker reranker;
    Channel chars, pinyin;
    std::vector<EntryData> data;
    std::vector<std::vector<std::uint64_t>> neighbours;  // char terms of each kNeighbourServices phrase

    explicit Impl(const Lexicon& lexicon) : normaliser(lexicon), reranker(ShippedReranker()) {}

    struct Scored {
        std::uint32_t entry;
        std::vector<double> features;
        double score;
    };
    std::vector<Scored> Rank(const std::vector<Unit>& units, const Filter& allowed) const;
};

Matcher::Matcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Matcher::~Matcher() = default;

const std::vector<std::string>& Matcher::FeatureNames() { return kFeatureNames; }

std::shared_ptr<const Matcher> Matcher::Build(std::vector<KbEntry> entries, Lexicon lexicon) {
    auto impl = std::make_unique<Impl>(lexicon);
    std::vector<FieldTerms> char_docs(entries.size()), py_docs(entries.size());
    impl->data.resize(entries.size());
    for (std::size_t e = 0; e < entries.size(); ++e) {
        const KbEntry& entry = entries[e];
        EntryData& d = impl->data[e];
        FieldTerms& cd = char_docs[e];
        FieldTerms& pd = py_docs[e];
        std::vector<std::string> questions{entry.question};
        questions.insert(questions.end(), entry.similar.begin(), entry.similar.end());
        for (const auto& q : questions) {
            auto units = Units(impl->normaliser.Normalise(q));
            if (units.empty()) continue;
            for (const auto& [k, c] : TermMap<false>(units)) cd.question[k] += c;
            for (const auto& [k, c] : TermMap<true>(units)) pd.question[k] += c;
            cd.len_question += units.size();
            d.variant_terms.push_back(Terms<false>(units));
            d.variants.push_back(std::move(units));
        }
        pd.len_question = cd.len_question;
        std::vector<std::string> tags = entry.tags;
        if (!entry.category.empty()) tags.push_back(entry.category);
        for (const auto& tag : tags) {
            auto units = Units(impl->normaliser.Normalise(tag));
            for (const auto& [k, c] : TermMap<false>(units)) cd.tags[k] += c;
            for (const auto& [k, c] : TermMap<true>(units)) pd.tags[k] += c;
            cd.len_tags += units.size();
        }
        pd.len_tags = cd.len_tags;
        auto answer = Units(impl->normaliser.Normalise(entry.answer));
        cd.answer = TermMap<false>(answer);
        pd.answer = TermMap<true>(answer);
        cd.len_answer = pd.len_answer = answer.size();

        auto merge = [](const FieldTerms& f, bool all) {
            std::unordered_map<std::uint64_t, std::uint32_t> m = f.question;
            for (const auto& [k, c] : f.tags) m[k] += c;
            if (all) {
                for (const auto& [k, c] : f.answer) m[k] += c;
            }
            return SortedKeys(m);
        };
        d.qt_char = merge(cd, false);
        d.all_char = merge(cd, true);
        d.qt_py = merge(pd, false);
        d.all_py = merge(pd, true);
    }
    impl->chars = BuildChannel(char_docs, impl->reranker.fields);
    impl->pinyin = BuildChannel(py_docs, impl->reranker.fields);
    for (auto& d : impl->data) {
        for (const auto& terms : d.variant_terms) {
            std::vector<double> idf;
            for (const auto& t : terms) idf.push_back(impl->chars.Idf(t.key));
            d.variant_idf.push_back(std::move(idf));
        }
    }
    for (auto phrase : kNeighbourServices) {
        auto units = Units(impl->normaliser.Normalise(phrase));
        if (units.empty()) continue;
        std::vector<std::uint64_t> keys;
        for (const auto& t : Terms<false>(units)) keys.push_back(t.key);
        impl->neighbours.push_back(std::move(keys));
    }
    impl->entries = std::move(entries);
    return std::shared_ptr<const Matcher>(new Matcher(std::move(impl)));
}

std::vector<Matcher::Impl::Scored> Matcher::Impl::Rank(const std::vector<Unit>& units, const Filter& allowed) const {
    std::vector<Scored> out;
    if (units.empty() || entries.empty()) return out;
    auto q_char = Terms<false>(units);
    auto q_py = Terms<true>(units);

    // Retrieval: accumulate each channel's BM25F scores over the postings of the query's terms.
    struct Hit {
        float chars = 0, pinyin = 0;
    };
    // Dense accumulators (one allocation per call; work is proportional to the postings visited).
    std::vector<Hit> hits(entries.size());
    std::vector<std::uint32_t> touched;
    touched.reserve(256);
    std::vector<std::uint8_t> seen(entries.size(), 0);
    double idf_char = 0, idf_py = 0;
    auto visit = [&](const Channel& channel, const Channel::Term& term, float Hit::*field) {
        for (std::uint32_t i = term.begin; i < term.end; ++i) {
            const Posting& p = channel.postings[i];
            if (seen[p.entry] == 0) {
                seen[p.entry] = 1;
                touched.push_back(p.entry);
            }
            hits[p.entry].*field += p.weight;
        }
    };
    // In a large base, a term found in over a tenth of the entries adds little to any score but
    // costs a long postings list: it is left out of retrieval (the features still count it).
    std::size_t longest_list = std::max<std::size_t>(1000, entries.size() / 10);
    auto worth = [&](const Channel::Term& term) { return term.end - term.begin <= longest_list; };
    for (const auto& t : q_char) {
        const Channel::Term* term = chars.Find(t.key);
        idf_char += term != nullptr ? term->idf : chars.unknown_idf;
        if (term != nullptr && worth(*term)) visit(chars, *term, &Hit::chars);
    }
    for (const auto& t : q_py) {
        const Channel::Term* term = pinyin.Find(t.key);
        idf_py += term != nullptr ? term->idf : pinyin.unknown_idf;
        if (term != nullptr && worth(*term)) visit(pinyin, *term, &Hit::pinyin);
    }
    std::vector<std::pair<std::uint32_t, Hit>> pool;
    pool.reserve(touched.size());
    for (std::uint32_t e : touched) {
        if (allowed && !allowed(entries[e].id)) continue;
        pool.emplace_back(e, hits[e]);
    }
    if (pool.empty()) return out;

    // Candidates: the union of each channel's best.
    std::size_t m = std::min(reranker.candidates, pool.size());
    std::unordered_map<std::uint32_t, std::pair<std::size_t, std::size_t>> ranks;  // entry → (char rank, py rank)
    auto by_chars = [](const auto& a, const auto& b) {
        return a.second.chars != b.second.chars ? a.second.chars > b.second.chars : a.first < b.first;
    };
    auto by_pinyin = [](const auto& a, const auto& b) {
        return a.second.pinyin != b.second.pinyin ? a.second.pinyin > b.second.pinyin : a.first < b.first;
    };
    std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(m), pool.end(), by_chars);
    double top_char = std::max(1e-9f, pool[0].second.chars);
    for (std::size_t i = 0; i < m; ++i) ranks[pool[i].first] = {i, m + 10};
    std::partial_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(m), pool.end(), by_pinyin);
    double top_py = std::max(1e-9f, pool[0].second.pinyin);
    for (std::size_t i = 0; i < m; ++i) {
        auto [it, inserted] = ranks.try_emplace(pool[i].first, std::pair<std::size_t, std::size_t>{m + 10, i});
        if (!inserted) it->second.second = i;
    }

    // Query-level quantities.
    double idf_uni = 0, unknown_uni = 0, idf_py_uni = 0, unknown_py_uni = 0, idf_bi = 0;
    std::vector<std::pair<double, std::uint64_t>> rare;  // (idf, key) of the query's unigrams
    for (const auto& t : q_char) {
        double idf = chars.Idf(t.key);
        if (t.bigram) {
            idf_bi += idf;
            continue;
        }
        idf_uni += idf;
        if (chars.Find(t.key) == nullptr) unknown_uni += idf;
        rare.emplace_back(idf, t.key);
    }
    for (const auto& t : q_py) {
        if (t.bigram) continue;
        double idf = pinyin.Idf(t.key);
        idf_py_uni += idf;
        if (pinyin.Find(t.key) == nullptr) unknown_py_uni += idf;
    }
    std::vector<double> idf_q_char, idf_q_py;
    for (const auto& t : q_char) idf_q_char.push_back(chars.Idf(t.key));
    for (const auto& t : q_py) idf_q_py.push_back(pinyin.Idf(t.key));
    std::vector<std::uint64_t> q_keys;
    for (const auto& t : q_char) q_keys.push_back(t.key);
    std::sort(q_keys.begin(), q_keys.end());
    std::vector<const std::vector<std::uint64_t>*> named;  // neighbouring services the query names
    for (const auto& keys : neighbours) {
        if (std::all_of(keys.begin(), keys.end(), [&](std::uint64_t k) { return Has(q_keys, k); })) {
            named.push_back(&keys);
        }
    }
    std::sort(rare.begin(), rare.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (rare.size() > 3) rare.resize(3);
    double rare_total = 0;
    for (const auto& r : rare) rare_total += r.first;
    auto ratio = [](double a, double b) { return b > 0 ? a / b : 0.0; };
    auto ch_val = [](const Unit& u) { return u.ch; };
    auto py_val = [](const Unit& u) { return u.py; };

    for (const auto& [e, rank] : ranks) {
        const Hit& h = hits[e];
        const EntryData& d = data[e];
        std::vector<double> f(kFeatureNames.size(), 0.0);
        f[0] = ratio(h.chars, idf_char);
        f[1] = h.chars / top_char;
        f[2] = ratio(h.pinyin, idf_py);
        f[3] = h.pinyin / top_py;
        double qt = 0, all = 0, bi_qt = 0;
        for (std::size_t ti = 0; ti < q_char.size(); ++ti) {
            const auto& t = q_char[ti];
            double idf = idf_q_char[ti];
            if (Has(d.qt_char, t.key)) {
                qt += idf;
                if (t.bigram) bi_qt += idf;
            }
            if (Has(d.all_char, t.key)) all += idf;
        }
        f[4] = ratio(qt, idf_char);
        f[5] = ratio(all, idf_char);
        f[6] = ratio(bi_qt, idf_bi);
        double py_qt = 0, py_all = 0;
        for (std::size_t ti = 0; ti < q_py.size(); ++ti) {
            const auto& t = q_py[ti];
            double idf = idf_q_py[ti];
            if (Has(d.qt_py, t.key)) py_qt += idf;
            if (Has(d.all_py, t.key)) py_all += idf;
        }
        f[7] = ratio(py_qt, idf_py);
        f[8] = ratio(py_all, idf_py);
        double cov_entry = 0, edit_char = 0, edit_py = 0, lcs_q = 0, lcs_e = 0;
        for (std::size_t v = 0; v < d.variants.size(); ++v) {
            const auto& var = d.variants[v];
            double covered = 0, total = 0;
            for (std::size_t ti = 0; ti < d.variant_terms[v].size(); ++ti) {
                double idf = d.variant_idf[v][ti];
                total += idf;
                if (Has(q_keys, d.variant_terms[v][ti].key)) covered += idf;
            }
            cov_entry = std::max(cov_entry, ratio(covered, total));
            double longest = static_cast<double>(std::max(var.size(), units.size()));
            edit_char = std::max(edit_char, 1 - static_cast<double>(EditDistance(units, var, ch_val)) / longest);
            edit_py = std::max(edit_py, 1 - static_cast<double>(EditDistance(units, var, py_val)) / longest);
            double lcs = static_cast<double>(Lcs(units, var, ch_val));
            lcs_q = std::max(lcs_q, lcs / static_cast<double>(units.size()));
            lcs_e = std::max(lcs_e, lcs / static_cast<double>(var.size()));
        }
        f[9] = cov_entry;
        f[10] = edit_char;
        f[11] = edit_py;
        f[12] = lcs_q;
        f[13] = lcs_e;
        double rare_qt = 0, rare_all = 0;
        for (const auto& [idf, key] : rare) {
            if (Has(d.qt_char, key)) rare_qt += idf;
            if (Has(d.all_char, key)) rare_all += idf;
        }
        f[14] = ratio(rare_qt, rare_total);
        f[15] = ratio(rare_all, rare_total);
        f[16] = ratio(unknown_uni, idf_uni);
        f[17] = ratio(unknown_py_uni, idf_py_uni);
        f[18] = std::min(1.0, static_cast<double>(units.size()) / 20.0);
        f[19] = 1.0 / (1.0 + static_cast<double>(rank.first));
        f[20] = 1.0 / (1.0 + static_cast<double>(rank.second));
        for (const auto* keys : named) {
            if (!std::all_of(keys->begin(), keys->end(), [&](std::uint64_t k) { return Has(d.all_char, k); })) {
                f[21] = 1.0;
                break;
            }
        }
        double z = 0;
        for (std::size_t i = 0; i < f.size(); ++i) z += reranker.weights[i] * f[i];
        out.push_back({e, std::move(f), z});
    }
    std::sort(out.begin(), out.end(), [](const Scored& a, const Scored& b) {
        return a.score != b.score ? a.score > b.score : a.entry < b.entry;
    });
    // Softmax shares, then the confidence of the first.
    double z1 = out[0].score;
    double total = 0;
    for (const auto& s : out) total += std::exp(s.score - z1);
    double p1 = 1.0 / total;
    double margin = out.size() > 1 ? std::min(10.0, z1 - out[1].score) : 10.0;
    std::vector<double> c{p1, margin};
    for (const auto& name : kTopFeatures) c.push_back(out[0].features[FeatureIndex(name)]);
    double y = reranker.confidence_bias;
    for (std::size_t i = 0; i < c.size(); ++i) y += reranker.confidence_weights[i] * c[i];
    double confidence = 1.0 / (1.0 + std::exp(-y));
    for (auto& s : out) s.score = confidence * std::exp(s.score - z1);
    return out;
}

MatchResult Matcher::Find(std::string_view question, std::size_t k, const Filter& allowed) const {
    MatchResult r;
    std::u32string norm = impl_->normaliser.Normalise(question);
    r.normalised = Normaliser::ToUtf8(norm);
    auto ranked = impl_->Rank(Units(norm), allowed);
    for (std::size_t i = 0; i < ranked.size() && i < k; ++i) {
        r.top.push_back({impl_->entries[ranked[i].entry].id, ranked[i].score});
    }
    if (ranked.empty()) return r;
    const Reranker& rr = impl_->reranker;
    double s1 = ranked[0].score;
    double s2 = ranked.size() > 1 ? ranked[1].score : 0.0;
    if (s1 < rr.t_none) {
        r.verdict = Verdict::kNone;
    } else if (s1 >= rr.t_answer && s1 - s2 >= rr.t_gap) {
        r.verdict = Verdict::kAnswer;
    } else {
        r.verdict = Verdict::kUnsure;
    }
    return r;
}

std::vector<Matcher::Explained> Matcher::Explain(std::string_view question) const {
    std::vector<Explained> out;
    auto ranked = impl_->Rank(Units(impl_->normaliser.Normalise(question)), {});
    for (auto& s : ranked) out.push_back({impl_->entries[s.entry].id, std::move(s.features), s.score});
    return out;
}

std::size_t Matcher::size() const { return impl_->entries.size(); }

}  // namespace dangan::kb
