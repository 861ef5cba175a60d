#include "certificates/qr.hpp"

#include <gtest/gtest.h>
#include <leptonica/allheaders.h>

#include <cmath>
#include <memory>

#include "certificates/pdf.hpp"

namespace dangan::certificates {
namespace {

struct PixFree {
    void operator()(PIX* p) const { pixDestroy(&p); }
};
using PixPtr = std::unique_ptr<PIX, PixFree>;

const std::string kUrl =
    "https://dangan.example.cn/v/AEFDEMBSGYWTCMJNGI3TEMBSGYZDEMBRGAYDAMBQGAYDCNABGUUQOAJVJSIGVAT53N7GFQ65YPDJPCTZCALZR"
    "M67A7ERKBOP7L4Z3GZV7L6T4JW23UICLH46U6MZGFD42SQUC7IBAIUQAKRTP3663AVBE5RBNKLSA32JTTHYEWTO6VBNXWNG5VT4XZJXSSXTSBEOFG"
    "N5562AYTFXVNE3UBDJHJEAEOEODZ3RYGKPUPZ6HKA";

// The QR drawn as a grey image: `module` pixels a module, a white quiet zone of 4 modules.
PixPtr Draw(const QrMatrix& m, int module) {
    const int side = (m.size + 8) * module;
    PixPtr pix(pixCreate(side, side, 8));
    pixSetAllArbitrary(pix.get(), 255);
    for (int y = 0; y < m.size; ++y) {
        for (int x = 0; x < m.size; ++x) {
            if (!m.At(x, y)) continue;
            for (int dy = 0; dy < module; ++dy) {
                for (int dx = 0; dx < module; ++dx) pixSetPixel(pix.get(), (x + 4) * module + dx, (y + 4) * module + dy, 0);
            }
        }
    }
    return pix;
}

std::string Encode(PIX* pix, int format, int quality = 75) {
    l_uint8* data = nullptr;
    size_t size = 0;
    const int rc = format == IFF_JFIF_JPEG ? pixWriteMemJpeg(&data, &size, pix, quality, 0)
                                           : pixWriteMem(&data, &size, pix, format);
    EXPECT_EQ(rc, 0);
    std::string out(reinterpret_cast<const char*>(data), size);
    lept_free(data);
    return out;
}

TEST(Qr, ACertificateUrlFitsAtLevelQAndReadsBack) {
    const QrMatrix m = EncodeQr(kUrl);
    // Version ≤ 14 (73 modules): at 42 mm on paper a module is over 0.5 mm, six 300-dpi pixels.
    EXPECT_LE(m.size, 73);
    PixPtr pix = Draw(m, 6);
    auto text = ReadQr(Encode(pix.get(), IFF_PNG));
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(*text, kUrl);
}

TEST(Qr, APhotoLikeImageStillReads) {
    // Scaled down, turned by 7 degrees, blurred a little, noisy greys, JPEG at quality 40: what a
    // phone photo of the printed QR looks like.
    PixPtr pix = Draw(EncodeQr(kUrl), 8);
    PixPtr scaled(pixScaleGrayLI(pix.get(), 0.62f, 0.62f));
    PixPtr rotated(pixRotate(scaled.get(), static_cast<float>(7 * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0));
    PixPtr blurred(pixBlockconv(rotated.get(), 1, 1));
    PixPtr framed(pixAddBorder(blurred.get(), 120, 200));  // the paper around it
    const std::string jpeg = Encode(framed.get(), IFF_JFIF_JPEG, 40);
    ASSERT_EQ(SniffImage(jpeg), ImageKind::kJpeg);
    auto text = ReadQr(jpeg);
    ASSERT_TRUE(text.ok()) << text.error().message;
    EXPECT_EQ(*text, kUrl);
}

TEST(Qr, NotAnImageOrNoCodeIsAClearError) {
    EXPECT_EQ(ReadQr("%PDF-1.5 not an image").error().reason, "invalid_image");
    EXPECT_EQ(ReadQr(std::string("\x89PNG\r\n\x1a\n", 8) + "broken").error().reason, "invalid_image");
    PixPtr blank(pixCreate(400, 300, 8));
    pixSetAllArbitrary(blank.get(), 255);
    auto none = ReadQr(Encode(blank.get(), IFF_PNG));
    EXPECT_EQ(none.error().reason, "qr_not_found");
    EXPECT_EQ(none.error().code, ErrorCode::kUnprocessable);
    EXPECT_EQ(ReadQr(Encode(blank.get(), IFF_PNG), 1000).error().reason, "image_too_large");
}

TEST(CertificatePdf, IsAnA4PdfCarryingItsCode) {
    PdfInput in;
    in.content = {{"number", "20262201020000015"},
                  {"kind", "items"},
                  {"subject", {{"name", "张伟"}, {"id_number", "2201**********0015"}}},
                  {"purpose_label", "公证"},
                  {"records",
                   {{{"archival_code", "2201-SB-2008-000123"},
                     {"kind_label", "社会保险业务档案"},
                     {"holder", {{"name", "长春市社会保险档案管理中心"}, {"address", "人民大街3688号"}, {"phone", "0431-88771234"}}},
                     {"items", {{{"seq", 1}, {"title", "招工登记表 <&>"}, {"doc_date", "1990-07"}, {"page_count", 2}}}}}}},
                  {"issuer", {{"organisation", "长春市社会保险档案管理中心"}, {"branch_name", "南关区社保服务大厅"}}},
                  {"issued_on", "2026-11-27"},
                  {"valid_until", "2027-02-24"}};
    in.code_text = kUrl.substr(kUrl.rfind('/') + 1);
    in.qr_text = kUrl;
    in.verify_base = "https://dangan.example.cn/v/";
    const std::string pdf = RenderPdf(in);
    EXPECT_EQ(pdf.rfind("%PDF-1.5", 0), 0u);
    EXPECT_NE(pdf.find("/MediaBox [ 0 0 595.27"), std::string::npos) << "A4";
    EXPECT_EQ(CodeInPdf(pdf).value_or(""), in.code_text);
    EXPECT_FALSE(CodeInPdf("%PDF-1.5 nothing here"));
}

}  // namespace
}  // namespace dangan::certificates
