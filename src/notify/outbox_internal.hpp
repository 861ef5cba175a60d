#pragma once

// Names shared by the files of notify/ (not for other modules).

#include <cstdint>
#include <string_view>

#include "core/clock.hpp"

namespace dangan::notify {

inline constexpr std::string_view kSmsChannel = "sms";
// Associated data of the sealed recipient: a value copied from another column does not open.
inline constexpr std::string_view kRecipientAssociatedData = "outbox.recipient";

// Unix milliseconds of `t`, as stored in the outbox.
std::int64_t ToMillis(core::TimePoint t);

}  // namespace dangan::notify
