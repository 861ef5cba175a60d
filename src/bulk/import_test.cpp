// `dangan import` on each backend: reports (line, field, reason), lenient and strict loads,
// idempotent re-imports, file-level refusals.

#include "bulk/import.hpp"

#include <gtest/gtest.h>

#include "archives/persons.hpp"
#include "identity/testing.hpp"

namespace dangan::bulk {
namespace {

constexpr std::string_view kPersons =
    "id_number,name,mobile,remark\r\n"
    "220102198001010514,测试甲,13904310051,x\r\n"
    "220103198512120623,\"测试乙\",139 0431 0062,\r\n"
    "220102198001010511,校验位错,13904310099,\r\n"
    "222401199203150829,手机错,12345,\r\n"
    "220102198001010514,重复甲,13904310051,\r\n"
    "220302196609090913,,13904340091,\r\n";

class ImportTest : public testsupport::MigratedDatabaseTest {
protected:
    Result<ImportReport> Run(std::string_view csv, ImportKind kind, bool strict = false) {
        ImportOptions options;
        options.kind = kind;
        options.strict = strict;
        options.batch = 2;  // several batches even for small files
        return Import(db(), keys_, clock_, csv, options, nullptr);
    }
    std::int64_t Count(const std::string& table) { return db().Query("SELECT COUNT(*) FROM " + table)->rows[0].Int(0); }
};

TEST_P(ImportTest, LenientLoadsGoodRowsAndReportsTheRest) {
    auto report = Run(kPersons, ImportKind::kPersons);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->rows, 6u);
    EXPECT_EQ(report->created, 2u);
    EXPECT_EQ(report->refused, 4u);
    EXPECT_EQ(report->ignored_columns, std::vector<std::string>{"remark"});
    ASSERT_EQ(report->problems.size(), 4u);
    EXPECT_EQ(report->problems[0].line, 4u);
    EXPECT_EQ(report->problems[0].field, "id_number");
    EXPECT_NE(report->problems[0].message.find("校验位"), std::string::npos);
    EXPECT_EQ(report->problems[1].line, 5u);
    EXPECT_EQ(report->problems[1].field, "mobile");
    EXPECT_EQ(report->problems[2].line, 6u);
    EXPECT_NE(report->problems[2].message.find("第 2 行"), std::string::npos) << "duplicate names the first line";
    EXPECT_EQ(report->problems[3].field, "name");
    EXPECT_EQ(Count("persons"), 2);
    auto p = archives::FindPersonByIdNumber(db(), keys_, "220103198512120623");
    ASSERT_TRUE(p.ok() && *p);
    EXPECT_EQ((*p)->mobile, "13904310062");

    const std::string text = FormatReport(*report, "persons.csv");
    EXPECT_NE(text.find("第 4 行，id_number："), std::string::npos) << text;
    EXPECT_NE(text.find("新增 2，更新 0，未变 0，拒绝 4"), std::string::npos) << text;
}

TEST_P(ImportTest, ReimportChangesNothingAndAChangedRowUpdates) {
    ASSERT_TRUE(Run(kPersons, ImportKind::kPersons).ok());
    auto again = Run(kPersons, ImportKind::kPersons);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->created, 0u);
    EXPECT_EQ(again->updated, 0u);
    EXPECT_EQ(again->unchanged, 2u);
    auto changed = Run("身份证号码,姓名,手机号码\n220102198001010514,测试甲改,13904310052\n", ImportKind::kPersons);
    ASSERT_TRUE(changed.ok());
    EXPECT_EQ(changed->updated, 1u);
    auto p = archives::FindPersonByIdNumber(db(), keys_, "220102198001010514");
    EXPECT_EQ((*p)->name, "测试甲改");
    EXPECT_EQ((*p)->mobile, "13904310052");
    EXPECT_EQ(Count("persons"), 2);
}

TEST_P(ImportTest, StrictIsAllOrNothing) {
    auto refused = Run(kPersons, ImportKind::kPersons, true);
    ASSERT_TRUE(refused.ok());
    EXPECT_FALSE(refused->loaded);
    EXPECT_EQ(refused->refused, 4u);
    EXPECT_EQ(refused->created, 0u);
    EXPECT_EQ(Count("persons"), 0);
    EXPECT_NE(FormatReport(*refused, "f.csv").find("未导入任何数据"), std::string::npos);

    auto repeated =
        Run("id_number,name,mobile\n220102198001010514,测试甲,13904310051\n"
            "220102198001010514,测试甲,13904310051\n",
            ImportKind::kPersons, true);
    ASSERT_TRUE(repeated.ok());
    EXPECT_FALSE(repeated->loaded) << "a repeated key refuses the file too";
    EXPECT_EQ(Count("persons"), 0);

    auto good = Run("id_number,name,mobile\n220102198001010514,测试甲,13904310051\n", ImportKind::kPersons, true);
    ASSERT_TRUE(good.ok());
    EXPECT_TRUE(good->loaded);
    EXPECT_EQ(good->created, 1u);
    EXPECT_EQ(Count("persons"), 1);
}

