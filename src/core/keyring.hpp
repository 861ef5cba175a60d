#pragma once

// The platform's secret keys: one to seal personal data (SM4-CTR + HMAC-SM3, see crypto.hpp)
// and one for blind indexes and other keyed hashes (HMAC-SM3). They live in a key file that
// `dangan init` creates with mode 0600 (security.key_file), or come from the environment
// (DANGAN_KEY_SEAL, DANGAN_KEY_INDEX: 64 hex digits each), which wins over the file. Every
// node of a deployment must have the same keys.

#include <map>
#include <string>

#include "core/result.hpp"

namespace dangan::core {

struct Keyring {
    std::string seal_key;   // 32 raw bytes
    std::string index_key;  // 32 raw bytes
};

// Reads the keys from `path` and/or `env`. A missing file without both variables, a file
// readable by others than its owner, or a malformed key is an error naming the cause.
Result<Keyring> LoadKeyring(const std::string& path, const std::map<std::string, std::string>& env);

// Creates `path` (and its folder) with fresh random keys, mode 0600. Leaves an existing file
// untouched and returns ok, so `dangan init` can run again safely.
Status CreateKeyringFile(const std::string& path);

}  // namespace dangan::core
