#pragma once

// The matcher's text normalisation (docs/kb-matcher.md): NFKC, full → half width, traditional →
// simplified, lower case (core::NormalizeForMatch), punctuation → separators, Chinese numerals →
// digits, stop phrases removed and synonyms rewritten to their group's first term (longest match
// first, one left-to-right pass). Immutable after construction; thread-safe.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "kb/matcher.hpp"

namespace dangan::kb {

class Normaliser {
public:
    explicit Normaliser(const Lexicon& lexicon);

    // The normalised text as code points; U' ' separates segments (where punctuation or spaces were).
    std::u32string Normalise(std::string_view utf8) const;

    static std::string ToUtf8(std::u32string_view text);
    static std::u32string FromUtf8(std::string_view utf8);

private:
    // Rewrites for the lexicon's terms (after the basic normalisation): canonical term, or "" to remove.
    std::unordered_map<std::u32string, std::u32string> rewrites_;
    std::size_t longest_ = 0;
};

// Chinese numerals → digits where they are clearly numbers: "三十个工作日" → "30个工作日",
// "一九八五年" → "1985年", "九二年" → "92年", "两个月" → "2个月"; "一直", "统一" stay. Exposed for tests.
std::u32string ConvertNumerals(std::u32string_view text);

// Whether the matcher treats `c` as part of a word (CJK ideographs, letters, digits).
bool IsWordChar(char32_t c);

}  // namespace dangan::kb
