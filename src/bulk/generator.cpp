#include "bulk/generator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "archives/rules.hpp"
#include "bulk/jilin.hpp"
#include "bulk/prng.hpp"
#include "core/clock.hpp"
#include "core/validators.hpp"

namespace dangan::bulk {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr int kMinAge = 18;
constexpr int kMaxAge = 95;
// Sequence numbers 100–999: 450 per gender (odd male, even female) for one county and day.
constexpr int kSequencesPerGender = 450;
// Counters cover birth days from this many years before the reference date.
constexpr int kCounterYears = kMaxAge + 3;
constexpr int kCounterDays = kCounterYears * 366;

constexpr std::size_t kCentre = 0;
std::size_t Bureau(std::size_t district) { return 1 + district; }
std::size_t TalentCentre(std::size_t city) { return 1 + Districts().size() + city; }
std::size_t FirstEmployer() { return 1 + Districts().size() + Cities().size(); }

// Share of the adult population per five-year band from 15–19 to 90–94 (Jilin, 2020 census,
// rounded); 95 counts with the last band.
constexpr std::array<std::uint32_t, 16> kAgeBands{40, 46, 60, 83, 72, 70, 88, 103, 93, 69, 66, 43, 26, 16, 8, 3};

std::vector<std::uint32_t> Cumulative(std::span<const std::uint32_t> weights) {
    std::vector<std::uint32_t> out;
    std::uint32_t sum = 0;
    for (std::uint32_t w : weights) out.push_back(sum += w);
    return out;
}

const std::vector<std::uint32_t>& AgeWeights() {  // index 0 = kMinAge
    static const std::vector<std::uint32_t> cumulative = [] {
        std::vector<std::uint32_t> w;
        for (int age = kMinAge; age <= kMaxAge; ++age) {
            w.push_back(kAgeBands[static_cast<std::size_t>(std::min(age, 94) - 15) / 5]);
        }
        return Cumulative(w);
    }();
    return cumulative;
}

const std::vector<std::uint32_t>& DistrictWeights() {
    static const std::vector<std::uint32_t> cumulative = [] {
        std::vector<std::uint32_t> w;
        for (const District& d : Districts()) w.push_back(d.population_thousands);
        return Cumulative(w);
    }();
    return cumulative;
}

const std::vector<std::uint32_t>& SurnameWeights() {
    static const std::vector<std::uint32_t> cumulative = [] {
        std::vector<std::uint32_t> w;
        for (const Weighted& s : Surnames()) w.push_back(s.weight);
        return Cumulative(w);
    }();
    return cumulative;
}

template <typename T>
const T& Pick(Prng& prng, std::span<const T> list) {
    return list[prng.Below(list.size())];
}

std::size_t CityIndex(const District& d) { return static_cast<std::size_t>(d.city - Cities().data()); }

std::string Phone(Prng& prng, const City& city) {
    return fmt::format("{}-8{:07d}", city.area_code, prng.Below(10000000));
}

std::string Address(Prng& prng, const District& d) {
    return fmt::format("{}{}{}{}号", d.city->name, d.name, Pick(prng, Roads()), prng.Between(1, 2999));
}

// A GB 32100 code for a company registered in `district`: 9 (industry and commerce), 1
// (enterprise), the county code, a nine-character organisation code, the check character.
// The organisation code is "MA" + seven characters of a bijection of `number`, so codes
// never repeat.
std::string CreditCode(const District& district, std::uint64_t number) {
    static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    constexpr std::uint64_t kSpace = 27512614111ULL;  // 31^7
    std::uint64_t x = (number * 2654435761ULL + 12345) % kSpace;
    std::string code = fmt::format("91{}MA", district.code);
    std::string tail(7, '0');
    for (int i = 6; i >= 0; --i) {
        tail[static_cast<std::size_t>(i)] = kAlphabet[x % 31];
        x /= 31;
    }
    code += tail;
    code += *core::CreditCodeCheckCharacter(code);
    return code;
}

std::string YearMonth(int months_since_year_0) {
    return fmt::format("{:04d}-{:02d}", months_since_year_0 / 12, months_since_year_0 % 12 + 1);
}

int Months(const year_month_day& d) {
    return static_cast<int>(d.year()) * 12 + static_cast<int>(static_cast<unsigned>(d.month())) - 1;
}

std::string RandomDate(Prng& prng, int from_year, int to_year) {
    const sys_days first{year_month_day{std::chrono::year{from_year}, std::chrono::January, std::chrono::day{1}}};
    const sys_days last{year_month_day{std::chrono::year{to_year}, std::chrono::December, std::chrono::day{31}}};
    const auto span = (last - first).count();
    return core::FormatDate(year_month_day{first + days{prng.Below(static_cast<std::uint64_t>(span) + 1)}});
}

std::string Shelf(Prng& prng, std::string_view room) {
    return fmt::format("{}-{:02d}-{:02d}-{}-{:04d}", room, prng.Between(1, 40), prng.Between(1, 30), prng.Between(1, 6),
                       prng.Between(1, 2000));
}

// `first` (when given) then distinct documents drawn from the rest, `count` in all.
std::vector<archives::ArchiveItem> Items(Prng& prng, std::span<const Document> docs, std::size_t count, int from_year,
                                         bool first_fixed) {
    count = std::min(count, docs.size());
    std::vector<std::size_t> order(docs.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (std::size_t i = first_fixed ? 1 : 0; i < count; ++i) {
        std::swap(order[i], order[i + prng.Below(order.size() - i)]);
    }
    const int to_year = std::max(from_year, static_cast<int>(kReferenceDate.year()) - 1);
    std::vector<archives::ArchiveItem> items;
    for (std::size_t i = 0; i < count; ++i) {
        const Document& doc = docs[order[i]];
        const int year = i == 0 ? from_year : static_cast<int>(prng.Between(from_year, to_year));
        items.push_back(archives::ArchiveItem{static_cast<int>(i) + 1, std::string(doc.title),
                                              std::string(doc.doc_type), RandomDate(prng, year, year),
                                              static_cast<int>(prng.Between(1, 8))});
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.doc_date < b.doc_date; });
    for (std::size_t i = 0; i < items.size(); ++i) items[i].seq = static_cast<int>(i) + 1;
    return items;
}

std::string_view RecordStatus(Prng& prng) {
    static const std::vector<std::uint32_t> weights = Cumulative(std::array<std::uint32_t, 4>{970, 15, 5, 10});
    static constexpr std::array<std::string_view, 4> kStatuses{"in_store", "lent", "transferring", "transferred"};
    return kStatuses[prng.Weighted(weights)];
}

}  // namespace

