#include "kb/normalise.hpp"

#include <unicode/uchar.h>

#include <algorithm>

#include "core/text.hpp"

namespace dangan::kb {
namespace {

int DigitValue(char32_t c) {
    switch (c) {
        case U'零': case U'〇': return 0;
        case U'一': return 1;
        case U'二': case U'两': return 2;
        case U'三': return 3;
        case U'四': return 4;
        case U'五': return 5;
        case U'六': return 6;
        case U'七': return 7;
        case U'八': return 8;
        case U'九': return 9;
        default: return -1;
    }
}

int UnitValue(char32_t c) {
    switch (c) {
        case U'十': return 10;
        case U'百': return 100;
        case U'千': return 1000;
        case U'万': return 10000;
        default: return 0;
    }
}

bool IsNumeral(char32_t c) { return DigitValue(c) >= 0 || UnitValue(c) > 0; }

// Characters that make a lone numeral before them a number: "三天", "两个", "五年".
bool IsCounter(char32_t c) {
    static constexpr std::u32string_view kCounters = U"个年月日天号岁次份张元块页件位项周星期小秒倍名人";
    return kCounters.find(c) != std::u32string_view::npos;
}

// The value of a run with 十/百/千/万 ("三十五" → 35, "十" → 10, "一百零八" → 108).
long long PositionalValue(std::u32string_view run) {
    long long total = 0, section = 0, digit = 0;
    for (char32_t c : run) {
        int d = DigitValue(c);
        if (d >= 0) {
            digit = d;
            continue;
        }
        int unit = UnitValue(c);
        if (unit == 10000) {
            total += (section + digit) * 10000;
            section = 0;
        } else {
            section += (digit == 0 ? 1 : digit) * unit;
        }
        digit = 0;
    }
    return total + section + digit;
}

std::u32string Digits(std::string_view ascii) { return std::u32string(ascii.begin(), ascii.end()); }

}  // namespace

bool IsWordChar(char32_t c) {
    if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (c >= 0x3000 && c <= 0x303F) return false;  // CJK punctuation
    if (c >= 0xFF00 && c <= 0xFFEF) return false;  // remaining full-width forms
    return u_isalnum(static_cast<UChar32>(c)) != 0;
}

std::u32string ConvertNumerals(std::u32string_view text) {
    std::u32string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (!IsNumeral(text[i])) {
            out.push_back(text[i++]);
            continue;
        }
        std::size_t j = i;
        while (j < text.size() && IsNumeral(text[j])) ++j;
        std::u32string_view run = text.substr(i, j - i);
        char32_t next = j < text.size() ? text[j] : U'\0';
        bool positional = std::any_of(run.begin(), run.end(), [](char32_t c) { return UnitValue(c) > 0; });
        bool plain = !positional;
        bool convert = false;
        if (positional) {
            // "万" alone or "十" alone inside words (十分, 万一) are not numbers.
            convert = run.size() >= 2 || (run == U"十" && (IsCounter(next) || next == U'\0'));
        } else if (run.size() >= 3) {
            convert = true;  // 一九八五
        } else {
            convert = IsCounter(next) && run != U"一";  // 两个, 五年, 九二年; 一个/一次 stay words
            if (run.size() == 2 && next == U'年') convert = true;
        }
        if (!convert) {
            out.append(run);
        } else if (plain) {
            for (char32_t c : run) out.push_back(static_cast<char32_t>(U'0' + DigitValue(c)));
        } else {
            out += Digits(std::to_string(PositionalValue(run)));
        }
        i = j;
    }
    return out;
}

std::u32string Normaliser::FromUtf8(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        char32_t cp = 0;
        std::size_t n = 1;
        if (c < 0x80) {
            cp = c;
        } else if ((c >> 5) == 0x6 && i + 1 < s.size()) {
            cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            n = 2;
        } else if ((c >> 4) == 0xE && i + 2 < s.size()) {
            cp = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
            n = 3;
        } else if ((c >> 3) == 0x1E && i + 3 < s.size()) {
            cp = ((c & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
                 ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
            n = 4;
        } else {
            cp = 0xFFFD;
        }
        out.push_back(cp);
        i += n;
    }
    return out;
}

std::string Normaliser::ToUtf8(std::u32string_view text) {
    std::string out;
    out.reserve(text.size() * 3);
    for (char32_t c : text) {
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | (c >> 6)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | (c >> 12)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | (c >> 18)));
            out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

namespace {

// The basic form every text and every lexicon term goes through.
std::u32string Basic(std::string_view utf8) {
    std::u32string text = Normaliser::FromUtf8(core::NormalizeForMatch(utf8));
    for (char32_t& c : text) {
        if (!IsWordChar(c)) c = U' ';
    }
    return ConvertNumerals(text);
}

}  // namespace

Normaliser::Normaliser(const Lexicon& lexicon) {
    auto add = [this](const std::string& term, const std::u32string& to) {
        std::u32string key = Basic(term);
        std::erase(key, U' ');
        if (key.empty() || key == to) return;
        rewrites_.try_emplace(key, to);  // the first group naming a term wins
        longest_ = std::max(longest_, key.size());
    };
    for (const auto& stop : lexicon.stop_phrases) add(stop, U"");
    for (const auto& group : lexicon.synonyms) {
        if (group.empty()) continue;
        std::u32string canonical = Basic(group.front());
        std::erase(canonical, U' ');
        if (canonical.empty()) continue;
        // The canonical term maps to itself so that a longer term inside it does not split it.
        rewrites_.try_emplace(canonical, canonical);
        longest_ = std::max(longest_, canonical.size());
        for (std::size_t i = 1; i < group.size(); ++i) add(group[i], canonical);
    }
}

std::u32string Normaliser::Normalise(std::string_view utf8) const {
    std::u32string text = Basic(utf8);
    std::u32string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        bool matched = false;
        if (text[i] != U' ') {
            std::size_t max_len = std::min(longest_, text.size() - i);
            for (std::size_t len = max_len; len >= 1; --len) {
                auto it = rewrites_.find(std::u32string(text.substr(i, len)));
                if (it == rewrites_.end()) continue;
                out += it->second;
                if (it->second.empty() && !out.empty() && out.back() != U' ') out.push_back(U' ');
                i += len;
                matched = true;
                break;
            }
        }
        if (!matched) out.push_back(text[i++]);
    }
    // Collapse separators.
    std::u32string result;
    result.reserve(out.size());
    for (char32_t c : out) {
        if (c == U' ' && (result.empty() || result.back() == U' ')) continue;
        result.push_back(c);
    }
    while (!result.empty() && result.back() == U' ') result.pop_back();
    return result;
}

}  // namespace dangan::kb
