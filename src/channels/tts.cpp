#include "channels/tts.hpp"

#include <espeak-ng/speak_lib.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <vector>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "http/app.hpp"

namespace dangan::channels {

namespace {

// espeak-ng is one global synthesiser. The route is public, so a flood of new texts must not hold
// many handler threads: at most kMaxQueued requests wait for it, each at most kMaxWait.
std::timed_mutex g_espeak_mutex;
std::atomic<int> g_queued{0};
constexpr int kMaxQueued = 2;
constexpr auto kMaxWait = std::chrono::seconds(3);
constexpr std::size_t kMaxSeconds = 120;  // 300 characters at the slowest rate take about 90 s
bool g_espeak_tried = false;
int g_sample_rate = 0;  // 0: unavailable
std::vector<short>* g_sink = nullptr;

int OnSamples(short* wav, int count, espeak_EVENT*) {
    if (g_sink == nullptr) return 0;
    if (g_sink->size() > kMaxSeconds * static_cast<std::size_t>(g_sample_rate)) return 1;  // stop: too long
    if (wav != nullptr && count > 0) g_sink->insert(g_sink->end(), wav, wav + count);
    return 0;  // go on
}

void PutLe(std::string& out, std::uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

Error Unavailable() { return MakeError(ErrorCode::kUnavailable, "语音合成暂不可用", "", "tts_unavailable"); }
Error Busy() { return MakeError(ErrorCode::kUnavailable, "朗读服务繁忙，请稍后再试", "", "tts_busy"); }

}  // namespace

std::string WavHeader(std::uint32_t sample_rate, std::uint32_t data_bytes) {
    std::string h;
    h.reserve(44);
    h += "RIFF";
    PutLe(h, 36 + data_bytes, 4);
    h += "WAVEfmt ";
    PutLe(h, 16, 4);  // fmt chunk size
    PutLe(h, 1, 2);   // PCM
    PutLe(h, 1, 2);   // mono
    PutLe(h, sample_rate, 4);
    PutLe(h, sample_rate * 2, 4);  // byte rate
    PutLe(h, 2, 2);                // block align
    PutLe(h, 16, 2);               // bits per sample
    h += "data";
    PutLe(h, data_bytes, 4);
    return h;
}

std::string TtsKey(std::string_view text, int rate) {
    return core::Sm3Hex("tts/v1/cmn/" + std::to_string(rate) + "/" + std::string(text));
}

Result<std::string> SynthesizeWav(std::string_view text, int rate) {
    if (g_queued.fetch_add(1) >= kMaxQueued) {
        g_queued.fetch_sub(1);
        return Busy();
    }
    std::unique_lock lock(g_espeak_mutex, kMaxWait);
    g_queued.fetch_sub(1);
    if (!lock.owns_lock()) return Busy();
    if (!g_espeak_tried) {
        g_espeak_tried = true;
        const int sr = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (sr <= 0) {
            spdlog::error("tts: espeak-ng could not be initialised (its data missing?)");
        } else if (espeak_SetVoiceByName("cmn") != EE_OK) {
            spdlog::error("tts: espeak-ng has no Mandarin voice \"cmn\" (espeak-ng-data)");
        } else {
            espeak_SetSynthCallback(OnSamples);
            g_sample_rate = sr;
        }
    }
    if (g_sample_rate <= 0) return Unavailable();
    std::vector<short> samples;
    g_sink = &samples;
    espeak_SetParameter(espeakRATE, rate, 0);
    const std::string z(text);
    const espeak_ERROR err =
        espeak_Synth(z.c_str(), z.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
    g_sink = nullptr;
    if (err != EE_OK) return Unavailable();
    const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
    std::string wav = WavHeader(static_cast<std::uint32_t>(g_sample_rate), data_bytes);
    wav.reserve(44 + data_bytes);
    for (short s : samples) PutLe(wav, static_cast<std::uint16_t>(s), 2);
    return wav;
}

std::shared_ptr<const std::string> WavCache::Get(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
}

void WavCache::Put(const std::string& key, std::shared_ptr<const std::string> wav) {
    std::lock_guard lock(mutex_);
    if (wav->size() > max_bytes_ || by_key_.contains(key)) return;
    bytes_ += wav->size();
    order_.emplace_front(key, std::move(wav));
    by_key_[key] = order_.begin();
    while (bytes_ > max_bytes_ && !order_.empty()) {
        bytes_ -= order_.back().second->size();
        by_key_.erase(order_.back().first);
        order_.pop_back();
    }
}

std::size_t WavCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t WavCache::size() const {
    std::lock_guard lock(mutex_);
    return order_.size();
}

namespace {

http::Response Fail(const Error& e) { return http::Response::FromError(e); }

http::Response Speak(WavCache& cache, http::Request& req) {
    const std::string text(core::TrimSpaces(req.QueryParam("text").value_or("")));
    if (text.empty())
        return Fail(MakeError(ErrorCode::kInvalidArgument, "请提供要朗读的文字", "text", "text_required"));
    if (core::CountCharacters(text) > 300) {
        return Fail(MakeError(ErrorCode::kInvalidArgument, "朗读的文字不能超过 300 个字", "text", "text_too_long"));
    }
    int rate = kTtsDefaultRate;
    if (auto r = req.QueryParam("rate"); r && !r->empty()) {
        auto [ptr, ec] = std::from_chars(r->data(), r->data() + r->size(), rate);
        if (ec != std::errc() || ptr != r->data() + r->size() || rate < kTtsMinRate || rate > kTtsMaxRate) {
            return Fail(
                MakeError(ErrorCode::kInvalidArgument, "语速应为 80 到 260 之间的整数", "rate", "invalid_rate"));
        }
    }
    const std::string key = TtsKey(text, rate);
    const std::string etag = "\"" + key.substr(0, 32) + "\"";
    if (auto inm = req.Header("if-none-match"); inm && inm->find(etag) != std::string_view::npos) {
        http::Response r;
        r.status = 304;
        r.Header("ETag", etag).Header("Cache-Control", "public, max-age=86400");
        return r;
    }
    auto wav = cache.Get(key);
    if (!wav) {
        auto made = SynthesizeWav(text, rate);
        if (!made) return Fail(made.error());
        wav = std::make_shared<const std::string>(std::move(*made));
        cache.Put(key, wav);
    }
    http::Response r = http::Response::Text(*wav, "audio/wav");
    r.Header("ETag", etag).Header("Cache-Control", "public, max-age=86400");
    return r;
}

}  // namespace

void RegisterTts(http::App& app) {
    auto cache = std::make_shared<WavCache>(static_cast<std::size_t>(app.config.tts.cache_bytes));
    app.router.Add(http::Method::kGet, "/api/v1/tts", http::Access::Public(),
                   [cache](http::Request& r) { return Speak(*cache, r); });
}

}  // namespace dangan::channels
