#include "core/config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

namespace dangan::core {
namespace {

namespace fs = std::filesystem;

// A directory under the system temp dir, removed with everything in it when the test ends.
class TempDir {
public:
    TempDir() {
        std::random_device rd;
        path_ = fs::temp_directory_path() / ("dangan_config_test_" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `text` to `name` inside the directory and returns the full path.
    std::string Write(const std::string& name, const std::string& text) const {
        fs::path file = path_ / name;
        std::ofstream out(file, std::ios::binary);
        out << text;
        return file.string();
    }

    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

const KeyInfo& Key(const std::string& name) {
    for (const auto& k : ConfigKeys()) {
        if (k.name == name) return k;
    }
    throw std::logic_error("no config key " + name);
}

Result<Config> LoadToml(const std::string& toml, const std::map<std::string, std::string>& env = {}) {
    TempDir dir;
    return LoadConfig(dir.Write("dangan.toml", toml), env);
}

TEST(Config, DefaultsWithoutFileOrEnvironment) {
    Result<Config> config = LoadConfig(std::nullopt, {});
    ASSERT_TRUE(config.ok()) << config.error().message;
    Config defaults;
    EXPECT_EQ(config->server.listen, defaults.server.listen);
    EXPECT_EQ(config->server.threads, defaults.server.threads);
    EXPECT_EQ(config->server.max_body_bytes, defaults.server.max_body_bytes);
    EXPECT_EQ(config->database.url, defaults.database.url);
    EXPECT_EQ(config->log.level, "info");
    EXPECT_EQ(config->log.format, "plain");
}

TEST(Config, DefaultsPassTheirOwnValidation) {
    Config defaults;
    for (const auto& key : ConfigKeys()) {
        Config target;
        Status s = key.set_from_text(target, key.get(defaults));
        EXPECT_TRUE(s.ok()) << key.name << ": " << (s.ok() ? "" : s.error().message);
    }
}

TEST(Config, FileValuesAreApplied) {
    Result<Config> config = LoadToml(
        "[server]\n"
        "listen = \"0.0.0.0:9090\"\n"
        "threads = 8\n"
        "access_log = false\n"
        "[database]\n"
        "url = \"postgresql://dangan@db:5432/dangan\"\n"
        "[log]\n"
        "level = \"debug\"\n"
        "format = \"json\"\n");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->server.listen, "0.0.0.0:9090");
    EXPECT_EQ(config->server.threads, 8);
    EXPECT_FALSE(config->server.access_log);
    EXPECT_EQ(config->database.url, "postgresql://dangan@db:5432/dangan");
    EXPECT_EQ(config->log.level, "debug");
    EXPECT_EQ(config->log.format, "json");
    EXPECT_EQ(config->server.max_json_depth, Config{}.server.max_json_depth);  // untouched keys keep defaults
}

TEST(Config, UnknownKeyNamesTheKey) {
    Result<Config> config = LoadToml("[server]\nthreads = 4\nthred_count = 4\n");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().field, "server.thred_count");
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(config.error().message.find("server.thred_count"), std::string::npos) << config.error().message;
}

TEST(Config, UnknownSectionNamesTheKey) {
    Result<Config> config = LoadToml("[sever]\nlisten = \"127.0.0.1:1\"\n");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().field, "sever.listen");
}

TEST(Config, TopLevelValueOutsideASectionIsAnError) {
    Result<Config> config = LoadToml("threads = 4\n");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().field, "threads");
}

TEST(Config, StringForIntegerNamesTheKey) {
    Result<Config> config = LoadToml("[server]\nthreads = \"4\"\n");
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().field, "server.threads");
    EXPECT_NE(config.error().message.find("server.threads"), std::string::npos) << config.error().message;
}

