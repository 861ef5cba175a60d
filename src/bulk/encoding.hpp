#pragma once

// The text encoding of an imported file. Spreadsheets in China save CSV as UTF-8 (often with
// a byte-order mark) or as GBK, so: a UTF-8 BOM is removed; valid UTF-8 is taken as it is;
// anything else is read as GB18030 (a superset of GBK and GB2312) through ICU and converted
// to UTF-8; bytes that are neither are refused with a Chinese message. Text with NUL bytes
// (UTF-16 files) is refused too.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::bulk {

struct DecodedText {
    std::string utf8;
    std::string encoding;  // "UTF-8", "UTF-8 (BOM)" or "GB18030"
};

// kInvalidArgument (reason "unsupported_encoding") when the bytes are neither UTF-8 nor GB18030.
Result<DecodedText> DecodeToUtf8(std::string_view bytes);

// True when `bytes` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

}  // namespace dangan::bulk
