#pragma once

// Deterministic synthetic data for Jilin province (`dangan gen`): holders, branches and persons
// with their archive records, items and employment periods. Everything drawn here depends
// only on the seed and the person's number, so the same seed gives the same data on every
// machine; no clock and no database are involved (ids, seals and blind indexes are added by
// the loader, gen.hpp).
//
// Realism, in short: ID numbers (GB 11643) with real county-level codes of Jilin weighted by
// population, ages 18–95 as of kReferenceDate shaped like the province's adult population,
// gender from the 17th digit, common north-eastern surnames by frequency, 1–2 character
// given names, mobiles on real operator prefixes; every person has a social-insurance record,
// some a personnel record (at their employer or a talent centre), the retired a retirement
// record; about two items per record; 0–4 non-overlapping employment periods within working
// age. ID numbers are unique by construction: the three-digit sequence comes from a counter
// per (county, birth date, gender) and runs 100–999, leaving 001–099 to hand-made data (demo
// persons, fixtures), which therefore never collides with generated persons.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archives/records.hpp"

namespace dangan::bulk {

// Ages, retirement and filing years are computed as of this date, so that the data does
// not depend on the day it is generated.
inline constexpr std::chrono::year_month_day kReferenceDate{std::chrono::year{2025}, std::chrono::month{1},
                                                            std::chrono::day{1}};

// Number of employers generated, whatever the number of persons.
inline constexpr std::size_t kEmployers = 3000;

struct GenRecord {
    std::string archival_code;
    std::string_view kind;   // archives::RecordKinds() code
    std::size_t holder = 0;  // index into Generator::holders()
    std::string shelf_location;
    std::string_view status;  // archives::RecordStatuses() code
    int filed_year = 0;
    std::optional<int> retention_years;         // nullopt: permanent
    std::optional<std::string> retention_ends;  // archives::RetentionEnds
    std::vector<archives::ArchiveItem> items;
};

struct GenPeriod {
    std::size_t employer = 0;  // index into Generator::holders()
    std::string from_date;     // YYYY-MM
    std::optional<std::string> to_date;
};

struct GenPerson {
    std::uint64_t number = 0;  // 0, 1, 2 … in generation order
    std::string name;
    std::string id_number;
    std::string mobile;
    bool male = true;
    std::string birth_date;  // YYYY-MM-DD
    std::string region_code;
    std::vector<GenRecord> records;
    std::vector<GenPeriod> periods;
};

class Generator {
public:
    explicit Generator(std::uint64_t seed);

    // The centre, a district bureau per county, a talent centre per city, then kEmployers
    // employers (credit codes valid under GB 32100). `id` is empty.
    const std::vector<archives::Holder>& holders() const { return holders_; }
    // Per county a service hall, one or two bank branches and one to three community
    // stations, coded <county>-001, -002 … `id` is empty; region_code set.
    const std::vector<archives::Branch>& branches() const { return branches_; }

    // The next person (number next_number()).
    GenPerson Next();
    // Moves past `n` persons without building them, so that Next() continues exactly as if
    // they had been generated (for --append).
    void Skip(std::uint64_t n);
    std::uint64_t next_number() const { return next_; }

private:
    struct Identity;
    Identity DrawIdentity(std::uint64_t number);

    std::uint64_t seed_;
    std::uint64_t next_ = 0;
    std::vector<archives::Holder> holders_;
    std::vector<archives::Branch> branches_;
    std::vector<std::vector<std::size_t>> employers_by_city_;  // holder indexes
    std::vector<std::uint16_t> sequence_used_;                 // per (county, birth day, gender)
};

}  // namespace dangan::bulk
