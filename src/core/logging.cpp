#include "core/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/clock.hpp"

namespace dangan::core {
namespace {

thread_local std::string t_request_id;

class LineFormatter final : public spdlog::formatter {
public:
    explicit LineFormatter(bool json) : json_(json) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        std::string time = FormatIso8601(msg.time);
        auto level = spdlog::level::to_string_view(msg.level);
        std::string_view text(msg.payload.data(), msg.payload.size());
        std::string line;
        if (json_) {
            line = "{\"time\":\"" + time + "\",\"level\":\"" + std::string(level.data(), level.size()) + "\"";
            if (!t_request_id.empty()) line += ",\"request_id\":\"" + JsonEscape(t_request_id) + "\"";
            line += ",\"msg\":\"" + JsonEscape(text) + "\"}\n";
        } else {
            line = time + " " + std::string(level.data(), level.size());
            if (!t_request_id.empty()) line += " [" + t_request_id + "]";
            line += " " + std::string(text) + "\n";
        }
        dest.append(line.data(), line.data() + line.size());
    }

    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<LineFormatter>(json_); }

private:
    bool json_;
};

}  // namespace

Status InitLogging(const std::string& level, const std::string& format) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off") {
        return MakeError(ErrorCode::kInvalidArgument, "日志级别无效：" + level, "log.level");
    }
    if (format != "plain" && format != "json") {
        return MakeError(ErrorCode::kInvalidArgument, "日志格式无效：" + format, "log.format");
    }
    auto logger = std::make_shared<spdlog::logger>("dangan", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_formatter(std::make_unique<LineFormatter>(format == "json"));
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return Ok();
}

RequestIdScope::RequestIdScope(std::string_view id) : previous_(std::move(t_request_id)) { t_request_id = id; }
RequestIdScope::~RequestIdScope() { t_request_id = std::move(previous_); }

const std::string& CurrentRequestId() { return t_request_id; }

std::string JsonEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    static constexpr char kHex[] = "0123456789abcdef";
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0x0f];
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out;
}

}  // namespace dangan::core
