#pragma once

// The archive domain's vocabulary and rules: the codes stored for record kinds, statuses,
// holder and branch kinds with their Chinese labels; the retention rule (社会保险业务档案管理
// 规定: permanent, or 10/30/50/100 years counted from 1 January of the year after filing);
// the shelf location format 库房-排-架-层-盒. Plain functions, free of HTTP and the database.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace dangan::archives {

// A stored code and what people read.
struct Label {
    std::string_view code;
    std::string_view zh;
};

// 社会保险业务档案 / 人事档案 / 退休档案 / 其他档案
const std::vector<Label>& RecordKinds();
// 在库 / 借出 / 移交中 / 已移交 / 已销毁
const std::vector<Label>& RecordStatuses();
// 本中心 / 区（县）社保经办机构 / 用人单位 / 人才服务中心 / 其他机构
const std::vector<Label>& HolderKinds();
// 服务大厅 / 银行网点 / 社区服务站
const std::vector<Label>& BranchKinds();
// 档案查询 / 查档登记 / 预约到访 / 查档证明 / 自助终端
const std::vector<Label>& BranchServices();

// The Chinese label of `code` in `labels`, or `code` itself when unknown.
std::string_view LabelOf(const std::vector<Label>& labels, std::string_view code);
bool IsCode(const std::vector<Label>& labels, std::string_view code);

// Accepts a code or its Chinese label ("在库" → "in_store"); kInvalidArgument naming `field`
// otherwise, listing the labels.
Result<std::string> ParseCode(const std::vector<Label>& labels, std::string_view input, std::string_view field);

// Retention: "永久"/"permanent" → nullopt years; "10"/"10年"/"30"… → years. Field "retention".
struct Retention {
    std::optional<int> years;  // nullopt: permanent
};
Result<Retention> ParseRetention(std::string_view input);

// The last day a record filed in `filed_year` is kept: retention counts from 1 January of
// the following year, so 10 years for a file of 2015 run 2016-01-01 … 2025-12-31.
// nullopt for permanent.
std::optional<std::string> RetentionEnds(int filed_year, const Retention& retention);

// A shelf location 库房-排-架-层-盒: five parts separated by '-'; the store room is letters,
// digits or Chinese (up to 8 characters), the others are 1–4 digits. Full-width digits and
// dashes are accepted and normalised; spaces trimmed. kInvalidArgument (field
// shelf_location) otherwise. Example: "A-03-12-4-0217".
Result<std::string> ValidateShelfLocation(std::string_view input);

// "A-03-12-4-0217" → "A库 03排 12架 4层 0217盒" for people.
std::string DescribeShelfLocation(std::string_view location);

// A region code: a province (2 digits), city (4) or county/district (6).
bool IsRegionCode(std::string_view code);

// A branch code: a six-digit district code, '-', a three-digit sequence ("220102-001").
bool IsBranchCode(std::string_view code);

// A date of a document or period: YYYY, YYYY-MM or YYYY-MM-DD with a real month and day.
bool IsPartialDate(std::string_view date);

}  // namespace dangan::archives
