#include "core/text.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <opencc/Exception.hpp>
#include <opencc/SimpleConverter.hpp>
#include <stdexcept>
#include <string>

namespace dangan::core {
namespace {

constexpr const char* kDebianT2sConfig = "/usr/share/opencc/t2s.json";

// ICU and OpenCC index with int32_t; larger inputs are a caller bug, not something to truncate.
int32_t CheckedLength(std::string_view s) {
    if (s.size() > static_cast<std::size_t>(std::numeric_limits<int32_t>::max())) {
        throw std::length_error("text longer than 2 GiB");
    }
    return static_cast<int32_t>(s.size());
}

// Appends code point `c` to `out` as UTF-8.
void AppendUtf8(std::string& out, UChar32 c) {
    char buf[U8_MAX_LENGTH];
    int32_t len = 0;
    U8_APPEND_UNSAFE(buf, len, c);
    out.append(buf, static_cast<std::size_t>(len));
}

// Calls fn(code_point) for every code point of `s`, ill-formed sequences reported as U+FFFD.
template <typename Fn>
void ForEachCodePoint(std::string_view s, Fn&& fn) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const int32_t length = CheckedLength(s);
    int32_t i = 0;
    while (i < length) {
        UChar32 c = 0;
        U8_NEXT_OR_FFFD(p, i, length, c);
        fn(c);
    }
}

bool IsWellFormedUtf8(std::string_view s) {
    const auto* p = reinterpret_cast<const uint8_t*>(s.data());
    const int32_t length = CheckedLength(s);
    int32_t i = 0;
    while (i < length) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        UChar32 c = 0;
        U8_NEXT(p, i, length, c);
        if (c < 0) {
            return false;
        }
    }
    return true;
}

// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD.
std::string WellFormed(std::string_view s) {
    if (IsWellFormedUtf8(s)) {
        return std::string(s);
    }
    std::string out;
    out.reserve(s.size() + 8);
    ForEachCodePoint(s, [&out](UChar32 c) { AppendUtf8(out, c); });
    return out;
}

// Built once; OpenCC's converter is immutable after loading and documented safe for concurrent
// Convert calls (BYVoid/OpenCC#231). Loading the dictionaries takes tens of milliseconds.
const opencc::SimpleConverter& T2sConverter() {
    static const std::unique_ptr<const opencc::SimpleConverter> converter = [] {
        std::string config = std::filesystem::exists(kDebianT2sConfig) ? kDebianT2sConfig : "t2s.json";
        try {
            return std::make_unique<const opencc::SimpleConverter>(config);
        } catch (const opencc::Exception& e) {
            throw std::runtime_error(std::string("cannot load OpenCC ") + config + ": " + e.what());
        }
    }();
    return *converter;
}

const icu::Normalizer2& NfkcNormalizer() {
    static const icu::Normalizer2* normalizer = [] {
        UErrorCode status = U_ZERO_ERROR;
        const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
        if (U_FAILURE(status) || n == nullptr) {
            throw std::runtime_error(std::string("cannot load ICU NFKC data: ") + u_errorName(status));
        }
        return n;
    }();
    return *normalizer;
}

// OpenCC stops at the first NUL byte, so each NUL-free piece is converted separately.
std::string ConvertKeepingNuls(const opencc::SimpleConverter& converter, std::string_view well_formed) {
    std::string out;
    out.reserve(well_formed.size());
    std::size_t start = 0;
    while (true) {
        std::size_t nul = well_formed.find('\0', start);
        std::string_view piece = well_formed.substr(start, nul == std::string_view::npos ? nul : nul - start);
        if (!piece.empty()) {
            try {
                out += converter.Convert(piece.data(), piece.size());
            } catch (const opencc::Exception& e) {
                throw std::runtime_error(std::string("OpenCC conversion failed: ") + e.what());
            }
        }
        if (nul == std::string_view::npos) {
            return out;
        }
        out.push_back('\0');
        start = nul + 1;
    }
}

bool IsWhiteSpace(UChar32 c) { return u_isUWhiteSpace(c) != 0; }

bool IsDefaultIgnorable(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) != 0; }

std::string WithoutDefaultIgnorables(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    ForEachCodePoint(s, [&out](UChar32 c) {
        if (!IsDefaultIgnorable(c)) {
            AppendUtf8(out, c);
        }
    });
    return out;
}

}  // namespace

Status LoadTextResources() {
    try {
        (void)T2sConverter();
        (void)NfkcNormalizer();
    } catch (const std::exception& e) {
        return MakeError(ErrorCode::kInternal,
                         std::string("中文文本处理组件加载失败，请检查 OpenCC 和 ICU 的安装：") + e.what(), {},
                         "text_resources_unavailable");
    }
    return Ok();
}

std::string ToSimplified(std::string_view utf8) { return ConvertKeepingNuls(T2sConverter(), WellFormed(utf8)); }

std::string Nfkc(std::string_view utf8) {
    const icu::Normalizer2& normalizer = NfkcNormalizer();
    // fromUTF8 turns ill-formed sequences into U+FFFD, as promised in the header.
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), CheckedLength(utf8)));
    UErrorCode status = U_ZERO_ERROR;
    if (normalizer.isNormalized(text, status) && U_SUCCESS(status)) {
        return WellFormed(utf8);
    }
    status = U_ZERO_ERROR;
    icu::UnicodeString normalized = normalizer.normalize(text, status);
    if (U_FAILURE(status)) {
        throw std::runtime_error(std::string("ICU NFKC normalisation failed: ") + u_errorName(status));
    }
    std::string out;
    normalized.toUTF8String(out);
    return out;
}

std::string FullWidthToHalfWidth(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    ForEachCodePoint(utf8, [&out](UChar32 c) {
        if (c >= 0xFF01 && c <= 0xFF5E) {
            out.push_back(static_cast<char>(c - 0xFEE0));
        } else if (c == 0x3000) {
            out.push_back(' ');
        } else {
            AppendUtf8(out, c);
        }
    });
    return out;
}

std::string NormalizeForMatch(std::string_view utf8) {
    // Ignorables go before NFKC too, so that "e", U+200B, U+0301 composes like "e", U+0301;
    // NFKC itself can produce a few (U+FFA0 → U+1160), which the final pass drops.
    std::string simplified = ToSimplified(FullWidthToHalfWidth(Nfkc(WithoutDefaultIgnorables(utf8))));
    std::string out;
    out.reserve(simplified.size());
    bool pending_space = false;
    ForEachCodePoint(simplified, [&](UChar32 c) {
        if (IsWhiteSpace(c)) {
            pending_space = !out.empty();
            return;
        }
        if (IsDefaultIgnorable(c)) {
            return;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        if (c >= 'A' && c <= 'Z') {
            out.push_back(static_cast<char>(c - 'A' + 'a'));
        } else {
            AppendUtf8(out, c);
        }
    });
    return out;
}

std::size_t CountCharacters(std::string_view utf8) {
    std::size_t n = 0;
    for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
    return n;
}

std::string_view TrimSpaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

}  // namespace dangan::core
