#include "certificates/pdf.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "certificates/code.hpp"
#include "certificates/qr.hpp"

namespace dangan::certificates {

namespace {

constexpr double kMm = 72.0 / 25.4;
constexpr double kPageWidth = 210 * kMm;
constexpr double kPageHeight = 297 * kMm;
constexpr double kMargin = 22 * kMm;
constexpr double kTextWidth = kPageWidth - 2 * kMargin;
constexpr std::string_view kKeywordPrefix = "DanganCertificate:";

// Two faces, as official documents use them: a Song (serif) face for the text and a Hei (sans)
// bold face for the title, headings and the seal. Each face embedded costs the PDF about 60 KB
// and the render about 12 ms (cairo subsets the whole CJK font file), so no more than two.
const char* kSerif = "Noto Serif CJK SC";
const char* kSans = "Noto Sans CJK SC Bold";

struct Rgb {
    double r, g, b;
};
constexpr Rgb kInk{0.1, 0.1, 0.12};
constexpr Rgb kGrey{0.38, 0.38, 0.42};
constexpr Rgb kSealRed{0.80, 0.09, 0.11};

cairo_status_t AppendTo(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

std::string Escape(std::string_view text) {
    std::unique_ptr<char, decltype(&g_free)> e(g_markup_escape_text(text.data(), static_cast<gssize>(text.size())), &g_free);
    return e.get();
}

std::string Str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// "2026-11-27" → "2026年11月27日".
std::string ChineseDate(const std::string& iso) {
    if (iso.size() != 10) return iso;
    return fmt::format("{}年{}月{}日", iso.substr(0, 4), std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2)));
}

class Page {
public:
    explicit Page(cairo_t* cr) : cr_(cr), layout_(pango_cairo_create_layout(cr), &g_object_unref) {
        // Font sizes are in points of the page: one unit per point, not pango's default 96 dpi.
        pango_cairo_context_set_resolution(pango_layout_get_context(layout_.get()), 72);
        pango_layout_context_changed(layout_.get());
    }

    // Draws Pango markup at (x, y) wrapped to `width` (0: no wrapping); returns its height.
    double Text(double x, double y, double width, const std::string& markup, const char* family, double size,
                Rgb colour = kInk, PangoAlignment align = PANGO_ALIGN_LEFT, double spacing = 1.25) {
        PangoLayout* l = layout_.get();
        std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> font(
            pango_font_description_from_string(fmt::format("{} {}", family, size).c_str()), &pango_font_description_free);
        pango_layout_set_font_description(l, font.get());
        pango_layout_set_width(l, width > 0 ? static_cast<int>(width * PANGO_SCALE) : -1);
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_alignment(l, align);
        pango_layout_set_line_spacing(l, static_cast<float>(spacing));
        pango_layout_set_markup(l, markup.c_str(), -1);
        cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
        cairo_move_to(cr_, x, y);
        pango_cairo_show_layout(cr_, l);
        int w = 0, h = 0;
        pango_layout_get_size(l, &w, &h);
        return static_cast<double>(h) / PANGO_SCALE;
    }

    // One character centred on the origin of the current transformation.
    void Glyph(const std::string& ch, const char* family, double size) {
        PangoLayout* l = layout_.get();
        std::unique_ptr<PangoFontDescription, decltype(&pango_font_description_free)> font(
            pango_font_description_from_string(fmt::format("{} {}", family, size).c_str()),
            &pango_font_description_free);
        pango_layout_set_font_description(l, font.get());
        pango_layout_set_width(l, -1);
        pango_layout_set_line_spacing(l, 0);
        pango_layout_set_text(l, ch.c_str(), -1);
        int w = 0, h = 0;
        pango_layout_get_size(l, &w, &h);
        cairo_move_to(cr_, -static_cast<double>(w) / PANGO_SCALE / 2, -static_cast<double>(h) / PANGO_SCALE / 2);
        pango_cairo_show_layout(cr_, l);
    }

