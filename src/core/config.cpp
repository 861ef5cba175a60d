#include "core/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <toml++/toml.h>

extern char** environ;

namespace dangan::core {
namespace {

Error KeyError(const std::string& key, const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "配置项 " + key + " 无效：" + why, key, "invalid_config");
}

Result<std::int64_t> ParseInt(const std::string& key, const std::string& text, std::int64_t min, std::int64_t max) {
    std::int64_t v = 0;
    const char* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, v);
    if (ec != std::errc() || p != end || text.empty()) {
        return KeyError(key, "应为整数，实际为 \"" + text + "\"");
    }
    if (v < min || v > max) {
        return KeyError(key, "应在 " + std::to_string(min) + " 到 " + std::to_string(max) + " 之间，实际为 " + text);
    }
    return v;
}

Result<bool> ParseBool(const std::string& key, const std::string& text) {
    if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
    if (text == "false" || text == "0" || text == "no" || text == "off") return false;
    return KeyError(key, "应为 true 或 false，实际为 \"" + text + "\"");
}

// Validation rules for strings that have them; empty function = any non-empty text.
using StringCheck = std::function<Status(const std::string& key, const std::string& value)>;

Status CheckListen(const std::string& key, const std::string& v) {
    auto colon = v.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        return KeyError(key, "应为 主机:端口，例如 127.0.0.1:8080");
    }
    auto port = ParseInt(key, v.substr(colon + 1), 0, 65535);
    if (!port) return port.error();
    return Ok();
}

Status CheckDatabaseUrl(const std::string& key, const std::string& v) {
    if ((v.rfind("sqlite:", 0) == 0 && v.size() > 7) || v.rfind("postgresql://", 0) == 0 ||
        v.rfind("postgres://", 0) == 0) {
        return Ok();
    }
    return KeyError(key, "应为 sqlite:路径 或 postgresql://… 形式");
}

// Where an http(s) URL's host and port end: the first '/' after the scheme, or the end.
std::size_t AuthorityEnd(const std::string& url) {
    auto start = url.find("://") + 3;
    auto slash = url.find('/', start);
    return slash == std::string::npos ? url.size() : slash;
}

// An http(s) URL with a host, an optional port and path, and nothing else: the value lands in
// the pages' Content-Security-Policy, so quotes, spaces, ';' and ',' must never get through.
Status CheckHttpUrl(const std::string& key, const std::string& v) {
    const std::string example = "应为 http(s)://主机[:端口] 形式，例如 http://127.0.0.1:8765";
    std::size_t scheme = v.rfind("https://", 0) == 0 ? 8 : v.rfind("http://", 0) == 0 ? 7 : 0;
    if (scheme == 0) return KeyError(key, example);
    for (char c : v) {
        bool plain = std::isalnum(static_cast<unsigned char>(c)) ||
                     std::string_view("-._~:/[]%").find(c) != std::string_view::npos;
        if (!plain) return KeyError(key, example + "（地址中不能有空格、引号、分号、逗号、?、# 或 @）");
    }
    std::string authority = v.substr(scheme, AuthorityEnd(v) - scheme);
    // The port follows the last ':' outside an IPv6 literal ("[::1]:8765").
    auto bracket = authority.rfind(']');
    auto colon = authority.rfind(':');
    bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket);
    std::string host = has_port ? authority.substr(0, colon) : authority;
    bool ipv6 = host.size() > 2 && host.front() == '[' && host.back() == ']';
    if (host.empty() || (!ipv6 && host.find_first_of("[]:") != std::string::npos)) return KeyError(key, example);
    if (has_port && !ParseInt(key, authority.substr(colon + 1), 1, 65535)) {
        return KeyError(key, example + "（端口应为 1 到 65535 之间的数字）");
    }
    return Ok();
}

// Certificate key ids: 1–16 of a–z, 0–9 and '-' (they travel inside every QR code).
Status CheckKeyId(const std::string& key, const std::string& v) {
    if (v.size() > 16 || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        return KeyError(key, "密钥编号应为最多 16 个小写字母、数字或 -");
    }
    return Ok();
}

StringCheck OneOf(std::vector<std::string> allowed) {
    return [allowed](const std::string& key, const std::string& v) -> Status {
        if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return Ok();
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : "、") + a;
        return KeyError(key, "应为 " + list + " 之一，实际为 \"" + v + "\"");
    };
}