struct Generator::Identity {
    Prng prng;
    std::size_t district = 0;
    bool male = true;
    sys_days birth;
    int sequence = 0;
};

Generator::Generator(std::uint64_t seed) : seed_(seed) {
    sequence_used_.assign(Districts().size() * kCounterDays * 2, 0);
    Prng prng(Mix(seed, 0x401de55ULL));
    const auto districts = Districts();
    const auto cities = Cities();

    holders_.push_back(archives::Holder{"", "2201-ZX", "长春市社会保险档案管理中心", "centre",
                                        "长春市朝阳区人民大街3688号 社保大厦2楼", "0431-88771234",
                                        "周一至周五 8:30–11:30，13:00–16:30（法定节假日除外）", "2201"});
    for (const District& d : districts) {
        holders_.push_back(archives::Holder{
            "", fmt::format("{}-SB", d.code), fmt::format("{}{}社会保险事业管理局", d.city->name, d.name),
            "district_bureau", Address(prng, d), Phone(prng, *d.city), "周一至周五 8:30–16:30", std::string(d.code)});
    }
    for (const City& c : cities) {
        const District& seat =
            *std::find_if(districts.begin(), districts.end(), [&](const District& d) { return d.city == &c; });
        holders_.push_back(archives::Holder{"", fmt::format("{}-RC", c.code), fmt::format("{}人才服务中心", c.name),
                                            "talent_centre", Address(prng, seat), Phone(prng, c),
                                            "周一至周五 9:00–16:00", std::string(c.code)});
    }
    employers_by_city_.resize(cities.size());
    for (std::size_t e = 0; e < kEmployers; ++e) {
        const District& d = districts[prng.Weighted(DistrictWeights())];
        const std::string_view suffix = prng.Chance(0.15) ? "股份有限公司" : "有限公司";
        employers_by_city_[CityIndex(d)].push_back(holders_.size());
        holders_.push_back(archives::Holder{
            "", CreditCode(d, Mix(seed, e)),
            fmt::format("{}{}{}{}", d.city->name, Pick(prng, TradeNames()), Pick(prng, Industries()), suffix),
            "employer", Address(prng, d) + " 人力资源部", Phone(prng, *d.city), "周一至周五 8:00–17:00",
            std::string(d.code)});
    }

    for (const District& d : districts) {
        int seq = 0;
        auto code = [&] { return fmt::format("{}-{:03d}", d.code, ++seq); };
        branches_.push_back(archives::Branch{"",
                                             code(),
                                             fmt::format("{}社保服务大厅", d.name),
                                             "hall",
                                             Address(prng, d) + " 一楼",
                                             Phone(prng, *d.city),
                                             "周一至周五 8:30–16:30，周六 9:00–12:00",
                                             {"lookup", "retrieval", "visit", "certificate", "kiosk"},
                                             std::string(d.code)});
        for (auto n = prng.Between(1, 2); n > 0; --n) {
            branches_.push_back(archives::Branch{"",
                                                 code(),
                                                 fmt::format("{}{}支行（自助终端）", Pick(prng, Banks()), d.name),
                                                 "bank",
                                                 Address(prng, d),
                                                 Phone(prng, *d.city),
                                                 "每天 8:00–20:00",
                                                 {"lookup", "certificate", "kiosk"},
                                                 std::string(d.code)});
        }
        for (auto n = prng.Between(1, 3); n > 0; --n) {
            branches_.push_back(archives::Branch{"",
                                                 code(),
                                                 fmt::format("{}{}街道社区服务站", d.name, Pick(prng, Streets())),
                                                 "community",
                                                 Address(prng, d),
                                                 Phone(prng, *d.city),
                                                 "周一至周五 8:30–16:00",
                                                 {"lookup", "retrieval"},
                                                 std::string(d.code)});
        }
    }
}

