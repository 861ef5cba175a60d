// Online verification: the signed code, a typed number, or a PDF — each checked against the
// issued certificates and counted for the holder.

#include "certificates/certificates.hpp"
#include "certificates/code.hpp"
#include "certificates/pdf.hpp"
#include "core/ids.hpp"

#include <variant>

namespace dangan::certificates {

namespace {

// The verdict on a certificate found in the database, counted as one check.
// `altered` replaces the verdict for a PDF whose code is genuine but whose bytes are not.
Result<Verification> Judge(const Context& ctx, Certificate c, std::string method, bool show_content,
                           bool altered = false) {
    const std::string today = core::FormatDate(core::BusinessDate(ctx.clock.Now()));
    Verification v;
    v.method = std::move(method);
    v.show_content = show_content;
    const std::string status = StatusOf(c, today);
    v.result = status == "valid" ? "genuine" : status;
    if (v.result == "revoked") v.reason = "该证明已由签发机构撤销";
    if (v.result == "expired") v.reason = "该证明已过有效期（有效期至 " + c.valid_until + "）";
    if (altered) {
        v.result = "altered";
        v.reason = "这份 PDF 与签发时的文件不一致，可能被修改过；请以扫码核验的结果或签发机构存档为准";
    }
    const std::int64_t now_ms = core::UnixMillis(ctx.clock.Now());
    Status counted = ctx.db.Transaction([&](db::Connection& conn) -> Status {
        auto added = conn.Query(
            "INSERT INTO certificate_checks (id, certificate_id, checked_at_ms, method, result) VALUES (?, ?, ?, ?, ?)",
            {core::NewId(ctx.clock), c.id, now_ms, v.method, v.result});
        if (!added) return added.error();
        auto bumped = conn.Query(
            "UPDATE certificates SET check_count = check_count + 1, last_checked_at_ms = ? WHERE id = ?", {now_ms, c.id});
        if (!bumped) return bumped.error();
        return Ok();
    });
    if (!counted) return counted.error();
    c.check_count += 1;
    c.last_checked_at_ms = now_ms;
    v.certificate = std::move(c);
    return v;
}

Verification Outcome(std::string result, std::string method, std::string reason) {
    Verification v;
    v.result = std::move(result);
    v.method = std::move(method);
    v.reason = std::move(reason);
    return v;
}

// The certificate a valid signature names, or the verdict when there is none.
using Resolved = std::variant<Certificate, Verification>;

Result<Resolved> Resolve(const Context& ctx, const std::string& scanned,
                                                         const std::string& method) {
    const Checked checked = VerifyCode(scanned, ctx.keys.published, core::BusinessDate(ctx.clock.Now()));
    switch (checked.verdict) {
        case Verdict::kMalformed:
            return MakeError(ErrorCode::kInvalidArgument, "这不是查档证明的二维码：" + checked.reason,
                             method == "photo" ? "file" : "code", "invalid_code");
        case Verdict::kUnknownKey:
        case Verdict::kBadSignature:
            return Resolved(Outcome("invalid", method, checked.reason));
        case Verdict::kValid:
        case Verdict::kExpired:
        case Verdict::kNotYetValid:
            break;
    }
    auto found = FindByNumber(ctx, checked.payload->number);
    if (!found) return found.error();
    if (!*found) return Resolved(Outcome("unknown", method, "查无此证明：本中心没有签发过这个编号"));
    // A genuine signature over other content than what was recorded: only a leaked key could do that.
    if (ContentHash((*found)->content_json) != checked.payload->content_hash ||
        (*found)->key_id != checked.payload->key_id) {
        return Resolved(Outcome("invalid", method, "证明码与签发记录不一致"));
    }
    return Resolved(std::move(**found));
}

}  // namespace

Result<Verification> VerifyCodeOnline(const Context& ctx, const std::string& scanned, const std::string& method) {
    if (CodeTextOf(scanned).empty()) {
        return MakeError(ErrorCode::kInvalidArgument, "请扫描或输入证明上的二维码内容", "code", "code_required");
    }
    auto resolved = Resolve(ctx, scanned, method);
    if (!resolved) return resolved.error();
    if (auto* v = std::get_if<Verification>(&*resolved)) return std::move(*v);
    return Judge(ctx, std::get<Certificate>(std::move(*resolved)), method, true);
}

Result<Verification> VerifyNumber(const Context& ctx, const std::string& typed) {
    auto number = NormaliseNumber(typed);
    if (!number) return number.error();
    auto found = FindByNumber(ctx, *number);
    if (!found) return found.error();
    if (!*found) return Outcome("unknown", "number", "查无此证明：本中心没有签发过这个编号");
    return Judge(ctx, std::move(**found), "number", false);
}

Result<Verification> VerifyPdf(const Context& ctx, const std::string& pdf) {
    if (pdf.rfind("%PDF-", 0) != 0) {
        return MakeError(ErrorCode::kInvalidArgument, "上传的文件不是 PDF", "file", "invalid_pdf");
    }
    auto rs = ctx.db.Query("SELECT id FROM certificates WHERE pdf_sm3 = ?", {core::Sm3Hex(pdf)});
    if (!rs) return rs.error();
    if (!rs->empty()) {
        auto found = FindById(ctx, rs->rows.front().Text(0));
        if (!found) return found.error();
        if (*found) {
            auto v = Judge(ctx, std::move(**found), "pdf", true);
            if (v) v->pdf_matches = true;
            return v;
        }
    }
    Verification v;
    const std::optional<std::string> code = CodeInPdf(pdf);
    if (!code) {
        v = Outcome("unknown", "pdf", "这份 PDF 不是本中心签发的查档证明");
    } else {
        auto resolved = Resolve(ctx, *code, "pdf");
        if (!resolved) return resolved.error();
        if (auto* outcome = std::get_if<Verification>(&*resolved)) {
            v = std::move(*outcome);
        } else {
            auto judged = Judge(ctx, std::get<Certificate>(std::move(*resolved)), "pdf", false, true);
            if (!judged) return judged.error();
            v = std::move(*judged);
        }
    }
    v.pdf_matches = false;
    return v;
}

}  // namespace dangan::certificates
