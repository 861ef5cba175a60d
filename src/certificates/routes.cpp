// The certificate routes (docs/api-certificates.md): publishing the keys and verifying (public),
// the citizen's own certificates, and the staff desk. Handlers parse, check who may act, call
// certificates.hpp and render JSON; the rules live there.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <memory>

#include "appointments/model.hpp"
#include "archives/person_access.hpp"
#include "archives/persons.hpp"
#include "audit/register.hpp"
#include "certificates/certificates.hpp"
#include "certificates/code.hpp"
#include "certificates/qr.hpp"
#include "certificates/register.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"
#include "http/app.hpp"
#include "http/idempotency.hpp"
#include "identity/accounts.hpp"
#include "identity/guard.hpp"

namespace dangan::certificates {

namespace {

using nlohmann::json;

const std::vector<std::string> kDeskRoles{"window_clerk", "branch_admin"};

// What the routes share: the settings, the keys and the blob store of this node.
struct Module {
    Settings settings;
    KeySet keys;
    db::BlobStore blobs;
    std::size_t max_upload_bytes = 0;
};

Context Ctx(http::App& app, const Module& m) {
    return Context{*app.db, app.keyring, *app.clock, m.keys, m.blobs, m.settings};
}

http::Response Fail(const Error& e) { return http::Response::FromError(e); }

http::Response Private(http::Response r) {
    r.Header("Cache-Control", "no-store");
    return r;
}

std::string Today(http::App& app) { return core::FormatDate(core::BusinessDate(app.clock->Now())); }

std::optional<std::string> Iso(const std::optional<std::int64_t>& ms) {
    if (!ms) return std::nullopt;
    return core::FormatIso8601(core::TimePoint(std::chrono::milliseconds(*ms)));
}

json OrNull(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

Error NotFound() {
    return MakeError(ErrorCode::kNotFound, "没有找到这份证明", "id", "certificate_not_found");
}

const char* StatusLabel(const std::string& status) {
    return status == "revoked" ? "已撤销" : status == "expired" ? "已过期" : "有效";
}

const char* ResultLabel(const std::string& result) {
    if (result == "genuine") return "真实有效";
    if (result == "revoked") return "已撤销";
    if (result == "expired") return "已过期";
    if (result == "unknown") return "查无此证明";
    if (result == "altered") return "文件与签发件不一致";
    return "无效";
}

// The holder's and staff's view. `pdf_base` is the route prefix of the PDF.
json CertificateJson(const Module& m, const Certificate& c, const std::string& today, const std::string& pdf_base) {
    const std::string status = StatusOf(c, today);
    const json issuer = c.content.value("issuer", json::object());
    return {{"id", c.id},
            {"number", c.number},
            {"number_display", DisplayNumber(c.number)},
            {"kind", std::string(KindName(c.kind))},
            {"purpose", c.purpose},
            {"purpose_label", appointments::PurposeLabel(c.purpose)},
            {"issued_on", c.issued_on},
            {"valid_until", c.valid_until},
            {"issued_at", *Iso(c.issued_at_ms)},
            {"channel", c.channel},
            {"branch", {{"code", c.branch_code}, {"name", issuer.value("branch_name", "")}}},
            {"status", status},
            {"status_label", StatusLabel(status)},
            {"revoked_at", OrNull(Iso(c.revoked_at_ms))},
            {"revoke_reason", OrNull(c.revoke_reason)},
            {"check_count", c.check_count},
            {"last_checked_at", OrNull(Iso(c.last_checked_at_ms))},
            {"verify_url", m.settings.verify_url + c.code},
            {"pdf_url", pdf_base + c.id + "/pdf"},
            {"pdf_sm3", c.pdf_sm3},
            {"content", c.content}};
}

json HolderJson(Module& m, http::App& app, const Certificate& c) {
    return CertificateJson(m, c, Today(app), "/api/v1/me/certificates/");
}

json StaffJson(Module& m, http::App& app, const Certificate& c) {
    json view = CertificateJson(m, c, Today(app), "/api/v1/certificates/");
    auto person = archives::FindPersonById(*app.db, app.keyring, c.person_id);
    if (person && *person) {
        view["person"] = {{"id", (*person)->id},
                          {"name", identity::MaskName((*person)->name)},
                          {"id_number", core::MaskIdNumber((*person)->id_number)}};
    }
    for (auto [key, id] : {std::pair{"issued_by", &c.issued_by}, {"revoked_by", &c.revoked_by}}) {
        auto name = *id ? identity::UsernameOf(app, **id) : Result<std::string>(std::string());
        view[key] = *id ? json(name ? *name : **id) : json(nullptr);
    }
    return view;
}

// What anyone verifying sees: no full name, no full ID number, no reason for a revocation.
json PublicJson(const Certificate& c) {
    const json issuer = c.content.value("issuer", json::object());
    const json subject = c.content.value("subject", json::object());
    return {{"number", c.number},
            {"number_display", DisplayNumber(c.number)},
            {"issuer", {{"organisation", issuer.value("organisation", "")}, {"branch_name", issuer.value("branch_name", "")}}},
            {"issued_on", c.issued_on},
            {"valid_until", c.valid_until},
            {"purpose", c.purpose},
            {"purpose_label", appointments::PurposeLabel(c.purpose)},
            {"subject",
             {{"name", identity::MaskName(subject.value("name", ""))}, {"id_number", subject.value("id_number", "")}}},
            {"revoked_at", OrNull(Iso(c.revoked_at_ms))},
            {"key_id", c.key_id}};
}

json ChecksJson(const std::vector<Check>& checks) {
    json out = json::array();
    for (const Check& k : checks) {
        out.push_back({{"at", *Iso(k.at_ms)}, {"method", k.method}, {"result", k.result}});
    }
    return out;
}

// `purpose`: the stated purpose of a staff read (X-Dangan-Purpose), kept in its own column.
Status Audit(http::App& app, const http::Request& request, std::string action, const Certificate& c,
             json detail = json::object(), std::string purpose = "") {
    audit::Entry entry = audit::EntryFor(request, std::move(action));
    entry.subject_person_id = c.person_id;
    entry.target = "certificate:" + c.id;
    entry.purpose = std::move(purpose);
    detail["number"] = c.number;
    entry.detail_json = detail.dump();
    return audit::Record(app, std::move(entry));
}

// --- public ------------------------------------------------------------------------------

http::Response Keys(Module& m, http::App&, http::Request&) {
    http::Response r = http::Response::Json(PublishedJson(m.keys, m.settings.organisation));
    r.Header("Cache-Control", "public, max-age=3600");
    r.Header("Access-Control-Allow-Origin", "*");
    return r;
}

http::Response Verify(Module& m, http::App& app, http::Request& request) {
    const Context ctx = Ctx(app, m);
    std::string type(request.Header("content-type").value_or("application/json"));
    type = type.substr(0, type.find(';'));
    Result<Verification> v = MakeError(ErrorCode::kInternal, "", "");
    if (type == "application/json") {
        if (request.body.size() > 64 * 1024) {
            return Fail(MakeError(ErrorCode::kPayloadTooLarge, "请求体过大", "body", "payload_too_large"));
        }
        auto body = request.Json();
        if (!body) return Fail(body.error());
        auto code = http::TextMember(*body, "code", 4096);
        if (!code) return Fail(code.error());
        auto number = http::TextMember(*body, "number", 64);
        if (!number) return Fail(number.error());
        if (!code->empty()) {
            v = VerifyCodeOnline(ctx, *code, "qr");
        } else if (!number->empty()) {
            v = VerifyNumber(ctx, *number);
        } else {
            return Fail(MakeError(ErrorCode::kInvalidArgument, "请扫描二维码、输入证明编号或上传文件", "code",
                                  "code_required"));
        }
    } else if (type == "application/pdf") {
        v = VerifyPdf(ctx, request.body);
    } else if (type == "image/jpeg" || type == "image/png") {
        auto text = ReadQr(request.body);
        if (!text) return Fail(text.error());
        v = VerifyCodeOnline(ctx, *text, "photo");
    } else {
        return Fail(MakeError(ErrorCode::kUnsupportedMediaType, "请上传 PDF 文件或二维码照片（JPEG、PNG）", "file",
                              "unsupported_media_type"));
    }
    if (!v) return Fail(v.error());
    json out = {{"result", v->result},
                {"result_label", ResultLabel(v->result)},
                {"method", v->method},
                {"reason", v->reason.empty() ? json(nullptr) : json(v->reason)},
                {"certificate", v->certificate ? PublicJson(*v->certificate) : json(nullptr)},
                {"content", v->certificate && v->show_content ? v->certificate->content : json(nullptr)}};
    if (v->pdf_matches) out["pdf"] = {{"matches", *v->pdf_matches}};
    return Private(http::Response::Json(out));
}

// --- issuing -----------------------------------------------------------------------------

Result<IssueRequest> IssueRequestOf(const json& body) {
    IssueRequest r;
    auto kind = http::TextMember(body, "kind", 20);
    if (!kind) return kind.error();
    auto parsed = ParseKind(*kind);
    if (!parsed) {
        return MakeError(ErrorCode::kInvalidArgument, "请选择证明类型：location（存档地点）或 items（档案材料）", "kind",
                         "invalid_kind");
    }
    r.kind = *parsed;
    for (auto [name, target, max] : {std::tuple{"purpose", &r.purpose, 40}, {"purpose_detail", &r.purpose_detail, 800},
                                     {"record_id", &r.record_id, 64}, {"branch_code", &r.branch_code, 20}}) {
        auto text = http::TextMember(body, name, max);
        if (!text) return text.error();
        *target = std::string(core::TrimSpaces(*text));
    }
    if (body.contains("item_seqs") && !body["item_seqs"].is_null()) {
        const json& seqs = body["item_seqs"];
        if (!seqs.is_array() || seqs.size() > 100) {
            return MakeError(ErrorCode::kInvalidArgument, "item_seqs 应为材料序号的列表", "item_seqs", "invalid_items");
        }
        for (const json& s : seqs) {
            if (!s.is_number_integer()) {
                return MakeError(ErrorCode::kInvalidArgument, "item_seqs 应为材料序号的列表", "item_seqs", "invalid_items");
            }
            r.item_seqs.push_back(s.get<int>());
        }
    }
    return r;
}

using View = json (*)(Module&, http::App&, const Certificate&);

http::Response Issued201(Module& m, http::App& app, http::Request& request, Result<Issued> issued, View view) {
    if (!issued) return Fail(issued.error());
    const Certificate& c = issued->certificate;
    if (!issued->replay) {
        if (Status s = Audit(app, request, "certificate.issue", c, {{"purpose", c.purpose}, {"kind", KindName(c.kind)}});
            !s) {
            return Fail(s.error());
        }
    }
    http::Response out =
        http::Response::Json({{"certificate", view(m, app, c)}}, issued->replay ? 200 : 201);
    if (issued->replay) out.Header("Idempotent-Replay", "true");
    return Private(std::move(out));
}

http::Response IssueMine(Module& m, http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto r = IssueRequestOf(*body);
    if (!r) return Fail(r.error());
    r->person_id = request.principal->subject_id;
    const std::string channel = request.Channel();
    r->channel = channel == "kiosk" || channel == "mobile" ? channel : "web";
    if (r->channel != "kiosk") r->branch_code.clear();  // only a kiosk stands in a branch
    auto idem = http::IdempotencyKeyOf(request, "certificate");
    if (!idem) return Fail(idem.error());
    return Issued201(m, app, request, Issue(Ctx(app, m), *r, *idem), HolderJson);
}

http::Response IssueAtDesk(Module& m, http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto r = IssueRequestOf(*body);
    if (!r) return Fail(r.error());
    if (r->branch_code.empty()) {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "请选择出具网点", "branch_code", "branch_required"));
    }
    if (!archives::CoversRegion(*request.principal, kDeskRoles, r->branch_code)) {
        return Fail(MakeError(ErrorCode::kForbidden, "该网点不在您的管辖范围内", "branch_code", "forbidden"));
    }
    auto id_number = http::TextMember(*body, "id_number", 40);
    if (!id_number) return Fail(id_number.error());
    if (id_number->empty()) {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "请填写证明对象的身份证号码", "id_number", "id_number_required"));
    }
    auto id = core::ValidateIdNumber(*id_number, core::BusinessDate(app.clock->Now()));
    if (!id) return Fail(id.error());
    auto person = archives::FindPersonByIdNumber(*app.db, app.keyring, id->normalized);
    if (!person) return Fail(person.error());
    if (!*person) {
        return Fail(MakeError(ErrorCode::kNotFound, "未找到该身份证号码的人员，请核对", "id_number", "person_not_found"));
    }
    r->person_id = (*person)->id;
    r->channel = "window";
    r->issued_by = request.principal->subject_id;
    auto idem = http::IdempotencyKeyOf(request, "certificate");
    if (!idem) return Fail(idem.error());
    return Issued201(m, app, request, Issue(Ctx(app, m), *r, *idem), StaffJson);
}