TEST_P(ImportTest, FileLevelProblemsLoadNothing) {
    auto missing = Run("身份证号码,姓名\n220102198001010514,测试甲\n", ImportKind::kPersons);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().reason, "missing_columns");
    EXPECT_NE(missing.error().message.find("手机号码（mobile）"), std::string::npos) << missing.error().message;
    auto twice = Run("name,姓名,id_number,mobile\n", ImportKind::kPersons);
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().reason, "duplicate_column");
    auto broken = Run("id_number,name,mobile\n220102198001010514,\"测试甲,13904310051\n", ImportKind::kPersons);
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().reason, "malformed_csv");
    auto encoding = Run("id_number,name,mobile\n220102198001010514,\xff\xfe,13904310051\n", ImportKind::kPersons);
    ASSERT_FALSE(encoding.ok());
    EXPECT_EQ(encoding.error().reason, "unsupported_encoding");
    EXPECT_EQ(Count("persons"), 0);
}

TEST_P(ImportTest, GbkFilesAreConverted) {
    // "身份证号码,姓名,手机号码\n222401199203150829,金顺姬,13904330082\n" in GBK.
    const std::string gbk =
        "\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5\xc2\xeb,\xd0\xd5\xc3\xfb,\xca\xd6\xbb\xfa\xba\xc5\xc2\xeb\n"
        "222401199203150829,\xbd\xf0\xcb\xb3\xbc\xa7,13904330082\n";
    auto report = Run(gbk, ImportKind::kPersons);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(report->encoding, "GB18030");
    EXPECT_EQ(report->created, 1u);
    auto p = archives::FindPersonByIdNumber(db(), keys_, "222401199203150829");
    ASSERT_TRUE(p.ok() && *p);
    EXPECT_EQ((*p)->name, "金顺姬");
}

TEST_P(ImportTest, HoldersBranchesAndRecords) {
    auto holders =
        Run("\xEF\xBB\xBF机构代码,机构名称,机构类别,地址,电话,办公时间,行政区划代码\n"
            "2201-ZX,长春市社会保险档案管理中心,本中心,长春市朝阳区人民大街3688号,0431-88771234,周一至周五,2201\n"
            "9X-BAD,坏类别单位,工厂,某地,0431-1,全天,2201\n",
            ImportKind::kHolders);
    ASSERT_TRUE(holders.ok()) << holders.error().message;
    EXPECT_EQ(holders->encoding, "UTF-8 (BOM)");
    EXPECT_EQ(holders->created, 1u);
    ASSERT_EQ(holders->problems.size(), 1u);
    EXPECT_EQ(holders->problems[0].field, "kind");

    const std::string branches =
        "网点代码,网点名称,网点类别,地址,电话,营业时间,服务项目\n"
        "220102-901,南关区测试服务大厅,服务大厅,长春市南关区民康路899号,0431-88302100,周一至周五,档案查询、查档登记;"
        "预约到访\n"
        "2201-903,代码错误网点,hall,某地,0431-1,全天,档案查询\n";
    auto b = Run(branches, ImportKind::kBranches);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->created, 1u);
    ASSERT_EQ(b->problems.size(), 1u);
    EXPECT_EQ(b->problems[0].field, "code");
    EXPECT_EQ(db().Query("SELECT services, region_code FROM branches")->rows[0].Text(0), "lookup,retrieval,visit");
    EXPECT_EQ(Run(branches, ImportKind::kBranches)->unchanged, 1u);

    ASSERT_TRUE(Run("id_number,name,mobile\n220102198001010514,测试甲,13904310051\n", ImportKind::kPersons).ok());
    const std::string records =
        "档号,身份证号码,档案类别,保管机构代码,存放位置,状态,归档年度,保管期限\n"
        "2201-SB-2001-000051,220102198001010514,社会保险业务档案,2201-ZX,A－01－02－3－0051,在库,2001,永久\n"
        "2201-SB-2010-000099,220103198512120623,社会保险业务档案,2201-ZX,A-01-02-3-0099,,2010,30年\n"
        "2201-SB-2010-000098,220102198001010514,社会保险业务档案,NO-SUCH,A-01-02-3-0098,在库,2010,永久\n"
        "2201-SB-2010-000097,220102198001010514,社会保险业务档案,2201-ZX,A-01-02-3,在库,2010,永久\n"
        "2201-SB-2010-000096,220102198001010514,社会保险业务档案,2201-ZX,A-01-02-3-0096,在库,10,永久\n";
    auto r = Run(records, ImportKind::kRecords);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->created, 1u);
    ASSERT_EQ(r->problems.size(), 4u);
    EXPECT_EQ(r->problems[0].field, "id_number");  // nobody with that number
    EXPECT_EQ(r->problems[1].field, "holder_code");
    EXPECT_EQ(r->problems[2].field, "shelf_location");
    EXPECT_EQ(r->problems[3].field, "filed_year");
    EXPECT_EQ(db().Query("SELECT shelf_location FROM archive_records")->rows[0].Text(0), "A-01-02-3-0051");
    auto again = Run(records, ImportKind::kRecords);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->unchanged, 1u);
    EXPECT_EQ(again->created + again->updated, 0u);
    EXPECT_EQ(Count("archive_records"), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportTest, ::testing::ValuesIn(testsupport::Backends()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dangan::bulk
