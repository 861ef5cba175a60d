#include "bulk/encoding.hpp"

#include <unicode/ucnv.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <memory>

namespace dangan::bulk {

namespace {

Error Unsupported(std::string_view why) {
    return MakeError(ErrorCode::kInvalidArgument,
                     std::string(why) + "请在 Excel 或 WPS 中将文件另存为“CSV UTF-8（逗号分隔）”后再导入。", "",
                     "unsupported_encoding");
}

// GB18030 → UTF-8 through ICU, stopping at the first byte sequence GB18030 does not define.
Result<std::string> FromGb18030(std::string_view bytes) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open("GB18030", &status), &ucnv_close);
    if (U_FAILURE(status)) {
        return MakeError(ErrorCode::kInternal, "无法加载 GB18030 编码转换器", "", "converter_unavailable");
    }
    ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    std::unique_ptr<UConverter, decltype(&ucnv_close)> utf8(ucnv_open("UTF-8", &status), &ucnv_close);
    if (U_FAILURE(status)) {
        return MakeError(ErrorCode::kInternal, "无法加载 UTF-8 编码转换器", "", "converter_unavailable");
    }
    // A GB18030 character of up to 4 bytes becomes at most 4 bytes of UTF-8, and a 2-byte
    // one at most 3, so the output is never longer than twice the input (ASCII: the same).
    std::string out(bytes.size() * 2 + 16, '\0');
    char* target = out.data();
    const char* source = bytes.data();
    UChar pivot[1024];
    UChar* pivot_source = pivot;
    UChar* pivot_target = pivot;
    ucnv_convertEx(utf8.get(), conv.get(), &target, out.data() + out.size(), &source, bytes.data() + bytes.size(),
                   pivot, &pivot_source, &pivot_target, pivot + 1024, true, true, &status);
    if (U_FAILURE(status)) return Unsupported("文件既不是 UTF-8 编码，也不是 GBK/GB18030 编码，无法识别。");
    out.resize(static_cast<std::size_t>(target - out.data()));
    return out;
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const auto length = static_cast<std::int64_t>(bytes.size());
    for (std::int64_t i = 0; i < length;) {
        if (p[i] < 0x80) {  // ASCII: the common case, without ICU's macro
            ++i;
            continue;
        }
        UChar32 c = 0;
        std::int32_t at = 0;
        const std::int32_t left = static_cast<std::int32_t>(std::min<std::int64_t>(length - i, 4));
        U8_NEXT(p + i, at, left, c);
        if (c < 0) return false;
        i += at;
    }
    return true;
}

Result<DecodedText> DecodeToUtf8(std::string_view bytes) {
    if (bytes.find('\0') != std::string_view::npos) {
        return Unsupported("文件中含有空字符，可能是 UTF-16 编码或不是文本文件。");
    }
    if (bytes.starts_with("\xEF\xBB\xBF")) {
        bytes.remove_prefix(3);
        if (!IsValidUtf8(bytes)) return Unsupported("文件标明为 UTF-8 编码，但其中有无效的字节。");
        return DecodedText{std::string(bytes), "UTF-8 (BOM)"};
    }
    if (IsValidUtf8(bytes)) return DecodedText{std::string(bytes), "UTF-8"};
    auto converted = FromGb18030(bytes);
    if (!converted) return converted.error();
    return DecodedText{std::move(*converted), "GB18030"};
}

}  // namespace dangan::bulk