// --- the holder --------------------------------------------------------------------------

Result<Certificate> Own(Module& m, http::App& app, const http::Request& request) {
    auto found = FindById(Ctx(app, m), request.Param("id"));
    if (!found) return found.error();
    if (!*found || (*found)->person_id != request.principal->subject_id) return NotFound();
    return std::move(**found);
}

http::Response Mine(Module& m, http::App& app, http::Request& request) {
    auto list = OfPerson(Ctx(app, m), request.principal->subject_id);
    if (!list) return Fail(list.error());
    json out = json::array();
    for (const auto& c : *list) out.push_back(HolderJson(m, app, c));
    return Private(http::Response::Json({{"certificates", std::move(out)}}));
}

http::Response MineOne(Module& m, http::App& app, http::Request& request) {
    auto c = Own(m, app, request);
    if (!c) return Fail(c.error());
    auto checks = ChecksOf(Ctx(app, m), c->id);
    if (!checks) return Fail(checks.error());
    json view = HolderJson(m, app, *c);
    view["checks"] = ChecksJson(*checks);
    return Private(http::Response::Json({{"certificate", std::move(view)}}));
}

http::Response PdfResponse(Module& m, http::App& app, const Certificate& c) {
    auto pdf = PdfOf(Ctx(app, m), c);
    if (!pdf) return Fail(pdf.error());
    http::Response r = http::Response::Text(std::move(*pdf), "application/pdf");
    r.Header("Content-Disposition", fmt::format("inline; filename=\"chadang-{}.pdf\"", c.number));
    // The kiosk prints it from a frame of its own page: framing by our pages only.
    r.Header("X-Frame-Options", "SAMEORIGIN");
    r.Header("Content-Security-Policy", "frame-ancestors 'self'");
    return Private(std::move(r));
}

