#pragma once

// Configuration: defaults, then `dangan.toml`, then DANGAN_<SECTION>_<KEY> environment
// variables, then command-line flags (applied by the caller). Every key is declared once in
// the table behind ConfigKeys(); an unknown or ill-typed key is an error naming the key.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace dangan::core {

struct Config {
    struct Server {
        std::string listen = "127.0.0.1:8080";
        std::int64_t threads = 2;          // network threads: parse requests, write answers
        std::int64_t handler_threads = 32;  // run handlers that wait on the database or the audit log
        std::string web_root = "web/dist";
        std::int64_t max_body_bytes = 1 << 20;          // JSON request bodies
        std::int64_t max_upload_bytes = 64 << 20;       // the hard ceiling; larger bodies are cut off
        std::int64_t max_header_bytes = 16 << 10;       // per header value and URL
        std::int64_t max_headers = 100;
        std::int64_t max_json_depth = 32;
        std::int64_t read_timeout_seconds = 30;         // slow clients: a whole request within this
        std::int64_t write_timeout_seconds = 30;
        std::int64_t handler_timeout_seconds = 30;
        std::int64_t shutdown_grace_seconds = 20;       // SIGTERM: in-flight requests finish within this
        bool access_log = true;
    } server;
    struct Database {
        std::string url = "sqlite:var/dangan.db";
        std::int64_t pool_size = 4;
        std::int64_t busy_timeout_ms = 5000;
    } database;
    struct Security {
        std::string key_file = "var/keys.txt";       // seal + blind-index keys, mode 0600
        bool cookie_secure = false;                   // true behind TLS: cookies get Secure
        std::int64_t argon2_memory_kib = 65536;       // Argon2id m
        std::int64_t argon2_iterations = 2;           // Argon2id t
        std::int64_t argon2_parallelism = 1;          // Argon2id p
        std::int64_t max_failed_logins = 5;           // then the account is locked
        std::int64_t lockout_minutes = 15;
    } security;
    struct Sessions {
        std::int64_t citizen_idle_minutes = 15;
        std::int64_t staff_idle_minutes = 30;
        std::int64_t absolute_hours = 12;
    } sessions;
    struct Otp {
        std::int64_t per_address_per_hour = 30;       // SMS codes requested from one address
    } otp;
    struct Notify {
        std::string sms_gateway = "log";              // log | http
        std::string sms_log = "var/sms.log";
        std::string http_url;                         // the SMS provider's endpoint (gateway http)
        std::string http_body_template = R"({"to":"{{to}}","text":"{{text}}"})";
        std::string http_auth_header;                 // e.g. "Authorization: Bearer …"
        std::int64_t http_timeout_ms = 5000;
        std::int64_t poll_interval_ms = 1000;
        std::int64_t max_attempts = 8;
    } notify;
    struct Audit {
        std::int64_t batch_max = 256;                 // entries per group commit
        std::int64_t batch_wait_ms = 0;               // extra wait for company (batches form anyway)
    } audit;
    struct Kiosk {
        std::string card_reader_url = "http://127.0.0.1:8765";  // the ID-card reader bridge on the kiosk machine
    } kiosk;
    struct Appointments {
        std::int64_t no_show_limit = 3;            // no-shows in a month that bar booking until it ends
        std::int64_t cancel_cutoff_minutes = 120;  // later cancellations of a visit count as no-shows
        std::int64_t no_show_grace_minutes = 15;   // after a slot's end / a pick-up day's closing time
        std::int64_t check_in_early_minutes = 60;  // check-in opens this long before a slot
        std::int64_t sweep_interval_seconds = 60;  // the no-show and reminder job
    } appointments;
    struct Storage {
        std::string blob_dir;  // content-addressed files (PDFs, scans); empty: blobs/ beside security.key_file
    } storage;
    struct Certificates {
        std::string key_dir;      // SM2 signing keys <kid>.pem / <kid>.pub.pem; empty: cert-keys/ beside security.key_file
        std::string signing_key;  // kid that signs new certificates; empty: the greatest kid with a private key
        std::string verify_url;   // base of the QR's URL; empty: http://<server.listen>/v/
        std::string organisation = "长春市社会保险档案管理中心";
        std::int64_t validity_days = 90;
        std::int64_t max_upload_bytes = 10 << 20;  // PDFs and photos sent to verify
    } certificates;
    struct Chat {
        std::int64_t idle_minutes = 30;                     // a chat session closes after this long without a message
        std::int64_t max_waiters = 24;                      // long polls waiting at once per node; beyond it they answer at once
        std::int64_t sessions_per_address_per_hour = 120;   // chat sessions one network address may open per hour
    } chat;
    struct Tts {
        std::int64_t cache_bytes = 32 << 20;  // synthesised WAVs kept in memory (LRU)
    } tts;
    struct Wechat {
        std::string token;             // the Official Account's server token; empty: /wechat/callback answers 404
        std::string app_id;            // checked in safe mode; used with app_secret for the access token
        std::string encoding_aes_key;  // 43 characters: safe mode (encrypt_type=aes)
        std::string app_secret;
        std::string api_base = "https://api.weixin.qq.com";
        std::string outbox_file;           // set: customer-service messages are appended here instead of sent
        std::int64_t reply_budget_ms = 4000;  // beyond it: `success` now, the answer later by the customer-service API
    } wechat;
    struct Testing {
        bool clock_control = false;  // PUT /api/v1/testing/clock — end-to-end tests only, never in production
    } testing;
    struct Log {
        std::string level = "info";    // trace, debug, info, warn, error
        std::string format = "plain";  // plain | json
    } log;
};

enum class KeyType { kString, kInteger, kBoolean };

// One configuration key: "section.key", its type, a line of documentation, and how to read
// and write it on a Config.
struct KeyInfo {
    std::string name;
    KeyType type;
    std::string description;
    std::function<std::string(const Config&)> get;                            // as text
    std::function<Status(Config&, const std::string& text)> set_from_text;    // validates
};

// The table of every key, in documentation order.
const std::vector<KeyInfo>& ConfigKeys();

// Environment variable name for a key: "server.listen" → "DANGAN_SERVER_LISTEN".
std::string EnvName(const std::string& key);

// Loads defaults, then the TOML file at `path` when given (a missing file given explicitly is
// an error), then environment variables from `env` (name → value). Errors name the key.
Result<Config> LoadConfig(const std::optional<std::string>& path, const std::map<std::string, std::string>& env);

// The process environment as a map, for LoadConfig.
std::map<std::string, std::string> ProcessEnvironment();

// Rules that involve several keys, checked once everything is applied (e.g. the http SMS
// gateway needs notify.http_url). The error names the key to fix.
Status ValidateConfig(const Config& config);

// The origin ("http://127.0.0.1:8765") of a URL that passed the http(s) URL check of a key such
// as kiosk.card_reader_url: scheme, host and port, without the path.
std::string UrlOrigin(const std::string& url);

// The folder of a path that defaults to "beside security.key_file": `configured` when set, else
// <folder of key_file>/<name> ("var/keys.txt" + "blobs" → "var/blobs").
std::string BesideKeyFile(const Config& config, const std::string& configured, const std::string& name);

// Sets one key from text (as a flag would); error names the key.
Status SetConfigKey(Config& config, const std::string& key, const std::string& text);

}  // namespace dangan::core
