// Issuing and the stored certificates: content from the archives, number, signature, PDF, rows.

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "appointments/model.hpp"
#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "archives/rules.hpp"
#include "certificates/certificates.hpp"
#include "certificates/code.hpp"
#include "certificates/pdf.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "core/validators.hpp"

namespace dangan::certificates {

namespace {

using nlohmann::json;

constexpr std::string_view kOnlineHall = "网上服务大厅";
constexpr std::string_view kColumns =
    "id, number, person_id, kind, purpose, content_json, branch_code, channel, issued_by, issued_at_ms, issued_on, "
    "valid_until, key_id, code, pdf_sm3, revoked_at_ms, revoked_by, revoke_reason, check_count, last_checked_at_ms";

Error Invalid(std::string message, std::string field, std::string reason) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), std::move(field), std::move(reason));
}

Certificate FromRow(const db::Row& row) {
    Certificate c;
    c.id = row.Text(0);
    c.number = row.Text(1);
    c.person_id = row.Text(2);
    c.kind = ParseKind(row.Text(3)).value_or(Kind::kLocation);
    c.purpose = row.Text(4);
    c.content_json = row.Text(5);
    c.content = json::parse(c.content_json, nullptr, false);
    c.branch_code = row.Text(6);
    c.channel = row.Text(7);
    c.issued_by = row.OptText(8);
    c.issued_at_ms = row.Int(9);
    c.issued_on = row.Text(10);
    c.valid_until = row.Text(11);
    c.key_id = row.Text(12);
    c.code = row.Text(13);
    c.pdf_sm3 = row.Text(14);
    c.revoked_at_ms = row.OptInt(15);
    c.revoked_by = row.OptText(16);
    c.revoke_reason = row.OptText(17);
    c.check_count = row.Int(18);
    c.last_checked_at_ms = row.OptInt(19);
    return c;
}

Result<std::optional<Certificate>> FindWhere(const Context& ctx, std::string_view where, const std::string& value) {
    auto rs = ctx.db.Query(fmt::format("SELECT {} FROM certificates WHERE {} = ?", kColumns, where), {value});
    if (!rs) return rs.error();
    if (rs->empty()) return std::optional<Certificate>();
    return std::optional<Certificate>(FromRow(rs->rows.front()));
}

Status CheckRequest(const IssueRequest& r) {
    if (!appointments::ParsePurpose(r.purpose)) {
        return r.purpose.empty() ? Invalid("请选择证明用途", "purpose", "purpose_required")
                                 : Invalid("证明用途不在可选范围内", "purpose", "invalid_purpose");
    }
    if (*appointments::ParsePurpose(r.purpose) == "other" && core::TrimSpaces(r.purpose_detail).empty()) {
        return Invalid("用途选择“其他”时，请写明具体用途", "purpose_detail", "purpose_detail_required");
    }
    if (core::CountCharacters(r.purpose_detail) > 200) {
        return Invalid("用途说明最多 200 字", "purpose_detail", "invalid_purpose");
    }
    if (r.kind == Kind::kItems) {
        if (r.record_id.empty()) return Invalid("请选择要证明的档案", "record_id", "record_required");
        if (r.item_seqs.empty()) return Invalid("请至少选择一份卷内材料", "item_seqs", "items_required");
        if (r.item_seqs.size() > 100) return Invalid("一次最多证明 100 份材料", "item_seqs", "invalid_items");
    }
    return Ok();
}