template <typename Section>
KeyInfo Str(std::string name, std::string doc, Section Config::*section, std::string Section::*field,
            StringCheck check = {}, bool may_be_empty = false) {
    return KeyInfo{name, KeyType::kString, std::move(doc),
                   [=](const Config& c) { return c.*section.*field; },
                   [=](Config& c, const std::string& text) -> Status {
                       if (text.empty() && !may_be_empty) return KeyError(name, "不能为空");
                       if (check && !text.empty()) DANGAN_TRY(check(name, text));
                       c.*section.*field = text;
                       return Ok();
                   }};
}

template <typename Section>
KeyInfo Int(std::string name, std::string doc, Section Config::*section, std::int64_t Section::*field,
            std::int64_t min, std::int64_t max) {
    return KeyInfo{name, KeyType::kInteger, std::move(doc),
                   [=](const Config& c) { return std::to_string(c.*section.*field); },
                   [=](Config& c, const std::string& text) -> Status {
                       auto v = ParseInt(name, text, min, max);
                       if (!v) return v.error();
                       c.*section.*field = *v;
                       return Ok();
                   }};
}

template <typename Section>
KeyInfo Bool(std::string name, std::string doc, Section Config::*section, bool Section::*field) {
    return KeyInfo{name, KeyType::kBoolean, std::move(doc),
                   [=](const Config& c) { return std::string(c.*section.*field ? "true" : "false"); },
                   [=](Config& c, const std::string& text) -> Status {
                       auto v = ParseBool(name, text);
                       if (!v) return v.error();
                       c.*section.*field = *v;
                       return Ok();
                   }};
}

Status CheckAesKey(const std::string& key, const std::string& v) {
    if (v.size() != 43) return KeyError(key, "应为 43 个字符（公众号后台的 EncodingAESKey）");
    for (char c : v) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return KeyError(key, "只能包含字母和数字");
    }
    return Ok();
}