    cairo_t* cr() const { return cr_; }

private:
    cairo_t* cr_;
    std::unique_ptr<PangoLayout, decltype(&g_object_unref)> layout_;
};

std::vector<std::string> Characters(const std::string& utf8) {
    std::vector<std::string> out;
    for (const char* p = utf8.c_str(); *p != '\0';) {
        const char* next = g_utf8_next_char(p);
        out.emplace_back(p, next);
        p = next;
    }
    return out;
}

// The round red seal: a double ring, the organisation's name along the upper arc, a star, and
// "查档专用章" across the lower half. Drawn, not an image: the signature is what proves it.
void DrawSeal(Page& page, double cx, double cy, double radius, const std::string& organisation) {
    cairo_t* cr = page.cr();
    cairo_save(cr);
    cairo_set_source_rgba(cr, kSealRed.r, kSealRed.g, kSealRed.b, 0.88);
    cairo_set_line_width(cr, radius * 0.06);
    cairo_new_path(cr);  // the text drawn before left a current point that cairo_arc would join
    cairo_arc(cr, cx, cy, radius, 0, 2 * M_PI);
    cairo_stroke(cr);
    cairo_set_line_width(cr, radius * 0.015);
    cairo_new_path(cr);
    cairo_arc(cr, cx, cy, radius * 0.91, 0, 2 * M_PI);
    cairo_stroke(cr);

    const std::vector<std::string> chars = Characters(organisation);
    const double sweep = std::min(4.4, 0.30 * static_cast<double>(chars.size()));  // radians along the arc
    const double spacing = radius * 0.72 * sweep / static_cast<double>(std::max<std::size_t>(chars.size() - 1, 1));
    const double glyph = std::min(radius * 0.22, spacing * 0.9);
    for (std::size_t i = 0; i < chars.size(); ++i) {
        const double t = chars.size() == 1 ? 0.5 : static_cast<double>(i) / static_cast<double>(chars.size() - 1);
        const double angle = -sweep / 2 + t * sweep;  // 0 is straight up, clockwise positive
        cairo_save(cr);
        cairo_translate(cr, cx, cy);
        cairo_rotate(cr, angle);
        cairo_translate(cr, 0, -radius * 0.72);
        page.Glyph(chars[i], kSans, glyph);
        cairo_restore(cr);
    }

    // The five-pointed star.
    const double outer = radius * 0.26;
    const double inner = outer * 0.382;
    cairo_new_path(cr);
    for (int k = 0; k < 10; ++k) {
        const double a = -M_PI / 2 + k * M_PI / 5;
        const double r = k % 2 == 0 ? outer : inner;
        const double x = cx + r * std::cos(a);
        const double y = cy + r * std::sin(a);
        k == 0 ? cairo_move_to(cr, x, y) : cairo_line_to(cr, x, y);
    }
    cairo_close_path(cr);
    cairo_fill(cr);

    const std::vector<std::string> label = Characters("查档专用章");
    const double size = radius * 0.17;
    for (std::size_t i = 0; i < label.size(); ++i) {
        cairo_save(cr);
        cairo_translate(cr, cx + (static_cast<double>(i) - 2) * size * 1.15, cy + radius * 0.48);
        page.Glyph(label[i], kSans, size);
        cairo_restore(cr);
    }
    cairo_restore(cr);
}

void DrawQr(cairo_t* cr, const QrMatrix& m, double x, double y, double side) {
    const double quiet = 4;  // the quiet zone, in modules, kept white
    const double module = side / (m.size + 2 * quiet);
    cairo_save(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, side, side);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int row = 0; row < m.size; ++row) {
        for (int col = 0; col < m.size; ++col) {
            if (m.At(col, row)) {
                cairo_rectangle(cr, x + (col + quiet) * module, y + (row + quiet) * module, module, module);
            }
        }
    }
    cairo_fill(cr);
    cairo_restore(cr);
}

