#pragma once

// Speech for the hall robot (docs/api-kb.md "Speech"): GET /api/v1/tts?text=…&rate= returns a
// WAV made by espeak-ng with the Mandarin voice "cmn" (22 050 Hz, mono, 16-bit). espeak-ng
// keeps global state and is not thread-safe, so one mutex serialises synthesis in the process;
// answers are kept in a bounded in-memory LRU cache keyed by SM3(rate, text), which is also
// the ETag (If-None-Match → 304 without synthesising).

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"

namespace dangan::http {
struct App;
}

namespace dangan::channels {

inline constexpr int kTtsDefaultRate = 150;  // words a minute: slower than espeak's 175, for elderly listeners
inline constexpr int kTtsMinRate = 80;
inline constexpr int kTtsMaxRate = 260;

// The 44-byte RIFF/WAVE header of PCM 16-bit mono audio at `sample_rate` with `data_bytes` of samples.
std::string WavHeader(std::uint32_t sample_rate, std::uint32_t data_bytes);

// The cache key (and ETag value, without quotes) of a text at a rate: hex SM3.
std::string TtsKey(std::string_view text, int rate);

// Synthesises `text` (UTF-8) with espeak-ng into a whole WAV file. kUnavailable
// ("tts_unavailable") when espeak-ng or its data cannot be loaded. Thread-safe (serialised).
Result<std::string> SynthesizeWav(std::string_view text, int rate);

// A least-recently-used cache of WAVs bounded in bytes. Thread-safe.
class WavCache {
public:
    explicit WavCache(std::size_t max_bytes) : max_bytes_(max_bytes) {}
    std::shared_ptr<const std::string> Get(const std::string& key);
    void Put(const std::string& key, std::shared_ptr<const std::string> wav);
    std::size_t bytes() const;
    std::size_t size() const;

private:
    using Item = std::pair<std::string, std::shared_ptr<const std::string>>;
    std::size_t max_bytes_;
    mutable std::mutex mutex_;
    std::list<Item> order_;  // most recent first
    std::unordered_map<std::string, std::list<Item>::iterator> by_key_;
    std::size_t bytes_ = 0;
};

// Adds GET /api/v1/tts.
void RegisterTts(http::App& app);

}  // namespace dangan::channels
