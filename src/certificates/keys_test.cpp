#include "certificates/keys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "certificates/code.hpp"

namespace dangan::certificates {
namespace {

namespace fs = std::filesystem;

class KeyDirTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = (fs::temp_directory_path() / ("dangan-keys-" + core::HexEncode(core::SecureRandom(6)))).string();
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string dir_;
};

TEST_F(KeyDirTest, AMissingFolderIsAnEmptySetAndInitCreatesOneKey) {
    auto empty = LoadKeyDir(dir_, "");
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty->published.empty());
    EXPECT_FALSE(empty->signing);
    ASSERT_TRUE(EnsureKey(dir_, "2026-11-27").ok());
    ASSERT_TRUE(EnsureKey(dir_, "2026-11-28").ok());  // a second init keeps the one key
    auto one = LoadKeyDir(dir_, "");
    ASSERT_TRUE(one.ok());
    EXPECT_EQ(one->published.size(), 1u);
    EXPECT_EQ(one->signing_kid, "2026-11-27");
    struct stat st {};
    ASSERT_EQ(::stat((dir_ + "/2026-11-27.pem").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(KeyDirTest, TheGreatestPrivateKeySignsAndRetiredKeysStayPublished) {
    ASSERT_TRUE(CreateKey(dir_, "2025-01-01").ok());
    ASSERT_TRUE(CreateKey(dir_, "2026-11-27").ok());
    EXPECT_EQ(CreateKey(dir_, "2026-11-27").error().reason, "key_exists");
    EXPECT_EQ(CreateKey(dir_, "Bad Id").error().reason, "invalid_key_id");
    // Retire 2025-01-01: keep only its public part.
    auto old = LoadKeyDir(dir_, "2025-01-01");
    ASSERT_TRUE(old.ok());
    const std::string code = SignCode(*old->signing, Payload{"2025-01-01", FormatNumber(2026, "220102", 1),
                                                             std::chrono::year{2026} / 11 / 27,
                                                             std::chrono::year{2027} / 2 / 24, std::string(16, 'a'),
                                                             std::string(32, 'b')})
                                 .value();
    std::ofstream(dir_ + "/2025-01-01.pub.pem") << old->published.at("2025-01-01").PublicPem();
    fs::remove(dir_ + "/2025-01-01.pem");

    auto keys = LoadKeyDir(dir_, "");
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys->signing_kid, "2026-11-27");
    EXPECT_EQ(keys->published.size(), 2u);
    EXPECT_EQ(LoadKeyDir(dir_, "2025-01-01").error().reason, "signing_key_missing");

    // What the offline verifier reads back from the published document still verifies the old code.
    const nlohmann::json doc = PublishedJson(*keys, "长春市社会保险档案管理中心");
    EXPECT_EQ(doc["keys"].size(), 2u);
    EXPECT_EQ(doc["keys"][1]["status"], "active");
    EXPECT_EQ(doc["keys"][0]["status"], "published");
    auto read = KeysFromPublishedJson(doc.dump());
    ASSERT_TRUE(read.ok());
    EXPECT_EQ(VerifyCode(code, *read, std::chrono::year{2026} / 12 / 1).verdict, Verdict::kValid);
    EXPECT_EQ(KeysFromPublishedJson("{}").error().reason, "invalid_keys");
    EXPECT_EQ(KeysFromPublishedJson(R"({"keys":[{"kid":"x","public_key_pem":"no"}]})").error().reason, "invalid_keys");
}

TEST_F(KeyDirTest, AFileThatIsNotAKeyIsNamed) {
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/broken.pem") << "not a key";
    auto keys = LoadKeyDir(dir_, "");
    ASSERT_FALSE(keys.ok());
    EXPECT_NE(keys.error().message.find("broken.pem"), std::string::npos);
}

}  // namespace
}  // namespace dangan::certificates
