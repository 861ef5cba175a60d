#pragma once

// Facts about Jilin province the generator draws from: its cities and county-level divisions
// (GB/T 2260 codes, 22xxxx) with rough populations (2020 census, in thousands), telephone
// area codes, and the vocabularies of names, streets, companies and archive documents.

#include <cstdint>
#include <span>
#include <string_view>

namespace dangan::bulk {

struct City {
    std::string_view code;       // 4 digits: 2201 …
    std::string_view name;       // 长春市
    std::string_view area_code;  // 0431
};

struct District {
    std::string_view code;  // 6 digits: 220102 …
    std::string_view name;  // 南关区
    std::uint32_t population_thousands;
    const City* city;
};

std::span<const City> Cities();
std::span<const District> Districts();

// Surnames with relative frequencies (north-east China), and the characters of given names.
struct Weighted {
    std::string_view text;
    std::uint32_t weight;
};
std::span<const Weighted> Surnames();
std::span<const std::string_view> MaleNameCharacters();
std::span<const std::string_view> FemaleNameCharacters();
std::span<const std::string_view> NeutralNameCharacters();

// Mobile number prefixes (the first three digits) issued by the three operators.
std::span<const std::string_view> MobilePrefixes();

std::span<const std::string_view> Roads();       // 人民大街 …
std::span<const std::string_view> Streets();     // 街道 of community service stations
std::span<const std::string_view> TradeNames();  // 字号 of companies: 华信 …
std::span<const std::string_view> Industries();  // 机械制造 …
std::span<const std::string_view> Banks();       // 工商银行 …

// Documents filed in a record of each kind: title and document type.
struct Document {
    std::string_view title;
    std::string_view doc_type;
};
std::span<const Document> SocialInsuranceDocuments();
std::span<const Document> PersonnelDocuments();
std::span<const Document> RetirementDocuments();

}  // namespace dangan::bulk