std::vector<KeyInfo> BuildKeys() {
    using C = Config;
    constexpr std::int64_t kMaxInt = std::int64_t{1} << 40;
    return {
        Str("server.listen", "Address and port to listen on, HOST:PORT", &C::server, &C::Server::listen, CheckListen),
        Int("server.threads", "Network threads: read requests, write answers, serve files", &C::server,
            &C::Server::threads, 1, 256),
        Int("server.handler_threads",
            "Threads running handlers that wait on the database or the audit log (0: run them on the network "
            "threads)",
            &C::server, &C::Server::handler_threads, 0, 1024),
        Str("server.web_root", "Directory of the built web app (web/dist)", &C::server, &C::Server::web_root),
        Int("server.max_body_bytes", "Largest JSON request body; larger gets 413", &C::server,
            &C::Server::max_body_bytes, 1024, kMaxInt),
        Int("server.max_upload_bytes", "Largest body of any request (uploads); beyond it the connection is closed",
            &C::server, &C::Server::max_upload_bytes, 1024, kMaxInt),
        Int("server.max_header_bytes", "Largest URL or header value", &C::server, &C::Server::max_header_bytes, 1024,
            1 << 20),
        Int("server.max_headers", "Most header fields in one request", &C::server, &C::Server::max_headers, 8, 1000),
        Int("server.max_json_depth", "Deepest nesting accepted in a JSON body", &C::server,
            &C::Server::max_json_depth, 2, 512),
        Int("server.read_timeout_seconds", "A client must send a whole request within this", &C::server,
            &C::Server::read_timeout_seconds, 1, 3600),
        Int("server.write_timeout_seconds", "A response must be written within this", &C::server,
            &C::Server::write_timeout_seconds, 1, 3600),
        Int("server.handler_timeout_seconds", "A handler must answer within this", &C::server,
            &C::Server::handler_timeout_seconds, 1, 3600),
        Int("server.shutdown_grace_seconds", "On SIGTERM, how long in-flight requests may take to finish",
            &C::server, &C::Server::shutdown_grace_seconds, 0, 3600),
        Bool("server.access_log", "Write one log line per request", &C::server, &C::Server::access_log),
        Str("database.url", "sqlite:PATH or postgresql://user@host:port/db", &C::database, &C::Database::url,
            CheckDatabaseUrl),
        Int("database.pool_size", "Reader connections (SQLite) or connections (PostgreSQL)", &C::database,
            &C::Database::pool_size, 1, 512),
        Int("database.busy_timeout_ms", "How long to wait for a locked database", &C::database,
            &C::Database::busy_timeout_ms, 0, 600000),
        Str("security.key_file", "File with the sealing and blind-index keys (created by init, mode 0600)",
            &C::security, &C::Security::key_file),
        Bool("security.cookie_secure", "Mark session cookies Secure (set true behind TLS)", &C::security,
             &C::Security::cookie_secure),
        Int("security.argon2_memory_kib", "Argon2id memory per password hash, KiB", &C::security,
            &C::Security::argon2_memory_kib, 8192, 4 << 20),
        Int("security.argon2_iterations", "Argon2id passes", &C::security, &C::Security::argon2_iterations, 1, 20),
        Int("security.argon2_parallelism", "Argon2id lanes", &C::security, &C::Security::argon2_parallelism, 1, 16),
        Int("security.max_failed_logins", "Failed password logins before an account is locked", &C::security,
            &C::Security::max_failed_logins, 1, 100),
        Int("security.lockout_minutes", "How long a locked account stays locked", &C::security,
            &C::Security::lockout_minutes, 1, 100000),
        Int("sessions.citizen_idle_minutes", "Citizen and employer sessions end after this long unused",
            &C::sessions, &C::Sessions::citizen_idle_minutes, 1, 1440),
        Int("sessions.staff_idle_minutes", "Staff sessions end after this long unused", &C::sessions,
            &C::Sessions::staff_idle_minutes, 1, 1440),
        Int("sessions.absolute_hours", "Every session ends this long after log-in", &C::sessions,
            &C::Sessions::absolute_hours, 1, 720),
        Int("otp.per_address_per_hour", "SMS codes one network address may request per hour", &C::otp,
            &C::Otp::per_address_per_hour, 1, 100000),
        Str("notify.sms_gateway", "log (writes notify.sms_log) or http (notify.http_url)", &C::notify,
            &C::Notify::sms_gateway, OneOf({"log", "http"})),
        Str("notify.sms_log", "File the log gateway appends messages to", &C::notify, &C::Notify::sms_log),
        Str("notify.http_url", "SMS provider endpoint for the http gateway", &C::notify, &C::Notify::http_url, {},
            true),
        Str("notify.http_body_template", "JSON body for the provider; {{to}} and {{text}} are filled in",
            &C::notify, &C::Notify::http_body_template),
        Str("notify.http_auth_header", "Header sent to the provider, \"Name: value\"", &C::notify,
            &C::Notify::http_auth_header, {}, true),
        Int("notify.http_timeout_ms", "Timeout of one call to the provider", &C::notify,
            &C::Notify::http_timeout_ms, 100, 120000),
        Int("notify.poll_interval_ms", "How often the sender looks for due messages", &C::notify,
            &C::Notify::poll_interval_ms, 10, 600000),
        Int("notify.max_attempts", "Sending attempts before a message is marked failed", &C::notify,
            &C::Notify::max_attempts, 1, 100),
        Int("audit.batch_max", "Most audit entries written in one group commit", &C::audit, &C::Audit::batch_max,
            1, 100000),
        Int("audit.batch_wait_ms", "How long a group commit waits for more entries", &C::audit,
            &C::Audit::batch_wait_ms, 0, 1000),
        Str("kiosk.card_reader_url",
            "The kiosk's ID-card reader bridge, http(s)://HOST:PORT; also allowed in the pages' CSP connect-src",
            &C::kiosk, &C::Kiosk::card_reader_url, CheckHttpUrl),
        Int("appointments.no_show_limit", "No-shows in one calendar month that bar booking until the month ends",
            &C::appointments, &C::Appointments::no_show_limit, 1, 31),
        Int("appointments.cancel_cutoff_minutes", "A visit cancelled later than this before its slot counts as a no-show",
            &C::appointments, &C::Appointments::cancel_cutoff_minutes, 0, 10080),
        Int("appointments.no_show_grace_minutes", "Grace after a slot's end or a pick-up day's closing before a no-show",
            &C::appointments, &C::Appointments::no_show_grace_minutes, 0, 1440),
        Int("appointments.check_in_early_minutes", "How long before its slot a visit may check in", &C::appointments,
            &C::Appointments::check_in_early_minutes, 0, 1440),
        Int("appointments.sweep_interval_seconds", "How often each node looks for no-shows and due reminders",
            &C::appointments, &C::Appointments::sweep_interval_seconds, 1, 3600),
        Str("storage.blob_dir", "Folder of content-addressed files (PDFs, scans), shared by all nodes; empty: blobs/ beside security.key_file",
            &C::storage, &C::Storage::blob_dir, {}, true),
        Str("certificates.key_dir",
            "Folder of the SM2 certificate keys (<kid>.pem private, <kid>.pub.pem public only), the same on every node; empty: cert-keys/ beside security.key_file",
            &C::certificates, &C::Certificates::key_dir, {}, true),
        Str("certificates.signing_key", "Key id that signs new certificates; empty: the greatest id with a private key",
            &C::certificates, &C::Certificates::signing_key, CheckKeyId, true),
        Str("certificates.verify_url", "Public address of the verify page, the start of every QR code; empty: http://<server.listen>/v/",
            &C::certificates, &C::Certificates::verify_url, CheckHttpUrl, true),
        Str("certificates.organisation", "Issuing organisation printed on certificates", &C::certificates,
            &C::Certificates::organisation),
        Int("certificates.validity_days", "Days a certificate stays valid, counting the day of issue", &C::certificates,
            &C::Certificates::validity_days, 1, 3660),
        Int("certificates.max_upload_bytes", "Largest PDF or photo accepted by POST /api/v1/certificates/verify",
            &C::certificates, &C::Certificates::max_upload_bytes, 1024, kMaxInt),
        Int("chat.idle_minutes", "A chat session closes after this many minutes without a message", &C::chat,
            &C::Chat::idle_minutes, 1, 24 * 60),
        Int("chat.max_waiters", "Long polls (chat and 在线客服 queue) waiting at once on one node; more answer at once",
            &C::chat, &C::Chat::max_waiters, 0, 10000),
        Int("chat.sessions_per_address_per_hour", "Chat sessions one network address may open per hour", &C::chat,
            &C::Chat::sessions_per_address_per_hour, 1, 1000000),
        Int("tts.cache_bytes", "Memory for synthesised speech (WAV) kept per node, least recently used dropped first",
            &C::tts, &C::Tts::cache_bytes, 0, kMaxInt),
        Str("wechat.token", "The Official Account's server token (服务器配置 令牌); empty: /wechat/callback answers 404",
            &C::wechat, &C::Wechat::token, {}, true),
        Str("wechat.app_id", "The Official Account's AppID (checked in safe mode)", &C::wechat, &C::Wechat::app_id, {},
            true),
        Str("wechat.encoding_aes_key", "EncodingAESKey, 43 characters: safe mode (encrypted messages)", &C::wechat,
            &C::Wechat::encoding_aes_key, CheckAesKey, true),
        Str("wechat.app_secret", "AppSecret, for the access token of the customer-service message API", &C::wechat,
            &C::Wechat::app_secret, {}, true),
        Str("wechat.api_base", "Base of the WeChat API", &C::wechat, &C::Wechat::api_base, CheckHttpUrl),
        Str("wechat.outbox_file", "When set, customer-service messages are appended here (one JSON line each) instead of sent",
            &C::wechat, &C::Wechat::outbox_file, {}, true),
        Int("wechat.reply_budget_ms", "Longest a passive reply may take; later answers go by the customer-service API",
            &C::wechat, &C::Wechat::reply_budget_ms, 0, 4900),
        Bool("testing.clock_control", "Let end-to-end tests move the server's clock (never in production)",
             &C::testing, &C::Testing::clock_control),
        Str("log.level", "trace, debug, info, warn or error", &C::log, &C::Log::level,
            OneOf({"trace", "debug", "info", "warn", "error"})),
        Str("log.format", "plain or json (one JSON object per line)", &C::log, &C::Log::format,
            OneOf({"plain", "json"})),
    };
}

