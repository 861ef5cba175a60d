#pragma once

// Toneless pinyin of Chinese characters for the matcher's homophone channel (docs/kb-matcher.md).
// The table is made once per process with ICU's "Han-Latin; Latin-ASCII" transliterator over the
// CJK blocks; a lookup afterwards is an array index. Thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

namespace dangan::kb {

// The syllable of `c` with the usual fuzzy pairs folded — zh→z, ch→c, sh→s, l→n, ang→an, eng→en,
// ing→in — so that homophones and near-homophones compare equal: 当 and 档 → "dan", 路 and 录 → "nu".
// Empty for a character that is not a Chinese character with a known reading.
std::string_view FuzzyPinyin(char32_t c);

// The same syllable as a small number (1…); 0 when FuzzyPinyin(c) is empty.
std::uint32_t FuzzyPinyinId(char32_t c);

// Folds one toneless ASCII syllable ("zhang" → "zan", "ling" → "nin"); exposed for the tests.
std::string FoldSyllable(std::string_view syllable);

}  // namespace dangan::kb

namespace dangan::kb {

// The source of src/kb/pinyin_table.inc, made with ICU (slow: seconds). `dangan kb pinyin-table`.
std::string GeneratePinyinTable(char32_t first = 0x4E00, char32_t last = 0x9FFF);

}  // namespace dangan::kb
