#include "archives/records.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <type_traits>

#include "archives/persons.hpp"
#include "identity/testing.hpp"

namespace dangan::archives {
namespace {

using db::testutil::Why;

Holder Centre() {
    return Holder{"",
                  "JL-CENTRE",
                  "吉林省社会保险事业管理局档案中心",
                  "centre",
                  "长春市朝阳区人民大街 1 号",
                  "0431-12333",
                  "周一至周五 8:30—16:30",
                  "22"};
}

Holder Bureau(std::string code, std::string region) {
    return Holder{"",
                  std::move(code),
                  "南关区社会保险事业管理局",
                  "district_bureau",
                  "长春市南关区民康路 8 号",
                  "0431-88880102",
                  "周一至周五 8:30—16:00",
                  std::move(region)};
}

Branch Hall(std::string code, std::vector<std::string> services) {
    return Branch{"",
                  std::move(code),
                  "南关区社保服务大厅",
                  "hall",
                  "长春市南关区民康路 8 号",
                  "0431-88880102",
                  "周一至周五 8:30—16:00",
                  std::move(services),
                  ""};
}

RecordInput Record(std::string archival_code, std::string person_id, int filed_year) {
    RecordInput in;
    in.archival_code = std::move(archival_code);
    in.person_id = std::move(person_id);
    in.kind = "social_insurance";
    in.holder_code = "JL-CENTRE";
    in.shelf_location = "A-03-12-4-0217";
    in.filed_year = filed_year;
    in.retention_years = 10;
    return in;
}

class ArchiveRecordsTest : public testsupport::MigratedDatabaseTest {
protected:
    void SetUp() override {
        MigratedDatabaseTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        auto centre = PutHolder(Centre());
        ASSERT_TRUE(centre.ok()) << Why(centre);
        auto zhang = Write([&](db::Connection& c) {
            return CreatePerson(c, keys_, clock_, "张伟", "220102198503150015", "13904310001");
        });
        ASSERT_TRUE(zhang.ok()) << Why(zhang);
        auto wang = Write([&](db::Connection& c) {
            return CreatePerson(c, keys_, clock_, "王芳", "220104199007220026", "13904310002");
        });
        ASSERT_TRUE(wang.ok()) << Why(wang);
        zhang_ = zhang->id;
        wang_ = wang->id;
    }

    // Runs `fn` in a transaction, committed when it succeeds, as import and the seeder write.
    template <typename Fn>
    std::invoke_result_t<Fn&, db::Connection&> Write(Fn fn) {
        using R = std::invoke_result_t<Fn&, db::Connection&>;
        std::optional<R> out;
        Status done = db().Transaction([&](db::Connection& conn) -> Status {
            out.emplace(fn(conn));
            return out->ok() ? Ok() : Status(out->error());
        });
        if (!out) return R(done.error());
        if (!done.ok() && out->ok()) return R(done.error());
        return std::move(*out);
    }

    Result<Holder> PutHolder(Holder h) {
        return Write([&](db::Connection& c) { return UpsertHolder(c, clock_, h); });
    }
    Result<Branch> PutBranch(Branch b) {
        return Write([&](db::Connection& c) { return UpsertBranch(c, clock_, b); });
    }
    Result<ArchiveRecord> PutRecord(const RecordInput& in) {
        return Write([&](db::Connection& c) { return UpsertRecord(c, clock_, in); });
    }
    Status AddItem(const std::string& record_id, const ArchiveItem& item) {
        return Write([&](db::Connection& c) { return PutItem(c, record_id, item); });
    }
    Status AddPeriod(const std::string& person_id, const EmploymentPeriod& period) {
        return Write([&](db::Connection& c) { return PutPeriod(c, person_id, period); });
    }

    std::int64_t Count(const std::string& table) {
        auto n = db().Query("SELECT COUNT(*) FROM " + table);
        EXPECT_TRUE(n.ok()) << Why(n);
        return n.ok() ? n->rows.front().Int(0) : -1;
    }

    std::vector<std::string> Codes(const Result<std::vector<Holder>>& holders) {
        EXPECT_TRUE(holders.ok()) << Why(holders);
        std::vector<std::string> out;
        if (holders.ok()) {
            for (const Holder& h : *holders) out.push_back(h.code);
        }
        return out;
    }

    std::vector<std::string> Codes(const Result<std::vector<Branch>>& branches) {
        EXPECT_TRUE(branches.ok()) << Why(branches);
        std::vector<std::string> out;
        if (branches.ok()) {
            for (const Branch& b : *branches) out.push_back(b.code);
        }
        return out;
    }

