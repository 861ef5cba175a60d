#pragma once

// The archive store: holders (who keeps archives), branches (where citizens are served),
// archive records with their items (卷内目录) and a person's employment periods. Reads for
// the routes; validated upserts keyed by the natural codes (holder code, branch code,
// archival code) for `dangan import`, the demo seeder and tests, so that loading the same
// data twice changes nothing. Codes and labels: rules.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::archives {

struct Holder {
    std::string id;
    std::string code;
    std::string name;
    std::string kind;  // HolderKinds()
    std::string address;
    std::string phone;
    std::string opening_hours;
    std::string region_code;
};

struct Branch {
    std::string id;
    std::string code;  // 220102-001
    std::string name;
    std::string kind;  // BranchKinds()
    std::string address;
    std::string phone;
    std::string opening_hours;
    std::vector<std::string> services;  // BranchServices()
    std::string region_code;
};

struct ArchiveItem {
    int seq = 0;
    std::string title;
    std::string doc_type;
    std::string doc_date;  // YYYY, YYYY-MM or YYYY-MM-DD
    int page_count = 0;
};

struct ArchiveRecord {
    std::string id;
    std::string archival_code;
    std::string person_id;
    std::string kind;    // RecordKinds()
    std::string status;  // RecordStatuses()
    std::string shelf_location;
    int filed_year = 0;
    std::optional<int> retention_years;        // nullopt: permanent
    std::optional<std::string> retention_ends; // last day kept
    Holder holder;
    std::vector<ArchiveItem> items;  // filled when asked for
};

struct EmploymentPeriod {
    int seq = 0;
    std::string employer_name;
    std::optional<std::string> employer_credit_code;
    std::string from_date;
    std::optional<std::string> to_date;  // nullopt: still employed
};

// --- reads ---------------------------------------------------------------------------

// The person's records with their holders, newest filing first; with their items when asked.
Result<std::vector<ArchiveRecord>> RecordsOfPerson(db::Database& db, const std::string& person_id, bool with_items);
Result<std::vector<EmploymentPeriod>> PeriodsOfPerson(db::Database& db, const std::string& person_id);

// Public lists ordered by code, `limit` after the code `after` (the cursor). An empty
// region lists all; a region lists codes under it (prefix). `kind`/`service` filter when set.
Result<std::vector<Holder>> ListHolders(db::Database& db, const std::string& region, const std::string& kind,
                                        const std::string& after, int limit);
Result<std::vector<Branch>> ListBranches(db::Database& db, const std::string& region, const std::string& service,
                                         const std::string& after, int limit);
Result<std::optional<Holder>> FindHolderByCode(db::Database& db, const std::string& code);
Result<std::optional<Branch>> FindBranchByCode(db::Database& db, const std::string& code);

// --- writes (validated; kInvalidArgument names the field) -------------------------------

// Inserts or updates by code. Returns the stored holder with its id.
Result<Holder> UpsertHolder(db::Connection& conn, const core::Clock& clock, Holder holder);
Result<Branch> UpsertBranch(db::Connection& conn, const core::Clock& clock, Branch branch);

// Input of a record: the holder by code, retention as years (nullopt permanent).
struct RecordInput {
    std::string archival_code;
    std::string person_id;
    std::string kind;
    std::string holder_code;
    std::string shelf_location;
    std::string status = "in_store";
    int filed_year = 0;
    std::optional<int> retention_years;
};
// Inserts or updates by archival code (an archival code already used for another person is
// kConflict, field archival_code). Unknown holder code → kInvalidArgument (holder_code).
Result<ArchiveRecord> UpsertRecord(db::Connection& conn, const core::Clock& clock, const RecordInput& input);
// Inserts or replaces the item (record_id, seq).
Status PutItem(db::Connection& conn, const std::string& record_id, const ArchiveItem& item);
// Inserts or replaces the period (person_id, seq).
Status PutPeriod(db::Connection& conn, const std::string& person_id, const EmploymentPeriod& period);

}  // namespace dangan::archives
