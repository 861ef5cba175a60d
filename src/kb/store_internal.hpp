#pragma once

// Helpers the knowledge-base store's files share (store.cpp, lexicon_store.cpp); not for callers.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "db/database.hpp"

namespace dangan::kb::store_detail {

// 400 with the reason, the field and a Chinese message.
Error Invalid(std::string reason, std::string field, std::string message);
// 409 version_conflict: someone saved first.
Error VersionConflict();
// Trims ASCII white space and the ideographic space at both ends.
std::string Trim(std::string_view s);
// Characters (code points) of UTF-8 text.
std::size_t Chars(const std::string& s);
std::string ToJsonArray(const std::vector<std::string>& v);
// The strings of a JSON array; anything else gives none.
std::vector<std::string> FromJsonArray(const std::string& text);
// Bumps kb_state.version in the transaction: every node's matcher is rebuilt.
Status BumpState(db::Connection& conn);

}  // namespace dangan::kb::store_detail
