#include "certificates/qr.hpp"

#include <leptonica/allheaders.h>
#include <qrencode.h>
#include <zbar.h>

#include <memory>
#include <mutex>
#include <stdexcept>

namespace dangan::certificates {

namespace {

using namespace zbar;  // zbar.h puts its C API in namespace zbar when compiled as C++

struct PixFree {
    void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixFree>;

Error NotAnImage() {
    return MakeError(ErrorCode::kInvalidArgument, "无法识别该图片，请上传 JPEG 或 PNG 格式的照片", "file", "invalid_image");
}

// zbar on an 8-bit grey image: the first QR code's text, or "".
std::string Scan(PIX* grey) {
    const int w = pixGetWidth(grey);
    const int h = pixGetHeight(grey);
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h));
    const l_int32 wpl = pixGetWpl(grey);
    const l_uint32* data = pixGetData(grey);
    for (int y = 0; y < h; ++y) {
        const l_uint32* line = data + static_cast<std::ptrdiff_t>(y) * wpl;
        for (int x = 0; x < w; ++x) pixels[static_cast<std::size_t>(y) * w + x] = GET_DATA_BYTE(line, x);
    }
    std::unique_ptr<zbar_image_scanner_t, decltype(&zbar_image_scanner_destroy)> scanner(zbar_image_scanner_create(),
                                                                                         &zbar_image_scanner_destroy);
    zbar_image_scanner_set_config(scanner.get(), ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(scanner.get(), ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
    std::unique_ptr<zbar_image_t, decltype(&zbar_image_destroy)> image(zbar_image_create(), &zbar_image_destroy);
    zbar_image_set_format(image.get(), zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(image.get(), static_cast<unsigned>(w), static_cast<unsigned>(h));
    zbar_image_set_data(image.get(), pixels.data(), pixels.size(), nullptr);
    if (zbar_scan_image(scanner.get(), image.get()) <= 0) return "";
    for (const zbar_symbol_t* s = zbar_image_first_symbol(image.get()); s != nullptr; s = zbar_symbol_next(s)) {
        if (zbar_symbol_get_type(s) == ZBAR_QRCODE) {
            return std::string(zbar_symbol_get_data(s), zbar_symbol_get_data_length(s));
        }
    }
    return "";
}

}  // namespace

QrMatrix EncodeQr(std::string_view text) {
    const std::string s(text);
    std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(QRcode_encodeString(s.c_str(), 0, QR_ECLEVEL_Q, QR_MODE_8, 1),
                                                       &QRcode_free);
    if (!qr) throw std::runtime_error("libqrencode could not encode the certificate code");
    QrMatrix m;
    m.size = qr->width;
    m.dark.resize(static_cast<std::size_t>(m.size) * m.size);
    for (std::size_t i = 0; i < m.dark.size(); ++i) m.dark[i] = (qr->data[i] & 1) != 0;
    return m;
}

ImageKind SniffImage(std::string_view b) {
    if (b.size() >= 8 && b.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return ImageKind::kPng;
    if (b.size() >= 3 && b.substr(0, 3) == "\xff\xd8\xff") return ImageKind::kJpeg;
    return ImageKind::kNone;
}

Result<std::string> ReadQr(std::string_view bytes, long max_pixels) {
    static std::once_flag quiet;
    std::call_once(quiet, [] { setMsgSeverity(L_SEVERITY_NONE); });
    if (SniffImage(bytes) == ImageKind::kNone) return NotAnImage();
    const auto* data = reinterpret_cast<const l_uint8*>(bytes.data());
    l_int32 format = 0, w = 0, h = 0, bps = 0, spp = 0, cmap = 0;
    if (pixReadHeaderMem(data, bytes.size(), &format, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0) {
        return NotAnImage();
    }
    if (static_cast<long>(w) * h > max_pixels) {
        return MakeError(ErrorCode::kPayloadTooLarge, "图片像素过多，请缩小后再上传", "file", "image_too_large");
    }
    PixPtr pix(pixReadMem(data, bytes.size()));
    if (!pix) return NotAnImage();
    PixPtr grey(pixConvertTo8(pix.get(), 0));
    if (!grey) return NotAnImage();
    std::string text = Scan(grey.get());
    // A large, soft photo often reads better smaller: try half size, then a quarter.
    for (float factor : {0.5f, 0.25f}) {
        if (!text.empty() || pixGetWidth(grey.get()) * factor < 300) break;
        PixPtr smaller(pixScaleGrayLI(grey.get(), factor, factor));
        if (smaller) text = Scan(smaller.get());
    }
    if (text.empty()) {
        return MakeError(ErrorCode::kUnprocessable, "图片中没有识别到二维码，请对准证明左下角的二维码，拍得清晰、完整一些再试",
                         "file", "qr_not_found");
    }
    return text;
}

}  // namespace dangan::certificates
