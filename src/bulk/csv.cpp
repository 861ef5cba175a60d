#include "bulk/csv.hpp"

#include <fmt/format.h>

namespace dangan::bulk {

namespace {

Error Malformed(std::size_t line, std::string_view what) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("CSV 文件第 {} 行格式有误：{}", line, what), "",
                     "malformed_csv");
}

}  // namespace

Result<bool> CsvReader::Next(CsvRecord& out) {
    // Skip empty lines.
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
        if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
        ++pos_;
        ++line_;
    }
    if (pos_ >= text_.size()) return false;
    out.line = line_;
    out.fields.clear();
    std::string field;
    for (;;) {
        field.clear();
        if (pos_ < text_.size() && text_[pos_] == '"') {
            const std::size_t opened_on = line_;
            ++pos_;
            for (;;) {
                if (pos_ >= text_.size()) return Malformed(opened_on, "引号没有闭合");
                const char c = text_[pos_++];
                if (c == '"') {
                    if (pos_ < text_.size() && text_[pos_] == '"') {
                        field += '"';
                        ++pos_;
                        continue;
                    }
                    break;
                }
                if (c == '\n' || (c == '\r' && (pos_ >= text_.size() || text_[pos_] != '\n'))) ++line_;
                field += c;
            }
            if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
                return Malformed(line_, "引号外还有多余的字符（字段内的引号应写成两个引号 \"\"）");
            }
        } else {
            while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\n' && text_[pos_] != '\r') {
                field += text_[pos_++];
            }
        }
        out.fields.push_back(field);
        if (pos_ >= text_.size()) return true;
        const char c = text_[pos_++];
        if (c == ',') continue;
        if (c == '\r' && pos_ < text_.size() && text_[pos_] == '\n') ++pos_;
        ++line_;
        return true;
    }
}

std::string CsvLine(const std::vector<std::string>& fields, bool crlf) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        const std::string& f = fields[i];
        if (f.find_first_of(",\"\r\n") == std::string::npos && !(i == 0 && fields.size() == 1 && f.empty())) {
            out += f;
            continue;
        }
        out += '"';
        for (char c : f) {
            if (c == '"') out += '"';
            out += c;
        }
        out += '"';
    }
    out += crlf ? "\r\n" : "\n";
    return out;
}

}  // namespace dangan::bulk