http::Response MinePdf(Module& m, http::App& app, http::Request& request) {
    auto c = Own(m, app, request);
    if (!c) return Fail(c.error());
    return PdfResponse(m, app, *c);
}

// --- the desk ----------------------------------------------------------------------------

bool StaffCovers(const http::Principal& p, const Certificate& c, const std::optional<archives::Person>& person) {
    if (!c.branch_code.empty() && archives::CoversRegion(p, kDeskRoles, c.branch_code)) return true;
    return person && archives::CoversPerson(p, kDeskRoles, *person);
}

// The certificate :id when the caller's grant covers its branch or its person.
Result<Certificate> AtDesk(Module& m, http::App& app, const http::Request& request) {
    auto found = FindById(Ctx(app, m), request.Param("id"));
    if (!found) return found.error();
    if (!*found) return NotFound();
    auto person = archives::FindPersonById(*app.db, app.keyring, (*found)->person_id);
    if (!person) return person.error();
    if (!StaffCovers(*request.principal, **found, *person)) {
        return MakeError(ErrorCode::kForbidden, "这份证明不在您的管辖范围内", "id", "forbidden");
    }
    return std::move(**found);
}


http::Response Search(Module& m, http::App& app, http::Request& request) {
    auto purpose = archives::PurposeOf(request);
    if (!purpose) return Fail(purpose.error());
    const Context ctx = Ctx(app, m);
    std::vector<Certificate> found;
    const std::string number = request.QueryParam("number").value_or("");
    const std::string id_number = request.QueryParam("id_number").value_or("");
    std::optional<archives::Person> person;
    if (!number.empty()) {
        auto n = NormaliseNumber(number);
        if (!n) return Fail(n.error());
        auto c = FindByNumber(ctx, *n);
        if (!c) return Fail(c.error());
        if (*c) found.push_back(std::move(**c));
    } else if (!id_number.empty()) {
        auto id = core::ValidateIdNumber(id_number, core::BusinessDate(app.clock->Now()));
        if (!id) return Fail(id.error());
        auto p = archives::FindPersonByIdNumber(*app.db, app.keyring, id->normalized);
        if (!p) return Fail(p.error());
        if (*p) {
            person = **p;
            auto list = OfPerson(ctx, person->id);
            if (!list) return Fail(list.error());
            found = std::move(*list);
        }
    } else {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "请输入证明编号或身份证号码", "number", "query_required"));
    }
    json out = json::array();
    for (const auto& c : found) {
        auto p = person ? Result<std::optional<archives::Person>>(person)
                        : archives::FindPersonById(*app.db, app.keyring, c.person_id);
        if (!p) return Fail(p.error());
        if (!StaffCovers(*request.principal, c, *p)) continue;
        if (Status s = Audit(app, request, "certificate.read", c, {}, *purpose); !s) return Fail(s.error());
        out.push_back(StaffJson(m, app, c));
    }
    return Private(http::Response::Json({{"certificates", std::move(out)}}));
}

