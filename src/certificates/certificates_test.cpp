#include "certificates/certificates.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "archives/persons.hpp"
#include "archives/records.hpp"
#include "certificates/code.hpp"
#include "certificates/pdf.hpp"
#include "identity/testing.hpp"

namespace dangan::certificates {
namespace {

using namespace std::chrono;
using db::testutil::Why;

class CertificatesTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        blob_dir_ = (std::filesystem::temp_directory_path() / ("dangan-blobs-" + core::HexEncode(core::SecureRandom(6))))
                        .string();
        blobs_ = std::make_unique<db::BlobStore>(blob_dir_);
        keys_set_.signing_kid = "k1";
        keys_set_.signing = core::Sm2Key::Generate().value();
        keys_set_.published.emplace("k1", keys_set_.signing->PublicOnly());
        settings_ = Settings{"长春市社会保险档案管理中心", "https://dangan.example.cn/v/", 90};
        Status made = db().Transaction([&](db::Connection& c) -> Status {
            auto holder = archives::UpsertHolder(c, clock_,
                                                 archives::Holder{"", "2201-ZX", "长春市社会保险档案管理中心", "centre",
                                                                  "人民大街3688号", "0431-88771234", "周一至周五", "2201"});
            if (!holder) return holder.error();
            auto b = archives::UpsertBranch(c, clock_,
                                            archives::Branch{"", "220102-001", "南关区社保服务大厅", "hall", "民康路 8 号",
                                                             "0431-88880102", "周一至周五", {"visit", "retrieval"}, "220102"});
            if (!b) return b.error();
            auto zhang = archives::CreatePerson(c, keys_, clock_, "张伟", "220102198503150015", "13904310001");
            if (!zhang) return zhang.error();
            person_ = zhang->id;
            auto wang = archives::CreatePerson(c, keys_, clock_, "王芳", "220104199007220026", "13904310002");
            if (!wang) return wang.error();
            stranger_ = wang->id;
            archives::RecordInput in;
            in.archival_code = "2201-SB-2008-000123";
            in.person_id = person_;
            in.kind = "social_insurance";
            in.holder_code = "2201-ZX";
            in.shelf_location = "A-03-12-4-0217";
            in.filed_year = 2008;
            auto record = archives::UpsertRecord(c, clock_, in);
            if (!record) return record.error();
            record_ = record->id;
            DANGAN_TRY(archives::PutItem(c, record_, archives::ArchiveItem{1, "招工登记表", "form", "1990-07", 2}));
            DANGAN_TRY(archives::PutItem(c, record_, archives::ArchiveItem{2, "转正定级表", "form", "1991-08", 1}));
            return Ok();
        });
        ASSERT_TRUE(made.ok()) << Why(made);
    }

    void TearDown() override {
        std::filesystem::remove_all(blob_dir_);
        MigratedDatabaseTest::TearDown();
    }

    Context Ctx() { return Context{db(), keys_, clock_, keys_set_, *blobs_, settings_}; }

    IssueRequest Request(Kind kind = Kind::kLocation) {
        IssueRequest r;
        r.person_id = person_;
        r.kind = kind;
        r.purpose = "notary";
        r.branch_code = "220102-001";
        r.channel = "window";
        r.issued_by = "clerk";
        if (kind == Kind::kItems) {
            r.record_id = record_;
            r.item_seqs = {2};
        }
        return r;
    }

    Certificate MustIssue(const IssueRequest& r) {
        auto issued = Issue(Ctx(), r, std::nullopt);
        EXPECT_TRUE(issued.ok()) << Why(issued);
        return issued.ok() ? issued->certificate : Certificate{};
    }

    std::string blob_dir_;
    std::unique_ptr<db::BlobStore> blobs_;
    KeySet keys_set_;
    Settings settings_;
    std::string person_, stranger_, record_;
};

