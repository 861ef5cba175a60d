#include "certificates/code.hpp"

#include <fmt/format.h>

#include <cctype>

#include "core/clock.hpp"
#include "core/validators.hpp"
#include "identity/totp.hpp"

namespace dangan::certificates {

namespace {

Error InvalidNumber(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "number", "invalid_number");
}

Error InvalidCode(std::string message) {
    return MakeError(ErrorCode::kInvalidArgument, std::move(message), "code", "invalid_code");
}

void PutU32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

std::uint32_t GetU32(std::string_view in) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
    return v;
}

std::uint32_t DateNumber(Date d) {
    return static_cast<std::uint32_t>(static_cast<int>(d.year()) * 10000 + static_cast<int>(static_cast<unsigned>(d.month())) * 100 +
                                      static_cast<int>(static_cast<unsigned>(d.day())));
}

std::optional<Date> DateOfNumber(std::uint32_t v) {
    const Date d{std::chrono::year(static_cast<int>(v / 10000)), std::chrono::month(v / 100 % 100),
                 std::chrono::day(v % 100)};
    if (!d.ok() || v / 10000 < 2000 || v / 10000 > 2999) return std::nullopt;
    return d;
}

bool IsDigits(std::string_view s) { return s.find_first_not_of("0123456789") == std::string_view::npos; }

std::string Hash(std::string_view domain, std::initializer_list<std::string_view> parts) {
    std::string data(domain);
    for (std::string_view part : parts) {
        data.push_back('\0');
        data += part;
    }
    return core::Sm3(data);
}

}  // namespace

bool IsKeyId(std::string_view id) {
    return !id.empty() && id.size() <= 16 &&
           id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") == std::string_view::npos;
}

std::string FormatNumber(int year, std::string_view district, std::int64_t serial) {
    const std::string digits = fmt::format("{:04}{}{:06}", year, district, serial);
    return digits + *core::Iso7064Mod112(digits);
}

Result<std::string> NormaliseNumber(std::string_view typed) {
    std::string s;
    for (char c : typed) {
        if (c == ' ' || c == '-' || c == '\t') continue;
        s.push_back(c == 'x' ? 'X' : c);
    }
    if (s.empty()) return InvalidNumber("请输入证明编号");
    if (s.size() != kNumberLength || !IsDigits(std::string_view(s).substr(0, 16)) ||
        (s[16] != 'X' && !IsDigits(std::string_view(s).substr(16)))) {
        return InvalidNumber("证明编号应为 17 位：16 位数字加 1 位校验码（数字或 X），请核对");
    }
    if (core::Iso7064Mod112(std::string_view(s).substr(0, 16)) != s[16]) {
        return InvalidNumber("证明编号校验码不符，可能有数字输错，请核对");
    }
    return s;
}

std::string DisplayNumber(std::string_view number) {
    std::string out;
    for (std::size_t i = 0; i < number.size(); ++i) {
        if (i > 0 && i % 4 == 0) out.push_back(' ');
        out.push_back(number[i]);
    }
    return out;
}

std::string SubjectHash(std::string_view number, std::string_view id_number, std::string_view name) {
    return Hash("dangan/cert/subject/v1", {number, id_number, name}).substr(0, kSubjectHashSize);
}

std::string ContentHash(std::string_view canonical_content) {
    return Hash("dangan/cert/content/v1", {canonical_content});
}

std::string EncodePayload(const Payload& p) {
    std::string out;
    out.push_back(static_cast<char>(kCodeVersion));
    out.push_back(static_cast<char>(p.key_id.size()));
    out += p.key_id;
    out += p.number;
    PutU32(out, DateNumber(p.issued_on));
    PutU32(out, DateNumber(p.valid_until));
    out += p.subject_hash;
    out += p.content_hash;
    return out;
}