Generator::Identity Generator::DrawIdentity(std::uint64_t number) {
    Identity id{Prng(Mix(seed_, number)), 0, true, {}, 0};
    id.district = id.prng.Weighted(DistrictWeights());
    id.male = id.prng.Chance(0.5);
    const int age = kMinAge + static_cast<int>(id.prng.Weighted(AgeWeights()));
    const year_month_day latest{kReferenceDate.year() - std::chrono::years{age}, kReferenceDate.month(),
                                kReferenceDate.day()};
    id.birth = sys_days{latest} - days{id.prng.Below(365)};
    const sys_days counter_origin{year_month_day{kReferenceDate.year() - std::chrono::years{kCounterYears},
                                                 std::chrono::January, std::chrono::day{1}}};
    // A full (county, day, gender) moves to the next day: only ever needed at enormous sizes.
    for (;;) {
        const auto day = static_cast<std::size_t>((id.birth - counter_origin).count());
        std::uint16_t& used = sequence_used_[(id.district * kCounterDays + day) * 2 + (id.male ? 1 : 0)];
        if (used < kSequencesPerGender) {
            id.sequence = 100 + 2 * used + (id.male ? 1 : 0);
            ++used;
            break;
        }
        id.birth += days{1};
    }
    return id;
}

void Generator::Skip(std::uint64_t n) {
    for (std::uint64_t i = 0; i < n; ++i) DrawIdentity(next_++);
}