TEST_P(CertificatesTest, IssuesNumberedSignedCertificatesWithTheirPdf) {
    const Certificate a = MustIssue(Request());
    const Certificate b = MustIssue(Request(Kind::kItems));
    EXPECT_EQ(a.number, FormatNumber(2026, "220102", 1));
    EXPECT_EQ(b.number, FormatNumber(2026, "220102", 2));
    EXPECT_EQ(a.valid_until, "2026-05-30");  // 90 days counting 2026-03-02
    EXPECT_EQ(a.content["subject"]["id_number"], "2201**********0015");
    EXPECT_EQ(a.content["records"][0]["holder"]["name"], "长春市社会保险档案管理中心");
    EXPECT_FALSE(a.content["records"][0].contains("items"));
    ASSERT_EQ(b.content["records"][0]["items"].size(), 1u);
    EXPECT_EQ(b.content["records"][0]["items"][0]["title"], "转正定级表");
    // The PDF is stored under its SM3, reprints are byte for byte, and it carries the signed code.
    auto pdf = PdfOf(Ctx(), a);
    ASSERT_TRUE(pdf.ok()) << Why(pdf);
    EXPECT_EQ(core::Sm3Hex(*pdf), a.pdf_sm3);
    EXPECT_EQ(CodeInPdf(*pdf).value_or(""), a.code);
    const Checked offline = VerifyCode(a.code, keys_set_.published, core::BusinessDate(clock_.Now()));
    EXPECT_EQ(offline.verdict, Verdict::kValid);
    EXPECT_EQ(offline.payload->content_hash, ContentHash(a.content_json));
    EXPECT_EQ(offline.payload->subject_hash, SubjectHash(a.number, "220102198503150015", "张伟"));
}

TEST_P(CertificatesTest, BadRequestsNameTheirFieldAndStoreNothing) {
    auto reason = [&](IssueRequest r) {
        auto issued = Issue(Ctx(), r, std::nullopt);
        return issued.ok() ? std::string("ok") : issued.error().field + "/" + issued.error().reason;
    };
    IssueRequest r = Request();
    r.purpose = "";
    EXPECT_EQ(reason(r), "purpose/purpose_required");
    r.purpose = "other";
    EXPECT_EQ(reason(r), "purpose_detail/purpose_detail_required");
    r = Request(Kind::kItems);
    r.item_seqs = {};
    EXPECT_EQ(reason(r), "item_seqs/items_required");
    r.item_seqs = {9};
    EXPECT_EQ(reason(r), "item_seqs/invalid_items");
    r.record_id = "";
    EXPECT_EQ(reason(r), "record_id/record_required");
    r = Request(Kind::kItems);
    r.person_id = stranger_;  // someone else's record
    EXPECT_EQ(reason(r), "record_id/no_archive");
    r = Request();
    r.record_id = "01900000-0000-7000-8000-000000000000";
    EXPECT_EQ(reason(r), "record_id/record_not_found");
    auto rows = db().Query("SELECT COUNT(*) FROM certificates");
    ASSERT_TRUE(rows.ok());
    EXPECT_EQ(rows->rows.front().Int(0), 0);
}

TEST_P(CertificatesTest, VerifiesOnlineCountsEveryCheckAndSaysRevokedAfterRevocation) {
    const Certificate c = MustIssue(Request());
    auto genuine = VerifyCodeOnline(Ctx(), settings_.verify_url + c.code, "qr");
    ASSERT_TRUE(genuine.ok()) << Why(genuine);
    EXPECT_EQ(genuine->result, "genuine");
    EXPECT_TRUE(genuine->show_content);
    auto by_number = VerifyNumber(Ctx(), DisplayNumber(c.number));
    ASSERT_TRUE(by_number.ok());
    EXPECT_EQ(by_number->result, "genuine");
    EXPECT_FALSE(by_number->show_content);

    EXPECT_EQ(Revoke(Ctx(), c.id, "clerk", " ").error().reason, "reason_required");
    auto revoked = Revoke(Ctx(), c.id, "clerk", "申请人信息有误，重新出具");
    ASSERT_TRUE(revoked.ok()) << Why(revoked);
    EXPECT_EQ(Revoke(Ctx(), c.id, "clerk", "再次撤销").error().reason, "already_revoked");
    auto after = VerifyCodeOnline(Ctx(), c.code, "qr");
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->result, "revoked");

    auto checks = ChecksOf(Ctx(), c.id);
    ASSERT_TRUE(checks.ok());
    ASSERT_EQ(checks->size(), 3u);
    EXPECT_EQ((*checks)[0].result, "revoked");
    EXPECT_EQ((*checks)[1].method, "number");
    auto stored = FindById(Ctx(), c.id);
    ASSERT_TRUE(stored.ok() && *stored);
    EXPECT_EQ((*stored)->check_count, 3);
}