std::string RecordMarkup(const nlohmann::json& record, bool with_items) {
    const nlohmann::json holder = record.value("holder", nlohmann::json::object());
    std::string out = fmt::format("<span font=\"{} 13\">档号 {}</span>（{}）\n保管单位：{}\n地址：{}　电话：{}", kSans,
                                  Escape(Str(record, "archival_code")),
                                  Escape(Str(record, "kind_label")), Escape(Str(holder, "name")),
                                  Escape(Str(holder, "address")), Escape(Str(holder, "phone")));
    if (with_items) {
        for (const auto& item : record.value("items", nlohmann::json::array())) {
            out += fmt::format("\n　{:>2}. {}　{}　{} 页", item.value("seq", 0), Escape(Str(item, "title")),
                               Escape(Str(item, "doc_date")), item.value("page_count", 0));
        }
    }
    return out;
}

std::string RenderHere(const PdfInput& in) {
    const nlohmann::json& c = in.content;
    std::string bytes;
    std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> surface(
        cairo_pdf_surface_create_for_stream(AppendTo, &bytes, kPageWidth, kPageHeight), &cairo_surface_destroy);
    cairo_surface_t* s = surface.get();
    cairo_pdf_surface_restrict_to_version(s, CAIRO_PDF_VERSION_1_5);
    const std::string number = Str(c, "number");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, ("查档证明 " + number).c_str());
    const nlohmann::json issuer = c.value("issuer", nlohmann::json::object());
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, Str(issuer, "organisation").c_str());
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "Dang'an 档案");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS,
                                   (std::string(kKeywordPrefix) + in.code_text).c_str());
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, core::FormatIso8601(in.issued_at).c_str());

    std::unique_ptr<cairo_t, decltype(&cairo_destroy)> context(cairo_create(s), &cairo_destroy);
    cairo_t* cr = context.get();
    Page page(cr);

    double y = kMargin;
    page.Text(kMargin, y, kTextWidth, Escape(Str(issuer, "organisation")), kSans, 13, kGrey,
              PANGO_ALIGN_CENTER);
    y += 26;
    y += page.Text(kMargin, y, kTextWidth, "查 档 证 明", kSans, 28, kInk, PANGO_ALIGN_CENTER) + 6;
    y += page.Text(kMargin, y, kTextWidth, "编号：" + Escape(DisplayNumber(number)), kSans, 12, kGrey, PANGO_ALIGN_RIGHT) + 14;

    const nlohmann::json subject = c.value("subject", nlohmann::json::object());
    const bool items = Str(c, "kind") == "items";
    const std::string who = fmt::format("<span font=\"{} 15\">{}</span>（公民身份号码 {}）", kSans, Escape(Str(subject, "name")),
                                        Escape(Str(subject, "id_number")));
    const std::string opening = items ? "兹证明 " + who + " 的社会保险档案中存有下列材料："
                                      : "兹证明 " + who + " 的社会保险档案存放情况如下：";
    y += page.Text(kMargin, y, kTextWidth, opening, kSerif, 16, kInk, PANGO_ALIGN_LEFT, 1.5) + 12;
    for (const auto& record : c.value("records", nlohmann::json::array())) {
        y += page.Text(kMargin + 14, y, kTextWidth - 14, RecordMarkup(record, items), kSerif, 14, kInk,
                       PANGO_ALIGN_LEFT, 1.45) + 10;
    }
    std::string purpose = Escape(Str(c, "purpose_label"));
    if (!Str(c, "purpose_detail").empty()) purpose += "（" + Escape(Str(c, "purpose_detail")) + "）";
    y += 6;
    y += page.Text(kMargin, y, kTextWidth, "用途：" + purpose, kSerif, 16, kInk, PANGO_ALIGN_LEFT, 1.5) + 6;
    page.Text(kMargin, y, kTextWidth,
              fmt::format("本证明自签发之日起至 {} 有效，仅用于上述用途。", ChineseDate(Str(c, "valid_until"))), kSerif,
              16, kInk, PANGO_ALIGN_LEFT, 1.5);

    // Foot: issuer, date and seal on the right; the QR code and how to verify on the left.
    const double foot = kPageHeight - kMargin - 62 * kMm;
    const double qr_side = 42 * kMm;
    DrawQr(cr, EncodeQr(in.qr_text), kMargin - 3 * kMm, foot, qr_side);
    page.Text(kMargin, foot + qr_side + 2, 70 * kMm,
              fmt::format("扫码核验真伪，或访问\n{}\n输入证明编号查询", Escape(in.verify_base)), kSans, 10, kGrey,
              PANGO_ALIGN_LEFT, 1.3);
    const double right_x = kPageWidth - kMargin - 80 * kMm;
    double fy = foot + 8 * kMm;
    fy += page.Text(right_x, fy, 80 * kMm, Escape(Str(issuer, "organisation")), kSerif, 16, kInk,
                    PANGO_ALIGN_CENTER) + 4;
    fy += page.Text(right_x, fy, 80 * kMm, Escape(Str(issuer, "branch_name")), kSerif, 14, kInk,
                    PANGO_ALIGN_CENTER) + 4;
    page.Text(right_x, fy, 80 * kMm, ChineseDate(Str(c, "issued_on")), kSerif, 16, kInk, PANGO_ALIGN_CENTER);
    DrawSeal(page, right_x + 40 * kMm, foot + 16 * kMm, 21 * kMm, Str(issuer, "organisation"));

    page.Text(kMargin, kPageHeight - kMargin + 4, kTextWidth,
              "本证明由社会保险档案智慧服务平台签发，电子印章与二维码中的 SM2 数字签名具有同等核验效力。", kSans, 9,
              kGrey, PANGO_ALIGN_CENTER);

    cairo_show_page(cr);
    context.reset();
    cairo_surface_finish(s);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        throw std::runtime_error(std::string("cairo failed to write the certificate: ") +
                                 cairo_status_to_string(cairo_surface_status(s)));
    }
    surface.reset();
    return bytes;
}