http::Response DeskOne(Module& m, http::App& app, http::Request& request) {
    auto purpose = archives::PurposeOf(request);
    if (!purpose) return Fail(purpose.error());
    auto c = AtDesk(m, app, request);
    if (!c) return Fail(c.error());
    auto checks = ChecksOf(Ctx(app, m), c->id);
    if (!checks) return Fail(checks.error());
    if (Status s = Audit(app, request, "certificate.read", *c, {}, *purpose); !s) return Fail(s.error());
    json view = StaffJson(m, app, *c);
    view["checks"] = ChecksJson(*checks);
    return Private(http::Response::Json({{"certificate", std::move(view)}}));
}

http::Response DeskPdf(Module& m, http::App& app, http::Request& request) {
    auto c = AtDesk(m, app, request);
    if (!c) return Fail(c.error());
    if (Status s = Audit(app, request, "certificate.pdf", *c); !s) return Fail(s.error());
    return PdfResponse(m, app, *c);
}

http::Response DeskRevoke(Module& m, http::App& app, http::Request& request) {
    auto body = request.Json();
    if (!body) return Fail(body.error());
    auto reason = http::TextMember(*body, "reason", 800);
    if (!reason) return Fail(reason.error());
    auto c = AtDesk(m, app, request);
    if (!c) return Fail(c.error());
    auto revoked = Revoke(Ctx(app, m), c->id, request.principal->subject_id, *reason);
    if (!revoked) return Fail(revoked.error());
    if (Status s = Audit(app, request, "certificate.revoke", *revoked, {{"reason", *revoked->revoke_reason}}); !s) {
        return Fail(s.error());
    }
    return Private(http::Response::Json({{"certificate", StaffJson(m, app, *revoked)}}));
}

