#pragma once

// Chinese text normalisation for matching and validation: traditional → simplified (OpenCC),
// Unicode NFKC (ICU), full-width → half-width folding, and one combined key for fuzzy matching.
//
// Every function takes and returns UTF-8. Ill-formed UTF-8 is never passed through: each
// ill-formed sequence becomes U+FFFD. Embedded NUL bytes are ordinary characters. Input of 2 GiB
// or more is a caller bug and throws std::length_error.
// All functions are thread-safe and may be called concurrently; the OpenCC and ICU data are
// loaded once per process, on first use.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::core {

// Loads the OpenCC traditional→simplified tables (t2s.json, from /usr/share/opencc or OpenCC's own
// data directory) and ICU's normalisation data now rather than on first use. Call it at start-up:
// it fails (kInternal, reason "text_resources_unavailable") when the installation is broken, which
// later calls would report by throwing.
Status LoadTextResources();

// Traditional Chinese → simplified, phrase-aware (OpenCC t2s): "檔案在哪裡查詢" → "档案在哪里查询".
// Text that is already simplified, and non-Chinese text, comes back unchanged.
// Throws std::runtime_error only when the OpenCC data cannot be loaded (see LoadTextResources).
std::string ToSimplified(std::string_view utf8);

// Unicode Normalization Form KC: compatibility characters become their plain forms
// ("①" → "1", "㈠" → "(一)", "ｶ" → "カ", "ＡＢＣ" → "ABC", U+3000 → " ", "㎏" → "kg").
// Throws std::runtime_error only when ICU's normalisation data is missing.
std::string Nfkc(std::string_view utf8);

// The number of characters (code points) of UTF-8 text.
std::size_t CountCharacters(std::string_view utf8);

// `s` without leading and trailing spaces and tabs (a view into `s`).
std::string_view TrimSpaces(std::string_view s);

// Folds the full-width ASCII block U+FF01–U+FF5E ("！" … "～") to U+0021–U+007E and the
// ideographic space U+3000 to " "; every other character is kept as it is. Cheap; no tables.
std::string FullWidthToHalfWidth(std::string_view utf8);

// The key under which two user texts compare equal for matching purposes: NFKC, full → half width,
// traditional → simplified, ASCII letters lower-cased, default-ignorable characters (zero-width
// spaces, BOM, soft hyphen) removed, every run of white space collapsed to one " ", and no white
// space at either end. "  檔案 ＡＢＣ\t①\u200B " → "档案 abc 1". Idempotent. Throws like ToSimplified.
std::string NormalizeForMatch(std::string_view utf8);

}  // namespace dangan::core