// The records the certificate names, with only the chosen items for kind items.
Result<std::vector<archives::ArchiveRecord>> ChosenRecords(const Context& ctx, const IssueRequest& r) {
    auto records = archives::RecordsOfPerson(ctx.db, r.person_id, r.kind == Kind::kItems);
    if (!records) return records.error();
    if (records->empty()) {
        return MakeError(ErrorCode::kConflict, "本中心没有该人员的档案记录，无法出具查档证明", "record_id", "no_archive");
    }
    if (r.record_id.empty()) return records;
    auto it = std::find_if(records->begin(), records->end(), [&](const auto& rec) { return rec.id == r.record_id; });
    if (it == records->end()) {
        return MakeError(ErrorCode::kNotFound, "没有找到这份档案", "record_id", "record_not_found");
    }
    archives::ArchiveRecord record = std::move(*it);
    if (r.kind == Kind::kItems) {
        const std::set<int> wanted(r.item_seqs.begin(), r.item_seqs.end());
        std::vector<archives::ArchiveItem> items;
        for (auto& item : record.items) {
            if (wanted.contains(item.seq)) items.push_back(std::move(item));
        }
        if (items.size() != wanted.size()) {
            return Invalid("所选材料不在这份档案的卷内目录中", "item_seqs", "invalid_items");
        }
        record.items = std::move(items);
    }
    return std::vector<archives::ArchiveRecord>{std::move(record)};
}

json ContentOf(const IssueRequest& r, const archives::Person& person, const std::vector<archives::ArchiveRecord>& records,
               const std::string& number, const std::string& branch_name, const Settings& settings,
               const std::string& issued_on, const std::string& valid_until) {
    const std::string purpose = *appointments::ParsePurpose(r.purpose);
    json list = json::array();
    for (const auto& rec : records) {
        json entry = {{"archival_code", rec.archival_code},
                      {"kind_label", std::string(archives::LabelOf(archives::RecordKinds(), rec.kind))},
                      {"holder",
                       {{"name", rec.holder.name}, {"address", rec.holder.address}, {"phone", rec.holder.phone}}}};
        if (r.kind == Kind::kItems) {
            json items = json::array();
            for (const auto& item : rec.items) {
                items.push_back({{"seq", item.seq},
                                 {"title", item.title},
                                 {"doc_date", item.doc_date},
                                 {"page_count", item.page_count}});
            }
            entry["items"] = std::move(items);
        }
        list.push_back(std::move(entry));
    }
    return {{"v", 1},
            {"number", number},
            {"kind", std::string(KindName(r.kind))},
            {"subject", {{"name", person.name}, {"id_number", core::MaskIdNumber(person.id_number)}}},
            {"purpose", purpose},
            {"purpose_label", appointments::PurposeLabel(purpose)},
            {"purpose_detail", std::string(core::TrimSpaces(r.purpose_detail))},
            {"records", std::move(list)},
            {"issuer",
             {{"organisation", settings.organisation}, {"branch_code", r.branch_code}, {"branch_name", branch_name}}},
            {"issued_on", issued_on},
            {"valid_until", valid_until}};
}

// The next serial of `prefix`, in a statement of its own so that issuing runs in parallel; a
// failed issue afterwards leaves a gap.
Result<std::int64_t> NextSerial(const Context& ctx, const std::string& prefix) {
    auto rs = ctx.db.Query(
        "INSERT INTO certificate_counters (prefix, last_serial) VALUES (?, 1) ON CONFLICT (prefix) DO UPDATE "
        "SET last_serial = certificate_counters.last_serial + 1 RETURNING last_serial",
        {prefix});
    if (!rs) {
        if (rs.error().reason == "constraint_violation") {
            return MakeError(ErrorCode::kConflict, "本年度该区县的证明编号已用完，请联系系统管理员", "", "numbers_exhausted");
        }
        return rs.error();
    }
    return rs->rows.front().Int(0);
}

Result<Issued> Replay(const Context& ctx, const std::string& id) {
    auto found = FindById(ctx, id);
    if (!found) return found.error();
    if (!*found) return MakeError(ErrorCode::kInternal, "幂等记录指向不存在的证明", "", "idempotency_dangling");
    return Issued{std::move(**found), true};
}

}  // namespace

