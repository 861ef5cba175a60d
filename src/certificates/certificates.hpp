#pragma once

// 查档证明: issuing (content from the archives, number, signature, PDF), finding, revoking and
// verifying online. Handlers (routes.cpp) call these; the code format is code.hpp, the keys
// keys.hpp, the PDF pdf.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "certificates/keys.hpp"
#include "core/clock.hpp"
#include "core/keyring.hpp"
#include "core/result.hpp"
#include "db/blob_store.hpp"
#include "db/database.hpp"
#include "http/idempotency.hpp"

namespace dangan::certificates {

struct Settings {
    std::string organisation;
    std::string verify_url;  // ends in "/v/"
    int validity_days = 90;
};

struct Context {
    db::Database& db;
    const core::Keyring& keyring;
    const core::Clock& clock;
    const KeySet& keys;
    const db::BlobStore& blobs;
    const Settings& settings;
};

enum class Kind { kLocation, kItems };
std::optional<Kind> ParseKind(std::string_view s);
std::string_view KindName(Kind k);

struct IssueRequest {
    std::string person_id;
    Kind kind = Kind::kLocation;
    std::string purpose;         // appointments::Purposes() code or label
    std::string purpose_detail;  // required for "other"
    std::string record_id;       // items: required; location: optional (all records when empty)
    std::vector<int> item_seqs;  // items
    std::string branch_code;     // "" = the online hall
    std::string channel;         // window, web, mobile, kiosk
    std::optional<std::string> issued_by;  // staff user id
};

struct Certificate {
    std::string id;
    std::string number;
    std::string person_id;
    Kind kind = Kind::kLocation;
    std::string purpose;
    std::string content_json;  // canonical text, as signed (ContentHash)
    nlohmann::json content;    // the same, parsed
    std::string branch_code;
    std::string channel;
    std::optional<std::string> issued_by;
    std::int64_t issued_at_ms = 0;
    std::string issued_on;
    std::string valid_until;
    std::string key_id;
    std::string code;
    std::string pdf_sm3;
    std::optional<std::int64_t> revoked_at_ms;
    std::optional<std::string> revoked_by;
    std::optional<std::string> revoke_reason;
    std::int64_t check_count = 0;
    std::optional<std::int64_t> last_checked_at_ms;
};

// "valid", "expired" or "revoked" on `today` (YYYY-MM-DD).
std::string StatusOf(const Certificate& c, const std::string& today);

struct Issued {
    Certificate certificate;
    bool replay = false;  // the Idempotency-Key named an earlier issue
};

// Validates, reads the person and their archive, numbers, signs, renders and stores the PDF,
// then records it. Errors name the field (api-certificates.md). A failed issue stores nothing
// but may leave a gap in the serials.
Result<Issued> Issue(const Context& ctx, const IssueRequest& r, const std::optional<http::IdempotencyKey>& idem);

Result<std::optional<Certificate>> FindById(const Context& ctx, const std::string& id);
Result<std::optional<Certificate>> FindByNumber(const Context& ctx, const std::string& number);
// Newest first.
Result<std::vector<Certificate>> OfPerson(const Context& ctx, const std::string& person_id);

// kConflict "already_revoked"; the reason is 2–200 characters (field "reason").
Result<Certificate> Revoke(const Context& ctx, const std::string& id, const std::string& actor_id,
                           const std::string& reason);

// The issued PDF, byte for byte.
Result<std::string> PdfOf(const Context& ctx, const Certificate& c);

struct Check {
    std::int64_t at_ms = 0;
    std::string method;
    std::string result;
};
Result<std::vector<Check>> ChecksOf(const Context& ctx, const std::string& certificate_id, int limit = 200);

// --- online verification -----------------------------------------------------------------

struct Verification {
    std::string result;  // genuine, revoked, expired, unknown, invalid, altered
    std::string method;  // qr, number, pdf, photo
    std::string reason;  // Chinese, empty when genuine
    std::optional<Certificate> certificate;
    bool show_content = false;        // the caller showed the whole code (or the issued PDF)
    std::optional<bool> pdf_matches;  // method pdf
};

// A scanned or typed code (URL or text); `method` is "qr" or "photo". Invalid input is a
// verification result (invalid), not an error; only empty input is kInvalidArgument.
Result<Verification> VerifyCodeOnline(const Context& ctx, const std::string& scanned, const std::string& method);
// A typed number: kInvalidArgument "invalid_number" when malformed.
Result<Verification> VerifyNumber(const Context& ctx, const std::string& typed);
// A PDF's bytes: matches the recorded hash of an issued certificate, or else its embedded code
// is checked and a real certificate's code in another file is "altered".
Result<Verification> VerifyPdf(const Context& ctx, const std::string& pdf);

}  // namespace dangan::certificates
