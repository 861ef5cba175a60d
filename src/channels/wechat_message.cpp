#include "channels/wechat_message.hpp"

#include <pugixml.hpp>

namespace dangan::channels {

namespace {

Error Invalid(const std::string& why) {
    return MakeError(ErrorCode::kInvalidArgument, "微信消息格式不正确：" + why, "body", "invalid_wechat_message");
}

// The text of a child element: every text and CDATA part joined (a "]]>" in a value is sent
// as two CDATA sections).
std::string Child(const pugi::xml_node& root, const char* name) {
    std::string out;
    for (const pugi::xml_node& part : root.child(name).children()) {
        if (part.type() == pugi::node_pcdata || part.type() == pugi::node_cdata) out += part.value();
    }
    return out;
}

// A CDATA section holding `s` ("]]>" split across two sections).
std::string Cdata(const std::string& s) {
    std::string out = "<![CDATA[";
    std::size_t from = 0;
    for (std::size_t pos; (pos = s.find("]]>", from)) != std::string::npos; from = pos + 3) {
        out.append(s, from, pos - from);
        out += "]]]]><![CDATA[>";
    }
    out.append(s, from);
    return out + "]]>";
}

Result<pugi::xml_node> Root(pugi::xml_document& doc, std::string_view xml) {
    const auto parsed = doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) return Invalid(parsed.description());
    pugi::xml_node root = doc.child("xml");
    if (!root) return Invalid("缺少 <xml>");
    return root;
}

}  // namespace

Result<WechatMessage> ParseWechatMessage(std::string_view xml) {
    pugi::xml_document doc;
    auto root = Root(doc, xml);
    if (!root) return root.error();
    WechatMessage m;
    m.to_user = Child(*root, "ToUserName");
    m.from_user = Child(*root, "FromUserName");
    m.create_time = root->child("CreateTime").text().as_llong(0);
    m.msg_type = Child(*root, "MsgType");
    m.content = Child(*root, "Content");
    m.msg_id = Child(*root, "MsgId");
    m.recognition = Child(*root, "Recognition");
    m.event = Child(*root, "Event");
    m.event_key = Child(*root, "EventKey");
    if (m.from_user.empty() || m.msg_type.empty()) return Invalid("缺少 FromUserName 或 MsgType");
    return m;
}

Result<std::string> ExtractEncrypt(std::string_view xml) {
    pugi::xml_document doc;
    auto root = Root(doc, xml);
    if (!root) return root.error();
    std::string e = Child(*root, "Encrypt");
    if (e.empty()) return Invalid("缺少 Encrypt");
    return e;
}

std::string DedupKey(const WechatMessage& m) {
    if (!m.msg_id.empty()) return "msg:" + m.msg_id;
    return "event:" + m.from_user + ":" + std::to_string(m.create_time);
}

std::string TextReplyXml(const std::string& to, const std::string& from, std::int64_t create_time,
                         const std::string& content) {
    return "<xml><ToUserName>" + Cdata(to) + "</ToUserName><FromUserName>" + Cdata(from) +
           "</FromUserName><CreateTime>" + std::to_string(create_time) + "</CreateTime><MsgType>" + Cdata("text") +
           "</MsgType><Content>" + Cdata(content) + "</Content></xml>";
}

std::string TransferReplyXml(const std::string& to, const std::string& from, std::int64_t create_time) {
    return "<xml><ToUserName>" + Cdata(to) + "</ToUserName><FromUserName>" + Cdata(from) +
           "</FromUserName><CreateTime>" + std::to_string(create_time) + "</CreateTime><MsgType>" +
           Cdata("transfer_customer_service") + "</MsgType></xml>";
}

std::string EncryptedReplyXml(const std::string& encrypt, const std::string& signature, const std::string& timestamp,
                              const std::string& nonce) {
    return "<xml><Encrypt>" + Cdata(encrypt) + "</Encrypt><MsgSignature>" + Cdata(signature) +
           "</MsgSignature><TimeStamp>" + timestamp + "</TimeStamp><Nonce>" + Cdata(nonce) + "</Nonce></xml>";
}

std::string FitBytes(const std::string& text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t cut = max_bytes >= 3 ? max_bytes - 3 : 0;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return text.substr(0, cut) + "…";
}

}  // namespace dangan::channels