std::optional<Kind> ParseKind(std::string_view s) {
    if (s == "location") return Kind::kLocation;
    if (s == "items") return Kind::kItems;
    return std::nullopt;
}

std::string_view KindName(Kind k) { return k == Kind::kItems ? "items" : "location"; }

std::string StatusOf(const Certificate& c, const std::string& today) {
    if (c.revoked_at_ms) return "revoked";
    if (today > c.valid_until) return "expired";
    return "valid";
}

Result<Issued> Issue(const Context& ctx, const IssueRequest& r, const std::optional<http::IdempotencyKey>& idem) {
    if (idem) {
        auto earlier = http::FindIdempotent(ctx.db, *idem);
        if (!earlier) return earlier.error();
        if (*earlier) return Replay(ctx, **earlier);
    }
    DANGAN_TRY(CheckRequest(r));
    if (!ctx.keys.signing) {
        return MakeError(ErrorCode::kUnavailable, "本节点未配置证明签名密钥，暂时无法出具证明，请联系系统管理员", "",
                         "signing_unavailable");
    }
    auto person = archives::FindPersonById(ctx.db, ctx.keyring, r.person_id);
    if (!person) return person.error();
    if (!*person) return MakeError(ErrorCode::kNotFound, "未找到该人员", "id_number", "person_not_found");
    auto records = ChosenRecords(ctx, r);
    if (!records) return records.error();

    std::string district;
    std::string branch_name(kOnlineHall);
    if (!r.branch_code.empty()) {
        auto branch = archives::FindBranchByCode(ctx.db, r.branch_code);
        if (!branch) return branch.error();
        if (!*branch) return MakeError(ErrorCode::kNotFound, "没有这个网点", "branch_code", "branch_not_found");
        branch_name = (*branch)->name;
        district = (*branch)->region_code;
    } else {  // the online hall numbers under the city: the first four digits of the holder's region
        district = records->front().holder.region_code.substr(0, 4) + "00";
    }
    district = (district + "000000").substr(0, 6);

    const core::TimePoint now = ctx.clock.Now();
    const Date today = core::BusinessDate(now);
    const Date last_day{std::chrono::sys_days(today) + std::chrono::days(ctx.settings.validity_days - 1)};
    const std::string prefix = fmt::format("{:04}{}", static_cast<int>(today.year()), district);
    auto serial = NextSerial(ctx, prefix);
    if (!serial) return serial.error();

    Payload payload;
    payload.key_id = ctx.keys.signing_kid;
    payload.number = FormatNumber(static_cast<int>(today.year()), district, *serial);
    payload.issued_on = today;
    payload.valid_until = last_day;
    payload.subject_hash = SubjectHash(payload.number, (*person)->id_number, (*person)->name);
    const json content = ContentOf(r, **person, *records, payload.number, branch_name, ctx.settings,
                                   core::FormatDate(today), core::FormatDate(last_day));
    const std::string canonical = content.dump(-1, ' ', false, json::error_handler_t::replace);
    payload.content_hash = ContentHash(canonical);
    auto code = SignCode(*ctx.keys.signing, payload);
    if (!code) return code.error();

    PdfInput pdf_in{content, ctx.settings.verify_url + *code, *code, ctx.settings.verify_url, now};
    auto pdf_hash = ctx.blobs.Put(RenderPdf(pdf_in));
    if (!pdf_hash) return pdf_hash.error();

    Certificate c;
    c.id = core::NewId(ctx.clock);
    c.number = payload.number;
    c.person_id = r.person_id;
    c.kind = r.kind;
    c.purpose = content["purpose"];
    c.content_json = canonical;
    c.content = content;
    c.branch_code = r.branch_code;
    c.channel = r.channel;
    c.issued_by = r.issued_by;
    c.issued_at_ms = core::UnixMillis(now);
    c.issued_on = core::FormatDate(today);
    c.valid_until = core::FormatDate(last_day);
    c.key_id = payload.key_id;
    c.code = *code;
    c.pdf_sm3 = *pdf_hash;
    Status done = ctx.db.DurableTransaction([&](db::Connection& conn) -> Status {
        auto rs = conn.Query(
            "INSERT INTO certificates (id, number, person_id, kind, purpose, content_json, branch_code, channel, "
            "issued_by, issued_at_ms, issued_on, valid_until, key_id, code, pdf_sm3) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {c.id, c.number, c.person_id, std::string(KindName(c.kind)), c.purpose, c.content_json, c.branch_code,
             c.channel, c.issued_by ? db::Value(*c.issued_by) : db::Value(nullptr), c.issued_at_ms, c.issued_on,
             c.valid_until, c.key_id, c.code, c.pdf_sm3});
        if (!rs) return rs.error();
        if (idem) DANGAN_TRY(http::RememberIdempotent(conn, *idem, c.id, c.issued_at_ms));
        return Ok();
    });
    if (!done) {
        if (idem && done.error().reason == "unique_violation") {
            auto earlier = http::FindIdempotent(ctx.db, *idem);
            if (!earlier) return earlier.error();
            if (*earlier) return Replay(ctx, **earlier);
        }
        return done.error();
    }
    return Issued{std::move(c), false};
}

