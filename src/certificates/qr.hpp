#pragma once

// QR codes: drawing one (libqrencode, error correction level Q) and reading one from a photo or
// a scan (Leptonica decodes the image, zbar finds the code).

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dangan::certificates {

struct QrMatrix {
    int size = 0;              // modules per side, without the quiet zone
    std::vector<bool> dark;    // row-major, size × size
    bool At(int x, int y) const { return dark[static_cast<std::size_t>(y * size + x)]; }
};

// The QR code of `text` at level Q (25 % of the symbol may be lost), in the smallest version
// that holds it; upper-case letters and digits use the alphanumeric mode. Throws only when
// libqrencode cannot allocate.
QrMatrix EncodeQr(std::string_view text);

// The image kinds an upload may be, from its first bytes (never from a name or a header).
enum class ImageKind { kNone, kPng, kJpeg };
ImageKind SniffImage(std::string_view bytes);

// The text of the first QR code found in a PNG or JPEG. Errors: 400 "invalid_image" (field
// "file") when it does not decode; 413 "image_too_large" over `max_pixels`; 422 "qr_not_found"
// when no QR code can be read (the message asks for a sharper, closer photo).
Result<std::string> ReadQr(std::string_view image, long max_pixels = 40'000'000);

}  // namespace dangan::certificates
