#include "core/ids.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <stdexcept>

namespace dangan::core {
namespace {

std::mutex g_mutex;
std::uint64_t g_last_ms = 0;
std::uint16_t g_last_seq = 0;  // 12-bit counter in rand_a, for ordering within a millisecond

}  // namespace

std::string NewId(const Clock& clock) {
    auto ms = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch()).count());
    std::array<unsigned char, 16> b{};
    if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");  // broken infrastructure, not user input
    }
    std::uint16_t seq;
    {
        std::lock_guard lock(g_mutex);
        if (ms <= g_last_ms) {
            ms = g_last_ms;
            seq = static_cast<std::uint16_t>(g_last_seq + 1);
            if (seq > 0x0fff) {  // counter exhausted: borrow the next millisecond
                ms = ++g_last_ms;
                seq = static_cast<std::uint16_t>(b[6] & 0x03);
            }
        } else {
            g_last_ms = ms;
            seq = static_cast<std::uint16_t>(((b[6] << 8) | b[7]) & 0x01ff);  // random start, room to grow
        }
        g_last_seq = seq;
    }
    for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (40 - 8 * i));
    b[6] = static_cast<unsigned char>(0x70 | (seq >> 8));
    b[7] = static_cast<unsigned char>(seq & 0xff);
    b[8] = static_cast<unsigned char>(0x80 | (b[8] & 0x3f));

    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += kHex[b[i] >> 4];
        out += kHex[b[i] & 0x0f];
    }
    return out;
}

bool IsId(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash != (c == '-')) return false;
        if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return s[14] == '7';
}

}  // namespace dangan::core
