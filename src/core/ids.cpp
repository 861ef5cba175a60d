#include "core/ids.hpp"

#include "core/crypto.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <mutex>

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
    const std::string random = SecureRandom(b.size());
    std::copy(random.begin(), random.end(), b.begin());
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

    const std::string hex = HexEncode(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
           hex.substr(20);
}

bool IsId(const std::string& s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash != (c == '-')) return false;
        if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return s[14] == '7' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

}  // namespace dangan::core
