#pragma once

// A small, fast, seedable pseudo-random generator for synthetic data: xoshiro256** seeded
// through splitmix64 (Blackman and Vigna's recommended pair). Deterministic on every platform,
// unlike the distributions of <random>, whose output the standard leaves to the library.
// Not for secrets.

#include <cstdint>
#include <span>

namespace dangan::bulk {

// splitmix64: one step of the sequence and a good 64-bit mixer of its input.
constexpr std::uint64_t SplitMix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// A hash of two numbers, for seeding one stream per (seed, index).
constexpr std::uint64_t Mix(std::uint64_t a, std::uint64_t b) {
    std::uint64_t s = a ^ (b * 0xd1342543de82ef95ULL);
    SplitMix64(s);
    return SplitMix64(s);
}

class Prng {
public:
    explicit constexpr Prng(std::uint64_t seed) {
        for (auto& word : s_) word = SplitMix64(seed);
    }

    constexpr std::uint64_t Next() {
        const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = Rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n) for n > 0 (Lemire's multiply-shift; the bias is below 2^-32 for the
    // small n used here).
    std::uint64_t Below(std::uint64_t n) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
    }
    // Uniform in [lo, hi].
    std::int64_t Between(std::int64_t lo, std::int64_t hi) {
        return lo + static_cast<std::int64_t>(Below(static_cast<std::uint64_t>(hi - lo + 1)));
    }
    // True with probability `p`.
    bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

    // An index drawn with the given relative weights (cumulative, ascending, last = total).
    std::size_t Weighted(std::span<const std::uint32_t> cumulative) {
        const std::uint64_t x = Below(cumulative.back());
        std::size_t lo = 0, hi = cumulative.size() - 1;
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

private:
    static constexpr std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

}  // namespace dangan::bulk