TEST(Config, IntegerForStringAndBooleanNamesTheKey) {
    Result<Config> listen = LoadToml("[server]\nlisten = 8080\n");
    ASSERT_FALSE(listen.ok());
    EXPECT_EQ(listen.error().field, "server.listen");

    Result<Config> access_log = LoadToml("[server]\naccess_log = 1\n");
    ASSERT_FALSE(access_log.ok());
    EXPECT_EQ(access_log.error().field, "server.access_log");

    Result<Config> threads = LoadToml("[server]\nthreads = 4.0\n");
    ASSERT_FALSE(threads.ok());
    EXPECT_EQ(threads.error().field, "server.threads");
}

TEST(Config, SyntaxErrorNamesFileAndLine) {
    TempDir dir;
    std::string path = dir.Write("broken.toml", "[server]\nthreads = = 4\n");
    Result<Config> config = LoadConfig(path, {});
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(config.error().field, path);
    EXPECT_NE(config.error().message.find("第 2 行"), std::string::npos) << config.error().message;
}

TEST(Config, MissingFileGivenExplicitlyIsAnError) {
    TempDir dir;
    Result<Config> config = LoadConfig((dir.path() / "absent.toml").string(), {});
    EXPECT_FALSE(config.ok());
}

TEST(Config, EnvironmentOverridesFile) {
    Result<Config> config =
        LoadToml("[server]\nthreads = 4\nlisten = \"127.0.0.1:7000\"\n", {{"DANGAN_SERVER_THREADS", "16"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->server.threads, 16);
    EXPECT_EQ(config->server.listen, "127.0.0.1:7000");  // not in env: file value stays
}

TEST(Config, EnvironmentBooleanAndString) {
    Result<Config> config = LoadConfig(std::nullopt, {{"DANGAN_SERVER_ACCESS_LOG", "off"},
                                                      {"DANGAN_DATABASE_URL", "sqlite:/tmp/x.db"},
                                                      {"DANGAN_LOG_FORMAT", "json"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_FALSE(config->server.access_log);
    EXPECT_EQ(config->database.url, "sqlite:/tmp/x.db");
    EXPECT_EQ(config->log.format, "json");
}

TEST(Config, IllTypedEnvironmentValueNamesTheKey) {
    Result<Config> config = LoadConfig(std::nullopt, {{"DANGAN_SERVER_THREADS", "four"}});
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().field, "server.threads");
}

TEST(Config, UnknownEnvironmentVariableInAConfigSectionIsAnError) {
    Result<Config> config = LoadConfig(std::nullopt, {{"DANGAN_SERVER_FOO", "1"}});
    ASSERT_FALSE(config.ok());
    EXPECT_EQ(config.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(config.error().field, "DANGAN_SERVER_FOO");

    Result<Config> log = LoadConfig(std::nullopt, {{"DANGAN_LOG_LEVLE", "debug"}});
    ASSERT_FALSE(log.ok());
    EXPECT_EQ(log.error().field, "DANGAN_LOG_LEVLE");
}

TEST(Config, EnvironmentOutsideConfigSectionsIsIgnored) {
    Result<Config> config = LoadConfig(std::nullopt, {{"DANGAN_TEST_PG_URL", "postgresql://x@y/z"},
                                                      {"DANGAN_HOME", "/srv"},
                                                      {"PATH", "/usr/bin"},
                                                      {"SERVER_THREADS", "0"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->server.threads, Config{}.server.threads);
}

TEST(Config, ThreadsOutOfRangeIsAnError) {
    Result<Config> zero = LoadToml("[server]\nthreads = 0\n");
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error().field, "server.threads");

    Result<Config> huge = LoadConfig(std::nullopt, {{"DANGAN_SERVER_THREADS", "100000"}});
    ASSERT_FALSE(huge.ok());
    EXPECT_EQ(huge.error().field, "server.threads");

    Result<Config> negative = LoadConfig(std::nullopt, {{"DANGAN_SERVER_THREADS", "-1"}});
    ASSERT_FALSE(negative.ok());
    EXPECT_EQ(negative.error().field, "server.threads");
}

TEST(Config, IntegerTextMustBeWholeNumber) {
    Config config;
    for (const char* text : {"", "4x", "4 ", " 4", "0x10", "4.5", "99999999999999999999999"}) {
        Status s = SetConfigKey(config, "server.threads", text);
        ASSERT_FALSE(s.ok()) << '"' << text << '"';
        EXPECT_EQ(s.error().field, "server.threads");
    }
    EXPECT_EQ(config.server.threads, Config{}.server.threads);  // failed sets change nothing
}

TEST(Config, ListenWithoutPortIsAnError) {
    for (const char* listen : {"127.0.0.1", "127.0.0.1:", ":8080", "localhost:http", "127.0.0.1:65536"}) {
        Config config;
        Status s = SetConfigKey(config, "server.listen", listen);
        ASSERT_FALSE(s.ok()) << listen;
        EXPECT_EQ(s.error().field, "server.listen") << listen;
        EXPECT_EQ(config.server.listen, Config{}.server.listen);
    }
    Result<Config> file = LoadToml("[server]\nlisten = \"127.0.0.1\"\n");
    ASSERT_FALSE(file.ok());
    EXPECT_EQ(file.error().field, "server.listen");
}

TEST(Config, ListenAcceptsHostPort) {
    Config config;
    for (const char* listen : {"127.0.0.1:8080", "0.0.0.0:80", "localhost:65535", "[::1]:8443"}) {
        Status s = SetConfigKey(config, "server.listen", listen);
        EXPECT_TRUE(s.ok()) << listen;
        EXPECT_EQ(config.server.listen, listen);
    }
}

TEST(Config, DatabaseUrlSchemeIsChecked) {
    for (const char* url : {"mysql://root@localhost/dangan", "sqlite:", "file:var/dangan.db", "var/dangan.db"}) {
        Result<Config> config = LoadConfig(std::nullopt, {{"DANGAN_DATABASE_URL", url}});
        ASSERT_FALSE(config.ok()) << url;
        EXPECT_EQ(config.error().field, "database.url") << url;
    }
    for (const char* url : {"sqlite:var/dangan.db", "sqlite::memory:", "postgresql://u@h:5432/d", "postgres://u@h/d"}) {
        Config config;
        EXPECT_TRUE(SetConfigKey(config, "database.url", url).ok()) << url;
        EXPECT_EQ(config.database.url, url);
    }
}

TEST(Config, LogLevelAndFormatAreChosenFromAList) {
    Config config;
    Status level = SetConfigKey(config, "log.level", "verbose");
    ASSERT_FALSE(level.ok());
    EXPECT_EQ(level.error().field, "log.level");
    Status format = SetConfigKey(config, "log.format", "xml");
    ASSERT_FALSE(format.ok());
    EXPECT_EQ(format.error().field, "log.format");
    EXPECT_TRUE(SetConfigKey(config, "log.level", "warn").ok());
    EXPECT_EQ(config.log.level, "warn");
}

TEST(Config, CardReaderUrlIsAnHttpUrlSafeForTheCsp) {
    for (const char* url :
         {"http://127.0.0.1:8765", "https://reader.local", "http://[::1]:8765/", "http://localhost:9000/bridge"}) {
        Config config;
        EXPECT_TRUE(SetConfigKey(config, "kiosk.card_reader_url", url).ok()) << url;
        EXPECT_EQ(config.kiosk.card_reader_url, url);
    }
    for (const char* url : {"127.0.0.1:8765", "ftp://127.0.0.1", "http://", "http://:8765", "http://host:0",
                            "http://host:99999", "http://host:port", "http://a b", "http://h;script-src *",
                            "http://h' 'unsafe-eval", "http://u@h", "http://h/?q", "http://h,other", "http://[::1"}) {
        Config config;
        Status s = SetConfigKey(config, "kiosk.card_reader_url", url);
        ASSERT_FALSE(s.ok()) << url;
        EXPECT_EQ(s.error().field, "kiosk.card_reader_url") << url;
    }
}

TEST(Config, UrlOriginDropsThePath) {
    EXPECT_EQ(UrlOrigin("http://127.0.0.1:8765"), "http://127.0.0.1:8765");
    EXPECT_EQ(UrlOrigin("http://127.0.0.1:8765/card/"), "http://127.0.0.1:8765");
    EXPECT_EQ(UrlOrigin("https://[::1]:8443/x"), "https://[::1]:8443");
}

TEST(Config, EmptyStringIsAnError) {
    Config config;
    Status s = SetConfigKey(config, "server.web_root", "");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "server.web_root");
}

TEST(Config, BooleanSpellings) {
    Config config;
    for (const char* yes : {"true", "1", "yes", "on"}) {
        config.server.access_log = false;
        ASSERT_TRUE(SetConfigKey(config, "server.access_log", yes).ok()) << yes;
        EXPECT_TRUE(config.server.access_log) << yes;
    }
    for (const char* no : {"false", "0", "no", "off"}) {
        config.server.access_log = true;
        ASSERT_TRUE(SetConfigKey(config, "server.access_log", no).ok()) << no;
        EXPECT_FALSE(config.server.access_log) << no;
    }
    Status bad = SetConfigKey(config, "server.access_log", "maybe");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().field, "server.access_log");
}

TEST(Config, SetConfigKeyUnknownKeyNamesTheKey) {
    Config config;
    Status s = SetConfigKey(config, "server.nope", "1");
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "server.nope");
}

TEST(Config, EveryKeyRoundTripsThroughText) {
    // A non-default value per type, so a getter and setter that touch different fields fail.
    Config changed;
    changed.server.listen = "10.1.2.3:9999";
    changed.server.threads = 7;
    changed.server.web_root = "/srv/dangan/web";
    changed.server.max_body_bytes = 123456;
    changed.server.max_upload_bytes = 2345678;
    changed.server.max_header_bytes = 4096;
    changed.server.max_headers = 50;
    changed.server.max_json_depth = 10;
    changed.server.read_timeout_seconds = 11;
    changed.server.write_timeout_seconds = 12;
    changed.server.handler_threads = 8;
    changed.server.handler_timeout_seconds = 13;
    changed.server.shutdown_grace_seconds = 14;
    changed.server.access_log = false;
    changed.database.url = "postgresql://dangan@db/dangan";
    changed.database.pool_size = 9;
    changed.database.busy_timeout_ms = 1500;
    changed.log.level = "error";
    changed.log.format = "json";
    changed.security.key_file = "/etc/dangan/keys.txt";
    changed.security.cookie_secure = true;
    changed.security.argon2_memory_kib = 32768;
    changed.security.argon2_iterations = 3;
    changed.security.argon2_parallelism = 2;
    changed.security.max_failed_logins = 7;
    changed.security.lockout_minutes = 30;
    changed.sessions.citizen_idle_minutes = 20;
    changed.sessions.staff_idle_minutes = 40;
    changed.sessions.absolute_hours = 8;
    changed.otp.per_address_per_hour = 40;
    changed.notify.sms_gateway = "http";
    changed.notify.sms_log = "/var/log/dangan/sms.log";
    changed.notify.http_url = "https://sms.example.gov.cn/send";
    changed.notify.http_body_template = R"({"mobile":"{{to}}","content":"{{text}}"})";
    changed.notify.http_auth_header = "Authorization: Bearer x";
    changed.notify.http_timeout_ms = 3000;
    changed.notify.poll_interval_ms = 500;
    changed.notify.max_attempts = 5;
    changed.audit.batch_max = 128;
    changed.audit.batch_wait_ms = 5;
    changed.kiosk.card_reader_url = "http://localhost:9000";
    changed.appointments.no_show_limit = 4;
    changed.appointments.cancel_cutoff_minutes = 240;
    changed.appointments.no_show_grace_minutes = 30;
    changed.appointments.check_in_early_minutes = 45;
    changed.appointments.sweep_interval_seconds = 30;
    changed.storage.blob_dir = "/srv/dangan/blobs";
    changed.certificates.key_dir = "/etc/dangan/cert-keys";
    changed.certificates.signing_key = "2027-01-01";
    changed.certificates.verify_url = "https://dangan.example.gov.cn/v/";
    changed.certificates.organisation = "吉林市社会保险档案管理中心";
    changed.certificates.validity_days = 30;
    changed.certificates.max_upload_bytes = 5 << 20;
    changed.testing.clock_control = true;
    changed.chat.idle_minutes = 10;
    changed.chat.max_waiters = 5;
    changed.chat.sessions_per_address_per_hour = 7;
    changed.tts.cache_bytes = 1 << 20;
    changed.wechat.token = "weixin";
    changed.wechat.app_id = "wx1234567890abcdef";
    changed.wechat.encoding_aes_key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    changed.wechat.app_secret = "secret";
    changed.wechat.api_base = "http://127.0.0.1:9/";
    changed.wechat.outbox_file = "/var/lib/dangan/wechat-outbox.jsonl";
    changed.wechat.reply_budget_ms = 1000;

    const Config defaults;
    for (const auto& key : ConfigKeys()) {
        std::string text = key.get(changed);
        EXPECT_NE(text, key.get(defaults)) << key.name << ": test value equals the default";
        Config target;
        Status s = key.set_from_text(target, text);
        ASSERT_TRUE(s.ok()) << key.name << ": " << s.error().message;
        EXPECT_EQ(key.get(target), text) << key.name;

        // The same value through the environment variable for the key.
        Result<Config> from_env = LoadConfig(std::nullopt, {{EnvName(key.name), text}});
        ASSERT_TRUE(from_env.ok()) << EnvName(key.name) << ": " << from_env.error().message;
        EXPECT_EQ(key.get(*from_env), text) << EnvName(key.name);
    }
}

TEST(Config, KeysAreUniqueDocumentedAndSectioned) {
    std::map<std::string, int> seen;
    std::map<std::string, int> env_seen;
    for (const auto& key : ConfigKeys()) {
        EXPECT_EQ(++seen[key.name], 1) << "duplicate key " << key.name;
        EXPECT_EQ(++env_seen[EnvName(key.name)], 1) << "two keys share " << EnvName(key.name);
        EXPECT_FALSE(key.description.empty()) << key.name;
        auto dot = key.name.find('.');
        EXPECT_NE(dot, std::string::npos) << key.name;
        EXPECT_EQ(key.name.find('.', dot + 1), std::string::npos) << key.name;
        EXPECT_TRUE(key.get != nullptr && key.set_from_text != nullptr) << key.name;
    }
    EXPECT_EQ(Key("server.threads").type, KeyType::kInteger);
    EXPECT_EQ(Key("server.access_log").type, KeyType::kBoolean);
    EXPECT_EQ(Key("database.url").type, KeyType::kString);
}

TEST(Config, EnvNameUppercasesAndReplacesDots) {
    EXPECT_EQ(EnvName("server.listen"), "DANGAN_SERVER_LISTEN");
    EXPECT_EQ(EnvName("server.max_body_bytes"), "DANGAN_SERVER_MAX_BODY_BYTES");
    EXPECT_EQ(EnvName("log.level"), "DANGAN_LOG_LEVEL");
}

TEST(Config, ProcessEnvironmentReadsTheEnvironment) {
    const char* name = "DANGAN_CONFIG_TEST_PROBE";
    ASSERT_EQ(setenv(name, "a=b", 1), 0);
    std::map<std::string, std::string> env = ProcessEnvironment();
    unsetenv(name);
    ASSERT_EQ(env.count(name), 1u);
    EXPECT_EQ(env[name], "a=b");  // only the first '=' separates name and value
}

TEST(Config, HttpGatewayNeedsAnUrl) {
    Config config;
    EXPECT_TRUE(ValidateConfig(config).ok());
    config.notify.sms_gateway = "http";
    Status s = ValidateConfig(config);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().field, "notify.http_url");
    config.notify.http_url = "https://sms.example.gov.cn/send";
    EXPECT_TRUE(ValidateConfig(config).ok());
}

}  // namespace
}  // namespace dangan::core

