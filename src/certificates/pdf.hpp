#pragma once

// The certificate as an A4 PDF (cairo + pango, Noto CJK fonts): the certified content, the
// electronic seal drawn by the program, and the QR code. The code text is also put into the
// PDF's Keywords ("DanganCertificate:<code>") so that the offline verifier and the PDF check of
// the verify page can read it without rasterising. Kept apart so that cairo's and pango's
// headers stay in pdf.cpp.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace dangan::certificates {

struct PdfInput {
    nlohmann::json content;    // the signed content (api-certificates.md)
    std::string qr_text;       // the URL the QR carries
    std::string code_text;     // the code alone (base32), for the metadata
    std::string verify_base;   // the verify page, printed for those who type the number
    core::TimePoint issued_at{};
};

// The PDF bytes, rendered on the module's own render threads (at most 4; the caller waits).
// Throws std::runtime_error only when cairo itself fails (out of memory).
std::string RenderPdf(const PdfInput& in);

// The code text from a PDF's Keywords, when it was made by RenderPdf.
std::optional<std::string> CodeInPdf(std::string_view pdf);

}  // namespace dangan::certificates