    std::string zhang_;
    std::string wang_;
};

// A field the validation must name, and the reason it gives.
struct Refusal {
    std::string field;
    std::string reason;
};

template <typename T>
void ExpectRefused(const Result<T>& r, const Refusal& want, const std::string& what) {
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << what;
    EXPECT_EQ(r.error().field, want.field) << what;
    EXPECT_EQ(r.error().reason, want.reason) << what;
    EXPECT_FALSE(r.error().message.empty()) << what;
}

// ---- Holders ----

TEST_P(ArchiveRecordsTest, HolderUpsertInsertsThenUpdatesByCodeKeepingTheId) {
    auto first = PutHolder(Bureau("JL-0102", "220102"));
    ASSERT_TRUE(first.ok()) << Why(first);
    EXPECT_FALSE(first->id.empty());
    auto stored = FindHolderByCode(db(), "JL-0102");
    ASSERT_TRUE(stored.ok() && *stored) << Why(stored);
    EXPECT_EQ((*stored)->id, first->id);
    EXPECT_EQ((*stored)->name, "南关区社会保险事业管理局");
    EXPECT_EQ((*stored)->kind, "district_bureau");
    EXPECT_EQ((*stored)->region_code, "220102");

    clock_.Advance(std::chrono::minutes(5));
    Holder changed = Bureau(" JL-0102 ", " 2201 ");
    changed.name = " 长春市社会保险事业管理局南关分局 ";
    changed.kind = "人才服务中心";  // a label is accepted and stored as its code
    changed.phone = "0431-88889999";
    changed.opening_hours = "周一至周六 9:00—17:00";
    changed.address = "长春市南关区大马路 99 号";
    auto second = PutHolder(changed);
    ASSERT_TRUE(second.ok()) << Why(second);
    EXPECT_EQ(second->id, first->id);
    EXPECT_EQ(second->code, "JL-0102");
    auto updated = FindHolderByCode(db(), "JL-0102");
    ASSERT_TRUE(updated.ok() && *updated);
    EXPECT_EQ((*updated)->id, first->id);
    EXPECT_EQ((*updated)->name, "长春市社会保险事业管理局南关分局");
    EXPECT_EQ((*updated)->kind, "talent_centre");
    EXPECT_EQ((*updated)->phone, "0431-88889999");
    EXPECT_EQ((*updated)->opening_hours, "周一至周六 9:00—17:00");
    EXPECT_EQ((*updated)->address, "长春市南关区大马路 99 号");
    EXPECT_EQ((*updated)->region_code, "2201");
    EXPECT_EQ(Count("holders"), 2) << "the centre and this one";

    auto times = db().Query("SELECT created_at_ms, updated_at_ms FROM holders WHERE code = 'JL-0102'");
    ASSERT_TRUE(times.ok() && times->rows.size() == 1);
    EXPECT_LT(times->rows[0].Int(0), times->rows[0].Int(1)) << "created kept, updated moved";
}

TEST_P(ArchiveRecordsTest, HolderValidationNamesTheField) {
    struct Case {
        std::string what;
        std::function<void(Holder&)> change;
        Refusal want;
    };
    const std::vector<Case> cases{
        {"no code", [](Holder& h) { h.code = " "; }, {"code", "invalid_code"}},
        {"a space in the code", [](Holder& h) { h.code = "JL 01"; }, {"code", "invalid_code"}},
        {"Chinese in the code", [](Holder& h) { h.code = "吉林01"; }, {"code", "invalid_code"}},
        {"a code of 33", [](Holder& h) { h.code = std::string(33, 'A'); }, {"code", "invalid_code"}},
        {"no name", [](Holder& h) { h.name = ""; }, {"name", "missing_name"}},
        {"a name with a newline", [](Holder& h) { h.name = "南关\n分局"; }, {"name", "invalid_name"}},
        {"a name of 201", [](Holder& h) { h.name = std::string(201, 'a'); }, {"name", "invalid_name"}},
        {"a branch kind", [](Holder& h) { h.kind = "bank"; }, {"kind", "invalid_kind"}},
        {"no address", [](Holder& h) { h.address = ""; }, {"address", "missing_address"}},
        {"no phone", [](Holder& h) { h.phone = "\t"; }, {"phone", "missing_phone"}},
        {"no hours", [](Holder& h) { h.opening_hours = ""; }, {"opening_hours", "missing_opening_hours"}},
        {"no region", [](Holder& h) { h.region_code = ""; }, {"region_code", "invalid_region_code"}},
        {"a region of 3", [](Holder& h) { h.region_code = "220"; }, {"region_code", "invalid_region_code"}},
        {"a region of 7", [](Holder& h) { h.region_code = "2201020"; }, {"region_code", "invalid_region_code"}},
        {"letters in the region", [](Holder& h) { h.region_code = "22010x"; }, {"region_code", "invalid_region_code"}},
    };
    for (const Case& c : cases) {
        Holder h = Bureau("JL-0102", "220102");
        c.change(h);
        ExpectRefused(PutHolder(h), c.want, c.what);
    }
    EXPECT_TRUE(PutHolder(Bureau("JL-0102", "220102")).ok());
    EXPECT_TRUE(PutHolder(Bureau(std::string(32, 'A'), "220102")).ok()) << "a code of 32 fits";
    Holder refused = Bureau("JL-0102", "220102");
    refused.name = "";
    ASSERT_FALSE(PutHolder(refused).ok());
    EXPECT_EQ((*FindHolderByCode(db(), "JL-0102"))->name, "南关区社会保险事业管理局")
        << "a refused update changes nothing";
}

// ---- Branches ----

TEST_P(ArchiveRecordsTest, BranchUpsertInsertsThenUpdatesByCodeKeepingTheId) {
    auto first = PutBranch(Hall(" 220102-001 ", {"lookup", "查档证明", " 自助终端 "}));
    ASSERT_TRUE(first.ok()) << Why(first);
    EXPECT_EQ(first->code, "220102-001");
    EXPECT_EQ(first->region_code, "220102") << "the district comes from the code";
    EXPECT_EQ(first->services, (std::vector<std::string>{"lookup", "certificate", "kiosk"}));

    Branch changed = Hall("220102-001", {"visit"});
    changed.name = "南关区民康社区服务站";
    changed.kind = "社区服务站";
    changed.region_code = "229999";  // ignored: the code says where the branch is
    auto second = PutBranch(changed);
    ASSERT_TRUE(second.ok()) << Why(second);
    EXPECT_EQ(second->id, first->id);

    auto listed = ListBranches(db(), "", "", "", 10);
    ASSERT_TRUE(listed.ok()) << Why(listed);
    ASSERT_EQ(listed->size(), 1u);
    const Branch& b = listed->front();
    EXPECT_EQ(b.id, first->id);
    EXPECT_EQ(b.name, "南关区民康社区服务站");
    EXPECT_EQ(b.kind, "community");
    EXPECT_EQ(b.services, std::vector<std::string>{"visit"});
    EXPECT_EQ(b.region_code, "220102");

    ASSERT_TRUE(PutBranch(Hall("220102-001", {})).ok());
    listed = ListBranches(db(), "", "", "", 10);
    ASSERT_TRUE(listed.ok() && listed->size() == 1);
    EXPECT_TRUE(listed->front().services.empty()) << "a branch may offer none of the listed services";
}

TEST_P(ArchiveRecordsTest, BranchValidationNamesTheField) {
    struct Case {
        std::string what;
        std::function<void(Branch&)> change;
        Refusal want;
    };
    const std::vector<Case> cases{
        {"a short sequence", [](Branch& b) { b.code = "220102-01"; }, {"code", "invalid_code"}},
        {"no district", [](Branch& b) { b.code = "001"; }, {"code", "invalid_code"}},
        {"no code", [](Branch& b) { b.code = ""; }, {"code", "invalid_code"}},
        {"no name", [](Branch& b) { b.name = " "; }, {"name", "missing_name"}},
        {"a holder kind", [](Branch& b) { b.kind = "centre"; }, {"kind", "invalid_kind"}},
        {"no address", [](Branch& b) { b.address = ""; }, {"address", "missing_address"}},
        {"no phone", [](Branch& b) { b.phone = ""; }, {"phone", "missing_phone"}},
        {"no hours", [](Branch& b) { b.opening_hours = ""; }, {"opening_hours", "missing_opening_hours"}},
        {"an unknown service",
         [](Branch& b) {
             b.services = {"lookup", "拍照"};
         },
         {"services", "invalid_services"}},
    };
    for (const Case& c : cases) {
        Branch b = Hall("220102-001", {"lookup"});
        c.change(b);
        ExpectRefused(PutBranch(b), c.want, c.what);
    }
    EXPECT_EQ(Count("branches"), 0);
}

// ---- Records ----

TEST_P(ArchiveRecordsTest, RecordUpsertStoresTheRecordWithItsRetentionEnd) {
    auto r = PutRecord(Record("SB-2015-000001", zhang_, 2015));
    ASSERT_TRUE(r.ok()) << Why(r);
    EXPECT_FALSE(r->id.empty());
    EXPECT_EQ(r->holder.code, "JL-CENTRE");
    EXPECT_EQ(r->status, "in_store");
    EXPECT_EQ(r->retention_ends, "2025-12-31") << "10 years from 1 January 2016";

    RecordInput permanent = Record("RS-1998-000002", zhang_, 1998);
    permanent.kind = "人事档案";
    permanent.status = "借出";
    permanent.shelf_location = "人事－０１－０２－３－０００４";
    permanent.retention_years = std::nullopt;
    ASSERT_TRUE(PutRecord(permanent).ok());

    auto stored = db().Query(
        "SELECT archival_code, kind, status, shelf_location, filed_year, retention_years, retention_ends "
        "FROM archive_records ORDER BY archival_code");
    ASSERT_TRUE(stored.ok() && stored->rows.size() == 2) << Why(stored);
    const db::Row& rs = stored->rows[0];
    EXPECT_EQ(rs.Text(0), "RS-1998-000002");
    EXPECT_EQ(rs.Text(1), "personnel");
    EXPECT_EQ(rs.Text(2), "lent");
    EXPECT_EQ(rs.Text(3), "人事-01-02-3-0004");
    EXPECT_EQ(rs.Int(4), 1998);
    EXPECT_TRUE(rs.IsNull(5)) << "permanent";
    EXPECT_TRUE(rs.IsNull(6)) << "permanent never ends";
    const db::Row& sb = stored->rows[1];
    EXPECT_EQ(sb.Int(5), 10);
    EXPECT_EQ(sb.Text(6), "2025-12-31");
}

TEST_P(ArchiveRecordsTest, RecordOfAnUnknownHolderIsRefusedNamingHolderCode) {
    RecordInput in = Record("SB-2015-000001", zhang_, 2015);
    in.holder_code = "JL-NOWHERE";
    ExpectRefused(PutRecord(in), {"holder_code", "unknown_holder"}, "unknown holder");
    EXPECT_EQ(Count("archive_records"), 0);
}

TEST_P(ArchiveRecordsTest, AnArchivalCodeOfAnotherPersonIsAConflictThatChangesNothing) {
    ASSERT_TRUE(PutRecord(Record("SB-2015-000001", zhang_, 2015)).ok());
    RecordInput theirs = Record("SB-2015-000001", wang_, 2016);
    theirs.shelf_location = "B-01-01-1-0001";
    // Committed even when refused: the refusal itself must leave the stored record alone.
    std::optional<Result<ArchiveRecord>> out;
    ASSERT_TRUE(db().Transaction([&](db::Connection& c) -> Status {
                        out.emplace(UpsertRecord(c, clock_, theirs));
                        return Ok();
                    })
                    .ok());
    ASSERT_FALSE(out->ok());
    EXPECT_EQ(out->error().code, ErrorCode::kConflict);
    EXPECT_EQ(out->error().field, "archival_code");
    EXPECT_EQ(out->error().reason, "archival_code_taken");

    auto zhang = RecordsOfPerson(db(), zhang_, false);
    ASSERT_TRUE(zhang.ok() && zhang->size() == 1) << Why(zhang);
    EXPECT_EQ(zhang->front().filed_year, 2015);
    EXPECT_EQ(zhang->front().shelf_location, "A-03-12-4-0217");
    auto wang = RecordsOfPerson(db(), wang_, false);
    ASSERT_TRUE(wang.ok());
    EXPECT_TRUE(wang->empty());
}

TEST_P(ArchiveRecordsTest, RecordUpsertIsIdempotentAndUpdatesByArchivalCode) {
    const RecordInput in = Record("SB-2015-000001", zhang_, 2015);
    auto first = PutRecord(in);
    ASSERT_TRUE(first.ok()) << Why(first);
    auto again = PutRecord(in);
    ASSERT_TRUE(again.ok()) << Why(again);
    EXPECT_EQ(again->id, first->id);
    EXPECT_EQ(Count("archive_records"), 1);

    ASSERT_TRUE(PutHolder(Bureau("JL-0102", "220102")).ok());
    RecordInput moved = in;
    moved.holder_code = "JL-0102";
    moved.status = "transferred";
    moved.shelf_location = "C-1-2-3-4";
    moved.retention_years = 30;
    auto updated = PutRecord(moved);
    ASSERT_TRUE(updated.ok()) << Why(updated);
    EXPECT_EQ(updated->id, first->id);
    auto records = RecordsOfPerson(db(), zhang_, false);
    ASSERT_TRUE(records.ok() && records->size() == 1);
    const ArchiveRecord& r = records->front();
    EXPECT_EQ(r.id, first->id);
    EXPECT_EQ(r.holder.code, "JL-0102");
    EXPECT_EQ(r.status, "transferred");
    EXPECT_EQ(r.shelf_location, "C-1-2-3-4");
    EXPECT_EQ(r.retention_years, 30);
    EXPECT_EQ(r.retention_ends, "2045-12-31");
}

TEST_P(ArchiveRecordsTest, RecordValidationNamesTheField) {
    struct Case {
        std::string what;
        std::function<void(RecordInput&)> change;
        Refusal want;
    };
    const std::vector<Case> cases{
        {"no archival code", [](RecordInput& r) { r.archival_code = ""; }, {"archival_code", "invalid_archival_code"}},
        {"Chinese in the archival code",
         [](RecordInput& r) { r.archival_code = "档-1"; },
         {"archival_code", "invalid_archival_code"}},
        {"an unknown kind", [](RecordInput& r) { r.kind = "医疗档案"; }, {"kind", "invalid_kind"}},
        {"an unknown status", [](RecordInput& r) { r.status = "丢失"; }, {"status", "invalid_status"}},
        {"a bad shelf",
         [](RecordInput& r) { r.shelf_location = "A-03-12"; },
         {"shelf_location", "invalid_shelf_location"}},
        {"filed before 1949", [](RecordInput& r) { r.filed_year = 1948; }, {"filed_year", "invalid_filed_year"}},
        {"filed next year", [](RecordInput& r) { r.filed_year = 2027; }, {"filed_year", "invalid_filed_year"}},
        {"20 years", [](RecordInput& r) { r.retention_years = 20; }, {"retention", "invalid_retention"}},
        {"-1 years", [](RecordInput& r) { r.retention_years = -1; }, {"retention", "invalid_retention"}},
    };
    for (const Case& c : cases) {
        RecordInput in = Record("SB-2015-000001", zhang_, 2015);
        c.change(in);
        ExpectRefused(PutRecord(in), c.want, c.what);
    }
    EXPECT_EQ(Count("archive_records"), 0);
    EXPECT_TRUE(PutRecord(Record("SB-2026-000001", zhang_, 2026)).ok()) << "this year (the clock's, 2026) is fine";
    EXPECT_TRUE(PutRecord(Record("SB-1949-000001", zhang_, 1949)).ok());
}

// ---- Items and periods ----

TEST_P(ArchiveRecordsTest, ItemsAreValidatedAndReplacedBySeq) {
    auto r = PutRecord(Record("SB-2015-000001", zhang_, 2015));
    ASSERT_TRUE(r.ok()) << Why(r);
    const ArchiveItem good{1, "参保登记表", "登记表", "2015-03", 2};
    struct Case {
        std::string what;
        std::function<void(ArchiveItem&)> change;
        Refusal want;
    };
    const std::vector<Case> cases{
        {"seq 0", [](ArchiveItem& i) { i.seq = 0; }, {"seq", "invalid_seq"}},
        {"seq 10000", [](ArchiveItem& i) { i.seq = 10000; }, {"seq", "invalid_seq"}},
        {"no title", [](ArchiveItem& i) { i.title = ""; }, {"title", "missing_title"}},
        {"no document type", [](ArchiveItem& i) { i.doc_type = " "; }, {"doc_type", "missing_doc_type"}},
        {"month 13", [](ArchiveItem& i) { i.doc_date = "2015-13"; }, {"doc_date", "invalid_doc_date"}},
        {"31 April", [](ArchiveItem& i) { i.doc_date = "2015-04-31"; }, {"doc_date", "invalid_doc_date"}},
        {"no date", [](ArchiveItem& i) { i.doc_date = ""; }, {"doc_date", "invalid_doc_date"}},
        {"-1 pages", [](ArchiveItem& i) { i.page_count = -1; }, {"page_count", "invalid_page_count"}},
        {"10001 pages", [](ArchiveItem& i) { i.page_count = 10001; }, {"page_count", "invalid_page_count"}},
    };
    for (const Case& c : cases) {
        ArchiveItem item = good;
        c.change(item);
        ExpectRefused(AddItem(r->id, item), c.want, c.what);
    }
    EXPECT_EQ(Count("archive_items"), 0);

    ASSERT_TRUE(AddItem(r->id, good).ok());
    ASSERT_TRUE(AddItem(r->id, ArchiveItem{1, "参保登记表（变更）", "变更表", "2016", 0}).ok());
    EXPECT_EQ(Count("archive_items"), 1) << "the same seq replaces";
    auto records = RecordsOfPerson(db(), zhang_, true);
    ASSERT_TRUE(records.ok() && records->size() == 1 && records->front().items.size() == 1);
    const ArchiveItem& item = records->front().items.front();
    EXPECT_EQ(item.title, "参保登记表（变更）");
    EXPECT_EQ(item.doc_type, "变更表");
    EXPECT_EQ(item.doc_date, "2016");
    EXPECT_EQ(item.page_count, 0);

    EXPECT_FALSE(AddItem("no-such-record", good).ok()) << "an item belongs to a stored record";
}

TEST_P(ArchiveRecordsTest, PeriodsAreValidatedAndReplacedBySeq) {
    const EmploymentPeriod good{1, "长春第一汽车制造厂", "91220101123456789X", "2005-07", "2012-06-30"};
    struct Case {
        std::string what;
        std::function<void(EmploymentPeriod&)> change;
        Refusal want;
    };
    const std::vector<Case> cases{
        {"seq 0", [](EmploymentPeriod& p) { p.seq = 0; }, {"seq", "invalid_seq"}},
        {"seq 1000", [](EmploymentPeriod& p) { p.seq = 1000; }, {"seq", "invalid_seq"}},
        {"no employer", [](EmploymentPeriod& p) { p.employer_name = ""; }, {"employer_name", "missing_employer_name"}},
        {"a bad start", [](EmploymentPeriod& p) { p.from_date = "2005-02-30"; }, {"from_date", "invalid_from_date"}},
        {"a bad end", [](EmploymentPeriod& p) { p.to_date = "2012/06/30"; }, {"to_date", "invalid_to_date"}},
        {"an end before the start",
         [](EmploymentPeriod& p) { p.to_date = "2004-12-31"; },
         {"to_date", "invalid_to_date"}},
        {"an end year before the start", [](EmploymentPeriod& p) { p.to_date = "2004"; }, {"to_date", "invalid_to_date"}},
    };
    for (const Case& c : cases) {
        EmploymentPeriod p = good;
        c.change(p);
        ExpectRefused(AddPeriod(zhang_, p), c.want, c.what);
    }
    EXPECT_EQ(Count("employment_periods"), 0);
    EmploymentPeriod same_year = good;
    same_year.to_date = "2005";  // compared on what both dates state
    ASSERT_TRUE(AddPeriod(zhang_, same_year).ok());

    ASSERT_TRUE(AddPeriod(zhang_, good).ok());
    ASSERT_TRUE(
        AddPeriod(zhang_, EmploymentPeriod{1, "吉林省长春市第二建筑公司", std::nullopt, "2006-01", std::nullopt}).ok());
    EXPECT_EQ(Count("employment_periods"), 1) << "the same seq replaces";
    auto periods = PeriodsOfPerson(db(), zhang_);
    ASSERT_TRUE(periods.ok() && periods->size() == 1) << Why(periods);
    const EmploymentPeriod& p = periods->front();
    EXPECT_EQ(p.employer_name, "吉林省长春市第二建筑公司");
    EXPECT_EQ(p.employer_credit_code, std::nullopt);
    EXPECT_EQ(p.from_date, "2006-01");
    EXPECT_EQ(p.to_date, std::nullopt) << "still employed";
}

// ---- Reads ----

TEST_P(ArchiveRecordsTest, RecordsOfAPersonNewestFilingFirstWithTheirHolder) {
    ASSERT_TRUE(PutHolder(Bureau("JL-0102", "220102")).ok());
    RecordInput at_bureau = Record("SB-2020-000001", zhang_, 2020);
    at_bureau.holder_code = "JL-0102";
    auto r2020 = PutRecord(at_bureau);
    auto r2010 = PutRecord(Record("SB-2010-000001", zhang_, 2010));
    auto r2015b = PutRecord(Record("SB-2015-000009", zhang_, 2015));
    auto r2015a = PutRecord(Record("SB-2015-000002", zhang_, 2015));
    ASSERT_TRUE(r2020.ok() && r2010.ok() && r2015a.ok() && r2015b.ok());
    ASSERT_TRUE(PutRecord(Record("SB-2021-000001", wang_, 2021)).ok());

    auto records = RecordsOfPerson(db(), zhang_, false);
    ASSERT_TRUE(records.ok()) << Why(records);
    std::vector<std::string> codes;
    for (const ArchiveRecord& r : *records) codes.push_back(r.archival_code);
    EXPECT_EQ(codes, (std::vector<std::string>{"SB-2020-000001", "SB-2015-000002", "SB-2015-000009", "SB-2010-000001"}))
        << "newest filing first, then by archival code; another person's records are not listed";
    const Holder& bureau = records->front().holder;
    EXPECT_EQ(bureau.code, "JL-0102");
    EXPECT_EQ(bureau.name, "南关区社会保险事业管理局");
    EXPECT_EQ(bureau.address, "长春市南关区民康路 8 号");
    EXPECT_EQ(bureau.phone, "0431-88880102");
    EXPECT_EQ(bureau.opening_hours, "周一至周五 8:30—16:00");
    EXPECT_EQ(records->back().holder.code, "JL-CENTRE");
    for (const ArchiveRecord& r : *records) {
        EXPECT_EQ(r.person_id, zhang_);
        EXPECT_TRUE(r.items.empty());
    }

    auto none = RecordsOfPerson(db(), "no-such-person", true);
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}

TEST_P(ArchiveRecordsTest, RecordsOfAPersonCarryTheirOwnItemsInSeqOrderWhenAsked) {
    auto older = PutRecord(Record("SB-2010-000001", zhang_, 2010));
    auto newer = PutRecord(Record("SB-2020-000001", zhang_, 2020));
    auto theirs = PutRecord(Record("SB-2021-000001", wang_, 2021));
    ASSERT_TRUE(older.ok() && newer.ok() && theirs.ok());
    ASSERT_TRUE(AddItem(newer->id, ArchiveItem{2, "缴费记录", "记录", "2020-05-06", 3}).ok());
    ASSERT_TRUE(AddItem(newer->id, ArchiveItem{10, "转移凭证", "凭证", "2020-12", 1}).ok());
    ASSERT_TRUE(AddItem(newer->id, ArchiveItem{1, "参保登记表", "登记表", "2020-01", 2}).ok());
    ASSERT_TRUE(AddItem(older->id, ArchiveItem{1, "招工登记表", "登记表", "2010", 1}).ok());
    ASSERT_TRUE(AddItem(theirs->id, ArchiveItem{1, "王芳的登记表", "登记表", "2021", 1}).ok());

    auto with = RecordsOfPerson(db(), zhang_, true);
    ASSERT_TRUE(with.ok() && with->size() == 2) << Why(with);
    const ArchiveRecord& first = (*with)[0];
    ASSERT_EQ(first.archival_code, "SB-2020-000001");
    ASSERT_EQ(first.items.size(), 3u);
    EXPECT_EQ(first.items[0].seq, 1);
    EXPECT_EQ(first.items[0].title, "参保登记表");
    EXPECT_EQ(first.items[1].seq, 2);
    EXPECT_EQ(first.items[1].doc_date, "2020-05-06");
    EXPECT_EQ(first.items[1].page_count, 3);
    EXPECT_EQ(first.items[2].seq, 10) << "numeric order, not text order";
    ASSERT_EQ((*with)[1].items.size(), 1u);
    EXPECT_EQ((*with)[1].items[0].title, "招工登记表");

    auto without = RecordsOfPerson(db(), zhang_, false);
    ASSERT_TRUE(without.ok() && without->size() == 2);
    EXPECT_TRUE((*without)[0].items.empty());
    EXPECT_TRUE((*without)[1].items.empty());
}

TEST_P(ArchiveRecordsTest, PeriodsOfAPersonEarliestStartFirst) {
    ASSERT_TRUE(
        AddPeriod(zhang_, EmploymentPeriod{1, "长春第一汽车制造厂", "91220101123456789X", "2005-07", "2012-06-30"})
            .ok());
    ASSERT_TRUE(AddPeriod(zhang_, EmploymentPeriod{2, "吉林化纤集团", std::nullopt, "2012-07-01", std::nullopt}).ok());
    ASSERT_TRUE(AddPeriod(zhang_, EmploymentPeriod{3, "长春市政工程公司", std::nullopt, "1999", "2005-06"}).ok());
    ASSERT_TRUE(AddPeriod(wang_, EmploymentPeriod{1, "吉林大学", std::nullopt, "2012-09", std::nullopt}).ok());

    auto periods = PeriodsOfPerson(db(), zhang_);
    ASSERT_TRUE(periods.ok()) << Why(periods);
    ASSERT_EQ(periods->size(), 3u);
    EXPECT_EQ((*periods)[0].seq, 3);
    EXPECT_EQ((*periods)[0].from_date, "1999");
    EXPECT_EQ((*periods)[1].seq, 1);
    EXPECT_EQ((*periods)[1].employer_credit_code, "91220101123456789X");
    EXPECT_EQ((*periods)[1].to_date, "2012-06-30");
    EXPECT_EQ((*periods)[2].seq, 2);
    EXPECT_EQ((*periods)[2].to_date, std::nullopt);
    auto none = PeriodsOfPerson(db(), "no-such-person");
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
}

TEST_P(ArchiveRecordsTest, HoldersListFiltersByRegionPrefixAndKind) {
    // JL-CENTRE (22, centre) is there from SetUp.
    ASSERT_TRUE(PutHolder(Bureau("JL-0102", "220102")).ok());
    ASSERT_TRUE(PutHolder(Bureau("JL-0104", "220104")).ok());
    ASSERT_TRUE(PutHolder(Bureau("JL-0200", "2202")).ok());
    Holder employer = Bureau("EMP-0001", "220102");
    employer.kind = "employer";
    ASSERT_TRUE(PutHolder(employer).ok());

    EXPECT_EQ(Codes(ListHolders(db(), "", "", "", 10)),
              (std::vector<std::string>{"EMP-0001", "JL-0102", "JL-0104", "JL-0200", "JL-CENTRE"}));
    EXPECT_EQ(Codes(ListHolders(db(), "2201", "", "", 10)),
              (std::vector<std::string>{"EMP-0001", "JL-0102", "JL-0104"}));
    EXPECT_EQ(Codes(ListHolders(db(), "220102", "", "", 10)), (std::vector<std::string>{"EMP-0001", "JL-0102"}));
    EXPECT_EQ(Codes(ListHolders(db(), "220102", "district_bureau", "", 10)), std::vector<std::string>{"JL-0102"});
    EXPECT_EQ(Codes(ListHolders(db(), "", "centre", "", 10)), std::vector<std::string>{"JL-CENTRE"});
    EXPECT_TRUE(Codes(ListHolders(db(), "2203", "", "", 10)).empty());
    EXPECT_TRUE(Codes(ListHolders(db(), "", "talent_centre", "", 10)).empty());
}

TEST_P(ArchiveRecordsTest, HoldersListPagesAfterTheCode) {
    for (const char* code : {"JL-0104", "JL-0102", "JL-0200"}) ASSERT_TRUE(PutHolder(Bureau(code, "2201")).ok());
    EXPECT_EQ(Codes(ListHolders(db(), "", "", "", 2)), (std::vector<std::string>{"JL-0102", "JL-0104"}));
    EXPECT_EQ(Codes(ListHolders(db(), "", "", "JL-0104", 2)), (std::vector<std::string>{"JL-0200", "JL-CENTRE"}));
    EXPECT_TRUE(Codes(ListHolders(db(), "", "", "JL-CENTRE", 2)).empty());
    EXPECT_EQ(Codes(ListHolders(db(), "2201", "", "JL-0102", 1)), std::vector<std::string>{"JL-0104"})
        << "the cursor and the region together";
    EXPECT_EQ(Codes(ListHolders(db(), "", "", "JL-0103", 1)), std::vector<std::string>{"JL-0104"})
        << "a cursor need not be a stored code";
}

TEST_P(ArchiveRecordsTest, BranchesListFiltersByRegionAndServiceAndPages) {
    ASSERT_TRUE(PutBranch(Hall("220102-001", {"lookup", "retrieval", "certificate"})).ok());
    ASSERT_TRUE(PutBranch(Hall("220102-002", {"kiosk"})).ok());
    ASSERT_TRUE(PutBranch(Hall("220104-001", {"lookup", "kiosk"})).ok());
    ASSERT_TRUE(PutBranch(Hall("220201-001", {"visit"})).ok());
    ASSERT_TRUE(PutBranch(Hall("220102-003", {})).ok());

    EXPECT_EQ(Codes(ListBranches(db(), "", "", "", 10)),
              (std::vector<std::string>{"220102-001", "220102-002", "220102-003", "220104-001", "220201-001"}));
    EXPECT_EQ(Codes(ListBranches(db(), "2201", "", "", 10)),
              (std::vector<std::string>{"220102-001", "220102-002", "220102-003", "220104-001"}));
    EXPECT_EQ(Codes(ListBranches(db(), "220102", "kiosk", "", 10)), std::vector<std::string>{"220102-002"});
    EXPECT_EQ(Codes(ListBranches(db(), "", "kiosk", "", 10)), (std::vector<std::string>{"220102-002", "220104-001"}))
        << "a service first, last or alone in the list";
    EXPECT_EQ(Codes(ListBranches(db(), "", "retrieval", "", 10)), std::vector<std::string>{"220102-001"})
        << "a service in the middle of the list";
    EXPECT_TRUE(Codes(ListBranches(db(), "", "look", "", 10)).empty()) << "whole service codes only";
    EXPECT_TRUE(Codes(ListBranches(db(), "2203", "", "", 10)).empty());

    EXPECT_EQ(Codes(ListBranches(db(), "", "", "", 2)), (std::vector<std::string>{"220102-001", "220102-002"}));
    EXPECT_EQ(Codes(ListBranches(db(), "", "", "220102-002", 2)),
              (std::vector<std::string>{"220102-003", "220104-001"}));
    EXPECT_EQ(Codes(ListBranches(db(), "", "", "220104-001", 2)), std::vector<std::string>{"220201-001"});
    EXPECT_EQ(Codes(ListBranches(db(), "", "lookup", "220102-001", 5)), std::vector<std::string>{"220104-001"});
}

INSTANTIATE_TEST_SUITE_P(Backends, ArchiveRecordsTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace dangan::archives
