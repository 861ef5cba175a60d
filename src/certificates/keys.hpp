#pragma once

// The SM2 keys that sign certificates. They live as files in certificates.key_dir, the same
// folder contents on every node: <kid>.pem is a private key (PKCS#8, mode 0600) and signs;
// <kid>.pub.pem is a public key alone — a retired key whose private part was destroyed, kept so
// that the certificates it signed still verify. Every key found is published at
// /.well-known/dangan-keys.json. Rotation: docs/certificates.md.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/crypto.hpp"
#include "core/result.hpp"

namespace dangan::certificates {

struct KeySet {
    std::map<std::string, core::Sm2Key> published;  // kid → public key
    std::string signing_kid;                        // empty: this node cannot sign
    std::optional<core::Sm2Key> signing;            // the private key of signing_kid
};

// Reads the folder (a missing folder is an empty set). `signing_kid` chooses the signing key;
// empty chooses the greatest kid with a private key (kids such as "2026-11-27" sort by date).
// A signing_kid without a private key, or a file that is not an SM2 key, is an error naming it.
Result<KeySet> LoadKeyDir(const std::string& dir, const std::string& signing_kid);

// Writes a fresh private key <dir>/<kid>.pem (mode 0600), creating the folder (0700). kConflict
// when the kid exists already; kInvalidArgument for a kid outside [a-z0-9-]{1,16}.
Status CreateKey(const std::string& dir, const std::string& kid);
// For `dangan init`: creates a key named after `today` when the folder holds none yet.
Status EnsureKey(const std::string& dir, const std::string& today);

// The published document: {"issuer","alg","sm2_id","payload_version","keys":[{kid,status,public_key_pem}]}.
nlohmann::json PublishedJson(const KeySet& keys, const std::string& issuer);
// The keys of such a document (for the offline verifier). kInvalidArgument naming what is wrong.
Result<std::map<std::string, core::Sm2Key>> KeysFromPublishedJson(std::string_view text);

}  // namespace dangan::certificates
