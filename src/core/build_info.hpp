#pragma once

namespace dangan::core {
// Product name shown to people, version and the git revision the binary was built from.
inline constexpr const char* kProductName = "社会保险档案智慧服务平台";
extern const char* const kVersion;
extern const char* const kGitRevision;
}  // namespace dangan::core