const KeyInfo* FindKey(const std::string& name) {
    for (const auto& k : ConfigKeys()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

const char* TypeName(KeyType t) {
    switch (t) {
        case KeyType::kString: return "字符串";
        case KeyType::kInteger: return "整数";
        case KeyType::kBoolean: return "布尔值";
    }
    return "";
}

// Reads one TOML value as text after checking its type against the key's.
Result<std::string> TomlValueText(const KeyInfo& key, const toml::node& node) {
    if (key.type == KeyType::kString && node.is_string()) return std::string(*node.value<std::string>());
    if (key.type == KeyType::kInteger && node.is_integer()) return std::to_string(*node.value<std::int64_t>());
    if (key.type == KeyType::kBoolean && node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
    return KeyError(key.name, std::string("类型应为") + TypeName(key.type));
}

Status ApplyToml(Config& config, const std::string& path) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        return MakeError(ErrorCode::kInvalidArgument,
                         "配置文件 " + path + " 第 " + std::to_string(where.line) + " 行有语法错误：" +
                             std::string(e.description()),
                         path, "invalid_config");
    }
    for (const auto& [section_name, section_node] : root) {
        const auto* section = section_node.as_table();
        if (section == nullptr) {
            return KeyError(std::string(section_name.str()), "应为一个节（如 [server]），而不是单个值");
        }
        for (const auto& [key_name, node] : *section) {
            std::string full = std::string(section_name.str()) + "." + std::string(key_name.str());
            const KeyInfo* key = FindKey(full);
            if (key == nullptr) {
                return MakeError(ErrorCode::kInvalidArgument, "未知的配置项 " + full + "（见 docs/configuration.md）",
                                 full, "unknown_config_key");
            }
            auto text = TomlValueText(*key, node);
            if (!text) return text.error();
            DANGAN_TRY(key->set_from_text(config, *text));
        }
    }
    return Ok();
}

}  // namespace

