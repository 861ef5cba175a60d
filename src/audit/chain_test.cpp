// The canonical encoding (pinned by test vectors computed independently with Python's struct
// and `openssl dgst -sm3`), the chain hash, sanitising, and the link check of Verify().

#include "audit/chain.hpp"

#include <gtest/gtest.h>

#include "audit/verify.hpp"
#include "core/crypto.hpp"
#include "http/message.hpp"

namespace dangan::audit {
namespace {

StoredRow FirstRow() {
    StoredRow row;
    row.seq = 1;
    row.id = "0190e1f2-7a3b-7c4d-9e5f-0123456789ab";
    row.at_ms = 1735660800000;  // 2025-01-01T00:00:00+08:00
    row.entry =
        Entry{"staff", "u1", "person.read", "p1", "person:p1", "窗口查档", "staff", "10.0.0.1", "r1", R"({"a":1})"};
    row.prev_hash = std::string(kGenesisHashHex);
    row.hash = ChainHash(row);
    return row;
}

StoredRow SecondRow(const StoredRow& first) {
    StoredRow row;
    row.seq = 2;
    row.id = "id2";
    row.at_ms = 1735660800001;
    row.entry = Entry{"citizen", "p1", "login", "", "", "", "web", "127.0.0.1", "r2", ""};
    row.prev_hash = first.hash;
    row.hash = ChainHash(row);
    return row;
}

TEST(AuditChain, CanonicalBytesMatchTheDocumentedLayout) {
    EXPECT_EQ(core::HexEncode(CanonicalBytes(FirstRow())),
              "010000000000000001000001941d7208000000002430313930653166322d376133622d376334642d396535662d3031323334"
              "353637383961620000000573746166660000000275310000000b706572736f6e2e7265616400000002703100000009706572"
              "736f6e3a70310000000ce7aa97e58fa3e69fa5e6a1a30000000573746166660000000831302e302e302e3100000002723100"
              "0000077b2261223a317d");
}

TEST(AuditChain, HashesMatchIndependentVectors) {
    StoredRow first = FirstRow();
    EXPECT_EQ(first.hash, "65befb38dc4c1286c286a6becd37a8158dfebb8e271d8e3e0ea6f3d0d402a49d");
    EXPECT_EQ(SecondRow(first).hash, "03ebcc112b40c5bde17b56b1c50797db054590513b3c76556a624e84330231b3");
}

TEST(AuditChain, FieldBoundariesAreUnambiguous) {
    StoredRow a = FirstRow();
    StoredRow b = a;
    b.entry.actor_kind = "staffu";  // "staff"+"u1" vs "staffu"+"1"
    b.entry.actor_id = "1";
    EXPECT_NE(CanonicalBytes(a), CanonicalBytes(b));
    EXPECT_NE(ChainHash(a), ChainHash(b));
    StoredRow c = a;
    c.entry.detail_json.clear();
    c.entry.request_id += R"({"a":1})";
    EXPECT_NE(ChainHash(a), ChainHash(c));
}

TEST(AuditChain, EveryPartOfTheRowIsHashed) {
    const StoredRow base = FirstRow();
    std::vector<StoredRow> variants(14, base);
    variants[0].seq = 2;
    variants[1].at_ms += 1;
    variants[2].id += "x";
    std::string* fields[] = {&variants[3].entry.actor_kind,  &variants[4].entry.actor_id,
                             &variants[5].entry.action,      &variants[6].entry.subject_person_id,
                             &variants[7].entry.target,      &variants[8].entry.purpose,
                             &variants[9].entry.channel,     &variants[10].entry.address,
                             &variants[11].entry.request_id, &variants[12].entry.detail_json};
    for (std::string* f : fields) *f += "x";
    variants[13].prev_hash = std::string(63, '0') + "1";
    for (std::size_t i = 0; i < variants.size(); ++i) {
        EXPECT_NE(ChainHash(variants[i]), base.hash) << "variant " << i;
    }
}

TEST(AuditChain, SanitizeCleansAndCuts) {
    Entry e;
    e.action = "person.read";
    e.purpose = std::string("a\0b", 3) + "\xc3\x28" + "\xed\xa0\x80" + "好";
    auto clean = Sanitize(e);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean->purpose,
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD好");

    e.target.clear();
    for (int i = 0; i < 400; ++i) e.target += "档";  // 3 bytes each: 1200 bytes
    clean = Sanitize(e);
    ASSERT_TRUE(clean.ok());
    EXPECT_EQ(clean->target.size(), 1023u);  // 341 whole characters, never a split one

    e.action.clear();
    EXPECT_FALSE(Sanitize(e).ok());
    e.action = "x";
    e.detail_json = std::string(kMaxDetailBytes + 1, ' ');
    EXPECT_FALSE(Sanitize(e).ok());
}

TEST(AuditChain, CheckLinkNamesTheBreak) {
    const StoredRow first = FirstRow();
    const StoredRow second = SecondRow(first);
    EXPECT_TRUE(CheckLink(ChainPosition{}, first).ok);
    EXPECT_TRUE(CheckLink(ChainPosition{1, first.hash}, second).ok);

    VerifyResult gap = CheckLink(ChainPosition{}, second);
    EXPECT_FALSE(gap.ok);
    EXPECT_EQ(gap.reason, "seq_gap");
    EXPECT_EQ(gap.first_broken_seq, 2);
    EXPECT_EQ(gap.broken_action, "login");
    EXPECT_EQ(gap.broken_at_ms, 1735660800001);

    VerifyResult link = CheckLink(ChainPosition{1, std::string(kGenesisHashHex)}, second);
    EXPECT_EQ(link.reason, "prev_hash_mismatch");

    StoredRow edited = second;
    edited.entry.address = "10.9.9.9";
    VerifyResult hash = CheckLink(ChainPosition{1, first.hash}, edited);
    EXPECT_EQ(hash.reason, "hash_mismatch");
    EXPECT_EQ(hash.first_broken_seq, 2);
    EXPECT_NE(hash.message.find("第 2 条"), std::string::npos);
}

TEST(AuditChain, EntryForTakesTheRequestsFacts) {
    http::Request anonymous;
    anonymous.method = http::Method::kPost;
    anonymous.path = "/api/v1/auth/citizen/login";
    anonymous.remote_address = "203.0.113.5";
    anonymous.request_id = "req-1";
    anonymous.headers = {{"x-dangan-channel", "kiosk"}};
    Entry a = EntryFor(anonymous, "login_failed");
    EXPECT_EQ(a.actor_kind, "anonymous");
    EXPECT_EQ(a.actor_id, "");
    EXPECT_EQ(a.action, "login_failed");
    EXPECT_EQ(a.target, "POST /api/v1/auth/citizen/login");
    EXPECT_EQ(a.channel, "kiosk");
    EXPECT_EQ(a.address, "203.0.113.5");
    EXPECT_EQ(a.request_id, "req-1");

    http::Request staff = anonymous;
    staff.principal = http::Principal{};
    staff.principal->kind = http::Principal::Kind::kStaff;
    staff.principal->subject_id = "user-7";
    Entry s = EntryFor(staff, "person.read");
    EXPECT_EQ(s.actor_kind, "staff");
    EXPECT_EQ(s.actor_id, "user-7");
}

}  // namespace
}  // namespace dangan::audit
