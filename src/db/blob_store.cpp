#include "db/blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.hpp"

namespace dangan::db {

namespace {

bool IsHash(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Error WriteFailed(const std::string& path, const std::string& why) {
    return MakeError(ErrorCode::kInternal, "文件存储失败：" + path + "（" + why + "）", "", "blob_write_failed");
}

}  // namespace

std::string BlobStore::PathOf(const std::string& sm3_hex) const {
    return dir_ + "/" + sm3_hex.substr(0, 2) + "/" + sm3_hex.substr(2, 2) + "/" + sm3_hex;
}

Result<std::string> BlobStore::Put(std::string_view bytes) const {
    const std::string hash = core::Sm3Hex(bytes);
    const std::string path = PathOf(hash);
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return hash;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    if (ec) return WriteFailed(path, ec.message());
    const std::string temp = path + ".tmp-" + core::HexEncode(core::SecureRandom(6));
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0) return WriteFailed(temp, std::strerror(errno));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string why = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            return WriteFailed(temp, why);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        return WriteFailed(temp, "fsync");
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) {
        ::unlink(temp.c_str());
        return WriteFailed(path, ec.message());
    }
    return hash;
}

Result<std::string> BlobStore::Get(const std::string& sm3_hex) const {
    if (!IsHash(sm3_hex)) {
        return MakeError(ErrorCode::kNotFound, "文件不存在", "", "blob_not_found");
    }
    std::ifstream in(PathOf(sm3_hex), std::ios::binary);
    if (!in) return MakeError(ErrorCode::kNotFound, "文件不存在", "", "blob_not_found");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string bytes = std::move(buffer).str();
    if (core::Sm3Hex(bytes) != sm3_hex) {
        return MakeError(ErrorCode::kInternal, "存储的文件已损坏：" + PathOf(sm3_hex), "", "blob_corrupted");
    }
    return bytes;
}

}  // namespace dangan::db