GenPerson Generator::Next() {
    GenPerson p;
    p.number = next_++;
    Identity id = DrawIdentity(p.number);
    Prng& prng = id.prng;
    const District& district = Districts()[id.district];
    const std::size_t city = CityIndex(district);
    const year_month_day birth{id.birth};
    const std::string first17 =
        fmt::format("{}{:04d}{:02d}{:02d}{:03d}", district.code, static_cast<int>(birth.year()),
                    static_cast<unsigned>(birth.month()), static_cast<unsigned>(birth.day()), id.sequence);
    p.id_number = first17 + *core::IdNumberCheckCharacter(first17);
    p.male = id.male;
    p.birth_date = core::FormatDate(birth);
    p.region_code = std::string(district.code);

    p.name = std::string(Surnames()[prng.Weighted(SurnameWeights())].text);
    const auto given = id.male ? MaleNameCharacters() : FemaleNameCharacters();
    if (!prng.Chance(0.3)) p.name += prng.Chance(0.35) ? Pick(prng, NeutralNameCharacters()) : Pick(prng, given);
    p.name += Pick(prng, given);
    p.mobile = fmt::format("{}{:08d}", Pick(prng, MobilePrefixes()), prng.Below(100000000));

    // Working life: from 18–24 until retirement (men 60; women 55 as cadres, 50 as workers,
    // the ages in force before the 2025 reform) or the reference date.
    const int retirement_age = id.male ? 60 : (prng.Chance(0.4) ? 55 : 50);
    const int reference = Months(kReferenceDate);
    const int retirement = Months(birth) + retirement_age * 12;
    const bool retired = retirement <= reference;
    const int start = Months(birth) + static_cast<int>(prng.Between(18 * 12, 24 * 12 + 11));
    const int end = std::min(retirement, reference);

    static const std::vector<std::uint32_t> kPeriodCounts = Cumulative(std::array<std::uint32_t, 5>{5, 35, 35, 18, 7});
    std::size_t count = prng.Weighted(kPeriodCounts);
    const int span = end - start;
    if (span <= 0) count = 0;
    count = std::min<std::size_t>(count, static_cast<std::size_t>(std::max(span / 6, span > 0 ? 1 : 0)));
    std::vector<int> cuts{0};
    for (std::size_t i = 1; i < count; ++i) cuts.push_back(static_cast<int>(prng.Between(1, span - 1)));
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    if (count > 0) cuts.push_back(span);
    const auto& local = employers_by_city_[city];
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        GenPeriod period;
        period.employer = prng.Chance(0.8) && !local.empty() ? local[prng.Below(local.size())]
                                                             : FirstEmployer() + prng.Below(kEmployers);
        period.from_date = YearMonth(start + cuts[i]);
        const bool last = i + 2 == cuts.size();
        const int gap = static_cast<int>(prng.Below(4));
        const int to = std::max(start + cuts[i], start + cuts[i + 1] - (last ? 0 : 1) - gap);
        if (!(last && !retired && prng.Chance(0.85))) period.to_date = YearMonth(to);
        p.periods.push_back(std::move(period));
    }

    const int last_year = static_cast<int>(kReferenceDate.year()) - 1;
    const int work_year = std::clamp(start / 12, 1992, last_year);
    const std::string_view city_code = district.city->code;
    const std::size_t local_holder = city == 0 && prng.Chance(0.7) ? kCentre : Bureau(id.district);

    GenRecord si;
    si.filed_year = p.periods.empty() ? work_year : std::clamp(std::stoi(p.periods.front().from_date), 1992, last_year);
    si.archival_code = fmt::format("{}-SB-{}-{:08d}", city_code, si.filed_year, p.number);
    si.kind = "social_insurance";
    si.holder = local_holder;
    si.shelf_location = Shelf(prng, std::string(1, static_cast<char>('A' + prng.Below(4))));
    si.status = RecordStatus(prng);
    static const std::vector<std::uint32_t> kRetention = Cumulative(std::array<std::uint32_t, 4>{60, 20, 10, 10});
    static constexpr std::array<std::optional<int>, 4> kRetentionYears{std::nullopt, 100, 50, 30};
    si.retention_years = kRetentionYears[prng.Weighted(kRetention)];
    si.items = Items(prng, SocialInsuranceDocuments(), 1 + prng.Below(3), si.filed_year, true);
    p.records.push_back(std::move(si));

    const bool employed = !p.periods.empty() && !p.periods.back().to_date;
    if (employed && prng.Chance(0.12)) {
        GenRecord r;
        r.holder = p.periods.back().employer;
        r.filed_year = std::clamp(std::stoi(p.periods.back().from_date), 1949, last_year);
        r.archival_code = fmt::format("DW-{}-{:08d}", holders_[r.holder].code, p.number);
        r.kind = "personnel";
        r.shelf_location = Shelf(prng, "人事");
        r.status = "in_store";
        r.items = Items(prng, PersonnelDocuments(), 2 + prng.Below(3), r.filed_year, false);
        p.records.push_back(std::move(r));
    } else if (!retired && prng.Chance(0.06)) {
        GenRecord r;
        r.holder = TalentCentre(city);
        r.filed_year = work_year;
        r.archival_code = fmt::format("{}-RC-{}-{:08d}", city_code, r.filed_year, p.number);
        r.kind = "personnel";
        r.shelf_location = Shelf(prng, "R");
        r.status = RecordStatus(prng);
        r.items = Items(prng, PersonnelDocuments(), 2 + prng.Below(3), r.filed_year, false);
        p.records.push_back(std::move(r));
    }
    if (retired && prng.Chance(0.75)) {
        GenRecord r;
        r.holder = local_holder;
        r.filed_year = std::clamp(retirement / 12, 1949, last_year);
        r.archival_code = fmt::format("{}-TX-{}-{:08d}", city_code, r.filed_year, p.number);
        r.kind = "retirement";
        r.shelf_location = Shelf(prng, "T");
        r.status = RecordStatus(prng);
        r.items = Items(prng, RetirementDocuments(), 2 + prng.Below(2), r.filed_year, true);
        p.records.push_back(std::move(r));
    }
    for (GenRecord& r : p.records) {
        r.retention_ends = archives::RetentionEnds(r.filed_year, archives::Retention{r.retention_years});
    }
    return p;
}

}  // namespace dangan::bulk