// Rendering runs on a few threads of its own. Pango keeps a font map per thread, some tens of MB
// once the CJK fonts are loaded, so rendering on whichever of the server's handler threads took
// the request would grow memory by that much for each of them (1 GB was measured with 32).
class RenderPool {
public:
    RenderPool() {
        const unsigned n = std::clamp(std::thread::hardware_concurrency(), 1u, 4u);
        for (unsigned i = 0; i < n; ++i) threads_.emplace_back([this] { Work(); });
    }
    ~RenderPool() {
        {
            std::lock_guard lock(mutex_);
            stopping_ = true;
        }
        ready_.notify_all();
        for (auto& t : threads_) t.join();
    }

    std::string Render(const PdfInput& in) {
        std::packaged_task<std::string()> task([&in] { return RenderHere(in); });
        std::future<std::string> done = task.get_future();
        {
            std::lock_guard lock(mutex_);
            queue_.push_back(std::move(task));
        }
        ready_.notify_one();
        return done.get();  // rethrows what RenderHere threw
    }

private:
    void Work() {
        for (;;) {
            std::packaged_task<std::string()> task;
            {
                std::unique_lock lock(mutex_);
                ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty()) return;
                task = std::move(queue_.front());
                queue_.pop_front();
            }
            task();
        }
    }

    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<std::packaged_task<std::string()>> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace

std::string RenderPdf(const PdfInput& in) {
    static RenderPool pool;
    return pool.Render(in);
}

std::optional<std::string> CodeInPdf(std::string_view pdf) {
    const auto at = pdf.find(kKeywordPrefix);
    if (at == std::string_view::npos) return std::nullopt;
    std::string out;
    for (std::size_t i = at + kKeywordPrefix.size(); i < pdf.size(); ++i) {
        const char c = pdf[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7'))) break;
        out.push_back(c);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

}  // namespace dangan::certificates