const std::vector<KeyInfo>& ConfigKeys() {
    static const std::vector<KeyInfo> keys = BuildKeys();
    return keys;
}

std::string EnvName(const std::string& key) {
    std::string out = "DANGAN_";
    for (char c : key) out += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

Status ValidateConfig(const Config& config) {
    if (config.notify.sms_gateway == "http" && config.notify.http_url.empty()) {
        return KeyError("notify.http_url", "notify.sms_gateway 为 http 时必须填写短信平台地址");
    }
    if (!config.wechat.encoding_aes_key.empty() && config.wechat.app_id.empty()) {
        return KeyError("wechat.app_id", "设置了 wechat.encoding_aes_key（安全模式）时必须填写 AppID");
    }
    return Ok();
}

std::string BesideKeyFile(const Config& config, const std::string& configured, const std::string& name) {
    if (!configured.empty()) return configured;
    const std::string& key_file = config.security.key_file;
    const auto slash = key_file.rfind('/');
    return slash == std::string::npos ? name : key_file.substr(0, slash + 1) + name;
}

std::string UrlOrigin(const std::string& url) {
    if (url.find("://") == std::string::npos) return url;
    return url.substr(0, AuthorityEnd(url));
}

Status SetConfigKey(Config& config, const std::string& key, const std::string& text) {
    const KeyInfo* info = FindKey(key);
    if (info == nullptr) {
        return MakeError(ErrorCode::kInvalidArgument, "未知的配置项 " + key, key, "unknown_config_key");
    }
    return info->set_from_text(config, text);
}

Result<Config> LoadConfig(const std::optional<std::string>& path, const std::map<std::string, std::string>& env) {
    Config config;
    if (path) DANGAN_TRY(ApplyToml(config, *path));

    // Environment: every DANGAN_<SECTION>_… variable whose section is a config section must
    // name a known key, so a typo in a deployment is caught at start rather than ignored.
    std::map<std::string, const KeyInfo*> by_env;
    std::vector<std::string> section_prefixes;
    for (const auto& k : ConfigKeys()) {
        by_env[EnvName(k.name)] = &k;
        std::string prefix = EnvName(k.name.substr(0, k.name.find('.'))) + "_";
        if (std::find(section_prefixes.begin(), section_prefixes.end(), prefix) == section_prefixes.end()) {
            section_prefixes.push_back(prefix);
        }
    }
    for (const auto& [name, value] : env) {
        auto it = by_env.find(name);
        if (it != by_env.end()) {
            DANGAN_TRY(it->second->set_from_text(config, value));
            continue;
        }
        for (const auto& prefix : section_prefixes) {
            if (name.rfind(prefix, 0) == 0) {
                return MakeError(ErrorCode::kInvalidArgument, "未知的配置环境变量 " + name, name,
                                 "unknown_config_key");
            }
        }
    }
    return config;
}

std::map<std::string, std::string> ProcessEnvironment() {
    std::map<std::string, std::string> env;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return env;
}

}  // namespace dangan::core
