#include "bulk/csv.hpp"

#include <gtest/gtest.h>

#include "bulk/prng.hpp"

namespace dangan::bulk {
namespace {

std::vector<CsvRecord> ReadAll(std::string_view text) {
    CsvReader reader(text);
    std::vector<CsvRecord> out;
    for (CsvRecord r;;) {
        auto more = reader.Next(r);
        EXPECT_TRUE(more.ok()) << (more.ok() ? "" : more.error().message);
        if (!more.ok() || !*more) break;
        out.push_back(r);
    }
    return out;
}

TEST(Csv, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
    const auto rows = ReadAll("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n1,,3");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"x, y", "say \"hi\"", "two\r\nlines"}));
    EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"1", "", "3"}));
    EXPECT_EQ(rows[0].line, 1u);
    EXPECT_EQ(rows[1].line, 2u);
    EXPECT_EQ(rows[2].line, 4u);  // the quoted line break counts
}

TEST(Csv, EmptyLinesAreSkippedAndLinesStillCounted) {
    const auto rows = ReadAll("\n\na\r\n\r\nb\rc\n");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].line, 3u);
    EXPECT_EQ(rows[1].line, 5u);
    EXPECT_EQ(rows[2].line, 6u);  // a lone CR ends a line too
    EXPECT_EQ(rows[2].fields, std::vector<std::string>{"c"});
}

TEST(Csv, TrailingCommaGivesAnEmptyLastField) {
    const auto rows = ReadAll("a,\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", ""}));
}

TEST(Csv, AQuoteInsideAnUnquotedFieldIsKept) {
    const auto rows = ReadAll("5\" disk,ok\n");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].fields[0], "5\" disk");
}

TEST(Csv, BrokenQuotesNameTheLine) {
    CsvReader unclosed("a\nb,\"never closed\n\n");
    CsvRecord r;
    ASSERT_TRUE(unclosed.Next(r).ok());
    auto broken = unclosed.Next(r);
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().reason, "malformed_csv");
    EXPECT_NE(broken.error().message.find("第 2 行"), std::string::npos) << broken.error().message;

    CsvReader trailing("\"a\"b,c\n");
    auto after = trailing.Next(r);
    ASSERT_FALSE(after.ok());
    EXPECT_NE(after.error().message.find("第 1 行"), std::string::npos);
}

// Random tables of awkward fields written with CsvLine come back exactly, with the right
// start lines; random bytes never crash the reader or make it loop.
TEST(Csv, FuzzRoundTripAndRandomBytes) {
    static constexpr std::string_view kPieces[] = {"a", "档案", ",", "\"", "\r\n", "\n", "\r", " ", "x\"y", "", "，"};
    Prng prng(20251126);
    for (int round = 0; round < 300; ++round) {
        std::vector<std::vector<std::string>> table;
        std::string text;
        std::vector<std::size_t> lines;
        std::size_t line = 1;
        const bool crlf = prng.Chance(0.5);
        const auto rows = prng.Between(1, 8);
        for (int r = 0; r < rows; ++r) {
            std::vector<std::string> fields;
            const auto n = prng.Between(1, 5);
            for (int f = 0; f < n; ++f) {
                std::string field;
                for (auto k = prng.Between(0, 4); k > 0; --k) field += kPieces[prng.Below(std::size(kPieces))];
                fields.push_back(field);
            }
            const std::string encoded = CsvLine(fields, crlf);
            table.push_back(fields);
            lines.push_back(line);
            text += encoded;
            for (std::size_t i = 0; i < encoded.size(); ++i) {
                if (encoded[i] == '\n' || (encoded[i] == '\r' && (i + 1 >= encoded.size() || encoded[i + 1] != '\n'))) {
                    ++line;
                }
            }
        }
        const auto read = ReadAll(text);
        ASSERT_EQ(read.size(), table.size()) << text;
        for (std::size_t r = 0; r < table.size(); ++r) {
            EXPECT_EQ(read[r].fields, table[r]) << "round " << round << " row " << r;
            EXPECT_EQ(read[r].line, lines[r]) << "round " << round << " row " << r;
        }
    }
    for (int round = 0; round < 2000; ++round) {
        std::string bytes;
        for (auto n = prng.Between(0, 64); n > 0; --n) {
            bytes += prng.Chance(0.5) ? ",\"\r\n"[prng.Below(4)] : static_cast<char>(prng.Below(256));
        }
        CsvReader reader(bytes);
        CsvRecord r;
        int steps = 0;
        for (;;) {
            auto more = reader.Next(r);
            if (!more.ok() || !*more) break;
            ASSERT_LT(++steps, 100) << "no progress";
        }
    }
}

}  // namespace
}  // namespace dangan::bulk
