#pragma once

// How holders, branches, records and employment periods are shown: JSON for the citizen
// (no shelf location), for staff (with shelf location, retention and items) and for anyone
// (holders and branches carry no personal data). Plain functions; shapes in docs/api-archives.md.

#include <nlohmann/json.hpp>
#include <vector>

#include "archives/records.hpp"

namespace dangan::archives {

nlohmann::json HolderJson(const Holder& holder);
nlohmann::json BranchJson(const Branch& branch);
nlohmann::json CitizenRecordJson(const ArchiveRecord& record);
// Staff view of a record; items are included when `with_items`.
nlohmann::json StaffRecordJson(const ArchiveRecord& record, bool with_items);
nlohmann::json PeriodJson(const EmploymentPeriod& period);

// What to do when no archive is found: call 12333, visit a branch with the ID card, ask the
// last employer. Sentences for people.
std::vector<std::string> NextSteps();
// The same as one message for an error answer.
std::string NextStepsMessage();

}  // namespace dangan::archives
