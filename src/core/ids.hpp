#pragma once

// Time-ordered identifiers: UUID version 7 (RFC 9562) — 48 bits of Unix milliseconds, then
// random bits — so ids sort by creation time and index well, and need no coordination
// between server nodes. Within one millisecond one process keeps them increasing.

#include <string>

#include "core/clock.hpp"

namespace dangan::core {

// "0190e1f2-7a3b-7c4d-9e5f-0123456789ab". Thread-safe.
std::string NewId(const Clock& clock);

// True when `s` has the form NewId() produces.
bool IsId(const std::string& s);

}  // namespace dangan::core
