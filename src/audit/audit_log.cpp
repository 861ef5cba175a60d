#include "audit/audit_log.hpp"

#include "http/message.hpp"

namespace dangan::audit {

Entry EntryFor(const http::Request& request, std::string action) {
    Entry e;
    if (request.principal) {
        e.actor_kind = std::string(http::KindName(request.principal->kind));
        e.actor_id = request.principal->subject_id;
    } else {
        e.actor_kind = "anonymous";
    }
    e.action = std::move(action);
    e.target = std::string(http::MethodName(request.method)) + " " + request.path;
    e.channel = request.Channel();
    e.address = request.remote_address;
    e.request_id = request.request_id;
    return e;
}

}  // namespace dangan::audit