Result<std::optional<Certificate>> FindById(const Context& ctx, const std::string& id) {
    return FindWhere(ctx, "id", id);
}

Result<std::optional<Certificate>> FindByNumber(const Context& ctx, const std::string& number) {
    return FindWhere(ctx, "number", number);
}

Result<std::vector<Certificate>> OfPerson(const Context& ctx, const std::string& person_id) {
    auto rs = ctx.db.Query(
        fmt::format("SELECT {} FROM certificates WHERE person_id = ? ORDER BY issued_at_ms DESC, id DESC", kColumns),
        {person_id});
    if (!rs) return rs.error();
    std::vector<Certificate> out;
    for (const auto& row : rs->rows) out.push_back(FromRow(row));
    return out;
}

Result<Certificate> Revoke(const Context& ctx, const std::string& id, const std::string& actor_id,
                           const std::string& reason) {
    const std::string why(core::TrimSpaces(reason));
    const auto length = core::CountCharacters(why);
    if (length < 2 || length > 200) {
        return Invalid(why.empty() ? "请填写撤销原因" : "撤销原因应为 2 至 200 字", "reason", "reason_required");
    }
    auto rs = ctx.db.Query(
        "UPDATE certificates SET revoked_at_ms = ?, revoked_by = ?, revoke_reason = ? "
        "WHERE id = ? AND revoked_at_ms IS NULL",
        {core::UnixMillis(ctx.clock.Now()), actor_id, why, id});
    if (!rs) return rs.error();
    auto found = FindById(ctx, id);
    if (!found) return found.error();
    if (!*found) return MakeError(ErrorCode::kNotFound, "没有找到这份证明", "id", "certificate_not_found");
    if (rs->affected == 0) {
        return MakeError(ErrorCode::kConflict, "这份证明已经撤销过了", "id", "already_revoked");
    }
    return std::move(**found);
}

Result<std::string> PdfOf(const Context& ctx, const Certificate& c) { return ctx.blobs.Get(c.pdf_sm3); }

Result<std::vector<Check>> ChecksOf(const Context& ctx, const std::string& certificate_id, int limit) {
    auto rs = ctx.db.Query(
        "SELECT checked_at_ms, method, result FROM certificate_checks WHERE certificate_id = ? "
        "ORDER BY checked_at_ms DESC, id DESC LIMIT ?",
        {certificate_id, static_cast<std::int64_t>(limit)});
    if (!rs) return rs.error();
    std::vector<Check> out;
    for (const auto& row : rs->rows) out.push_back(Check{row.Int(0), row.Text(1), row.Text(2)});
    return out;
}

}  // namespace dangan::certificates