TEST_P(CertificatesTest, ExpiredUnknownInvalidAndAlteredAreToldApart) {
    const Certificate c = MustIssue(Request());
    // Unknown: a well-formed number never issued.
    auto unknown = VerifyNumber(Ctx(), FormatNumber(2026, "220102", 99));
    ASSERT_TRUE(unknown.ok());
    EXPECT_EQ(unknown->result, "unknown");
    EXPECT_EQ(VerifyNumber(Ctx(), "2026220102000099").error().reason, "invalid_number");
    // Invalid: one changed character of the code.
    std::string changed = c.code;  // a character of the signature
    const std::size_t at = changed.size() - 20;
    changed[at] = changed[at] == 'A' ? 'B' : 'A';
    auto invalid = VerifyCodeOnline(Ctx(), changed, "qr");
    ASSERT_TRUE(invalid.ok());
    EXPECT_EQ(invalid->result, "invalid");
    EXPECT_FALSE(invalid->certificate);
    // Not a certificate code at all: an error naming the field, not a verdict.
    EXPECT_EQ(VerifyCodeOnline(Ctx(), "hello, world", "qr").error().reason, "invalid_code");
    EXPECT_EQ(VerifyCodeOnline(Ctx(), "WECHAT", "photo").error().field, "file");
    EXPECT_EQ(VerifyCodeOnline(Ctx(), "  ", "qr").error().reason, "code_required");
    // Altered: the PDF with one byte changed still names the real certificate.
    std::string pdf = PdfOf(Ctx(), c).value();
    auto same = VerifyPdf(Ctx(), pdf);
    ASSERT_TRUE(same.ok());
    EXPECT_EQ(same->result, "genuine");
    EXPECT_TRUE(same->pdf_matches.value_or(false));
    pdf[pdf.size() / 2] ^= 0x20;
    auto altered = VerifyPdf(Ctx(), pdf);
    ASSERT_TRUE(altered.ok());
    EXPECT_EQ(altered->result, "altered");
    EXPECT_FALSE(altered->pdf_matches.value_or(true));
    EXPECT_EQ(VerifyPdf(Ctx(), "not a pdf").error().reason, "invalid_pdf");
    // Expired: the day after the last valid day.
    clock_.Set(core::FromShanghai(local_days{2026y / May / 31} + 9h));
    auto expired = VerifyCodeOnline(Ctx(), c.code, "qr");
    ASSERT_TRUE(expired.ok());
    EXPECT_EQ(expired->result, "expired");
}

TEST_P(CertificatesTest, ConcurrentIssuesGetDistinctNumbersAndAKeyReplays) {
    std::vector<std::string> numbers;
    std::mutex mutex;
    std::vector<std::thread> threads;
    for (int i = 0; i < 6; ++i) {
        threads.emplace_back([&] {
            auto issued = Issue(Ctx(), Request(), std::nullopt);
            std::lock_guard lock(mutex);
            numbers.push_back(issued.ok() ? issued->certificate.number : "error: " + issued.error().message);
        });
    }
    for (auto& t : threads) t.join();
    const std::set<std::string> distinct(numbers.begin(), numbers.end());
    EXPECT_EQ(distinct.size(), 6u);
    for (const auto& n : numbers) EXPECT_TRUE(NormaliseNumber(n).ok()) << n;

    const http::IdempotencyKey key{"clerk", "certificate", "retry-1", "hash-1"};
    auto first = Issue(Ctx(), Request(), key);
    auto again = Issue(Ctx(), Request(), key);
    ASSERT_TRUE(first.ok() && again.ok());
    EXPECT_FALSE(first->replay);
    EXPECT_TRUE(again->replay);
    EXPECT_EQ(first->certificate.id, again->certificate.id);
    auto mine = OfPerson(Ctx(), person_);
    ASSERT_TRUE(mine.ok());
    EXPECT_EQ(mine->size(), 7u);
}

TEST_P(CertificatesTest, WithoutASigningKeyNothingIsIssued) {
    keys_set_.signing.reset();
    keys_set_.signing_kid.clear();
    auto issued = Issue(Ctx(), Request(), std::nullopt);
    ASSERT_FALSE(issued.ok());
    EXPECT_EQ(issued.error().reason, "signing_unavailable");
    EXPECT_EQ(issued.error().code, ErrorCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Backends, CertificatesTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::certificates