Result<Payload> DecodePayload(std::string_view bytes, std::size_t* consumed) {
    const Error truncated = InvalidCode("证明码不完整");
    if (bytes.size() < 2) return truncated;
    if (static_cast<unsigned char>(bytes[0]) != kCodeVersion) {
        return InvalidCode(fmt::format("证明码版本 {} 无法识别", static_cast<unsigned char>(bytes[0])));
    }
    const std::size_t kid_len = static_cast<unsigned char>(bytes[1]);
    const std::size_t size = 2 + kid_len + kNumberLength + 8 + kSubjectHashSize + core::kSm3DigestSize;
    if (bytes.size() < size) return truncated;
    Payload p;
    std::size_t at = 2;
    p.key_id = std::string(bytes.substr(at, kid_len));
    at += kid_len;
    p.number = std::string(bytes.substr(at, kNumberLength));
    at += kNumberLength;
    auto issued = DateOfNumber(GetU32(bytes.substr(at, 4)));
    auto until = DateOfNumber(GetU32(bytes.substr(at + 4, 4)));
    at += 8;
    p.subject_hash = std::string(bytes.substr(at, kSubjectHashSize));
    at += kSubjectHashSize;
    p.content_hash = std::string(bytes.substr(at, core::kSm3DigestSize));
    at += core::kSm3DigestSize;
    if (!IsKeyId(p.key_id) || !NormaliseNumber(p.number) || !issued || !until) {
        return InvalidCode("证明码内容格式不正确");
    }
    p.issued_on = *issued;
    p.valid_until = *until;
    if (consumed != nullptr) *consumed = at;
    return p;
}

Result<std::string> SignCode(const core::Sm2Key& key, const Payload& p) {
    const std::string payload = EncodePayload(p);
    auto der = core::SignSm2(key, payload);
    if (!der) return der.error();
    auto raw = core::Sm2SignatureToRaw(*der);
    if (!raw) return raw.error();
    return identity::Base32Encode(payload + *raw);
}

std::string CodeTextOf(std::string_view scanned) {
    while (!scanned.empty() && std::isspace(static_cast<unsigned char>(scanned.front()))) scanned.remove_prefix(1);
    while (!scanned.empty() && std::isspace(static_cast<unsigned char>(scanned.back()))) scanned.remove_suffix(1);
    for (std::string_view marker : {"/v/", "/V/"}) {
        if (auto at = scanned.rfind(marker); at != std::string_view::npos) {
            scanned.remove_prefix(at + marker.size());
            break;
        }
    }
    if (auto q = scanned.find_first_of("?#"); q != std::string_view::npos) scanned = scanned.substr(0, q);
    return std::string(scanned);
}

Checked VerifyCode(std::string_view scanned, const std::map<std::string, core::Sm2Key>& keys, Date today) {
    Checked out;
    const std::string text = CodeTextOf(scanned);
    auto bytes = text.empty() ? Result<std::string>(InvalidCode("")) : identity::Base32Decode(text);
    if (!bytes) {
        out.reason = "不是查档证明的二维码内容";
        return out;
    }
    std::size_t size = 0;
    auto payload = DecodePayload(*bytes, &size);
    if (!payload) {
        out.reason = payload.error().message;
        return out;
    }
    out.payload = *payload;
    if (bytes->size() != size + core::kSm2RawSignatureSize) {
        out.reason = "证明码的签名部分不完整";
        return out;
    }
    auto it = keys.find(payload->key_id);
    if (it == keys.end()) {
        out.verdict = Verdict::kUnknownKey;
        out.reason = fmt::format("签名密钥 {} 未公布，无法确认是本中心签发", payload->key_id);
        return out;
    }
    auto der = core::Sm2SignatureFromRaw(std::string_view(*bytes).substr(size));
    if (!der || !core::VerifySm2(it->second, std::string_view(*bytes).substr(0, size), *der)) {
        out.verdict = Verdict::kBadSignature;
        out.reason = "签名不符：证明码被改动过，或不是本中心签发";
        return out;
    }
    if (today > payload->valid_until) {
        out.verdict = Verdict::kExpired;
        out.reason = "已过有效期（有效期至 " + core::FormatDate(payload->valid_until) + "）";
        return out;
    }
    if (today < payload->issued_on) {
        out.verdict = Verdict::kNotYetValid;
        out.reason = "签发日期晚于今天，请检查本机日期";
        return out;
    }
    out.verdict = Verdict::kValid;
    return out;
}

std::string_view VerdictName(Verdict v) {
    switch (v) {
        case Verdict::kValid: return "valid";
        case Verdict::kMalformed: return "malformed";
        case Verdict::kUnknownKey: return "unknown_key";
        case Verdict::kBadSignature: return "bad_signature";
        case Verdict::kExpired: return "expired";
        case Verdict::kNotYetValid: return "not_yet_valid";
    }
    return "malformed";
}

}  // namespace dangan::certificates
