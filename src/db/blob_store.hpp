#pragma once

// Content-addressed files (certificate PDFs now, scans later): each file is stored once under
// its SM3 hash in a folder (storage.blob_dir) that every server node shares; the database keeps
// only the hash. Layout: <dir>/<h[0..2]>/<h[2..4]>/<h>, where h is the 64-hex SM3 of the bytes.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace dangan::db {

class BlobStore {
public:
    explicit BlobStore(std::string dir) : dir_(std::move(dir)) {}

    // Stores `bytes` and returns their SM3 hash (hex). Written to a temporary file, flushed to
    // disk and renamed into place, so a reader never sees half a file; storing the same bytes
    // again is a no-op. kInternal (reason "blob_write_failed") when the folder is not writable.
    Result<std::string> Put(std::string_view bytes) const;
    // The bytes stored under `sm3_hex`, checked against the hash. kNotFound (reason
    // "blob_not_found") when missing; kInternal (reason "blob_corrupted") when the file no
    // longer matches its name.
    Result<std::string> Get(const std::string& sm3_hex) const;
    // Where the blob of `sm3_hex` lives (whether or not it exists).
    std::string PathOf(const std::string& sm3_hex) const;

private:
    std::string dir_;
};

}  // namespace dangan::db