std::string VerifyUrlOf(const core::Config& config) {
    std::string url = config.certificates.verify_url;
    if (url.empty()) url = "http://" + config.server.listen + "/v/";
    if (url.back() != '/') url += '/';
    return url;
}

}  // namespace

void Register(http::App& app) {
    auto m = std::make_shared<Module>(Module{
        Settings{app.config.certificates.organisation, VerifyUrlOf(app.config),
                 static_cast<int>(app.config.certificates.validity_days)},
        KeySet{},
        db::BlobStore(core::BesideKeyFile(app.config, app.config.storage.blob_dir, "blobs")),
        static_cast<std::size_t>(app.config.certificates.max_upload_bytes)});
    const std::string key_dir = core::BesideKeyFile(app.config, app.config.certificates.key_dir, "cert-keys");
    if (auto keys = LoadKeyDir(key_dir, app.config.certificates.signing_key); keys) {
        m->keys = std::move(*keys);
        if (m->keys.signing) {
            spdlog::info("certificates: signing with key {} ({} published)", m->keys.signing_kid, m->keys.published.size());
        } else {
            spdlog::warn("certificates: no signing key in {} — issuing is off until `dangan cert keygen`", key_dir);
        }
    } else {
        spdlog::error("certificates: {} — issuing is off", keys.error().message);
    }
    using Handler = http::Response (*)(Module&, http::App&, http::Request&);
    auto route = [&app, m](http::Method method, const char* path, http::Access access, Handler handler) {
        http::App* a = &app;
        app.router.Add(method, path, std::move(access), [a, m, handler](http::Request& r) { return handler(*m, *a, r); });
    };
    using M = http::Method;
    const http::Access citizen = http::Access::Roles({"citizen"});
    const http::Access desk = http::Access::Roles({"window_clerk", "branch_admin"});
    route(M::kGet, "/.well-known/dangan-keys.json", http::Access::Public(), Keys);
    route(M::kPost, "/api/v1/certificates/verify", http::Access::Public(), Verify);
    app.router.SetBodyLimit(M::kPost, "/api/v1/certificates/verify", m->max_upload_bytes);
    route(M::kPost, "/api/v1/me/certificates", citizen, IssueMine);
    route(M::kGet, "/api/v1/me/certificates", citizen, Mine);
    route(M::kGet, "/api/v1/me/certificates/:id", citizen, MineOne);
    route(M::kGet, "/api/v1/me/certificates/:id/pdf", citizen, MinePdf);
    route(M::kPost, "/api/v1/certificates", desk, IssueAtDesk);
    route(M::kGet, "/api/v1/certificates", desk, Search);
    route(M::kGet, "/api/v1/certificates/:id", desk, DeskOne);
    route(M::kGet, "/api/v1/certificates/:id/pdf", desk, DeskPdf);
    route(M::kPost, "/api/v1/certificates/:id/revoke", desk, DeskRevoke);
}

Status EnsureSigningKey(http::App& app) {
    return EnsureKey(core::BesideKeyFile(app.config, app.config.certificates.key_dir, "cert-keys"),
                     Today(app));
}

}  // namespace dangan::certificates
