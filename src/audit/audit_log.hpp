#pragma once

// The tamper-evident audit log: an append-only table in which each row stores
// SM3(previous row's hash ‖ this row's canonical bytes). Who did what to whose data, with
// the stated purpose, channel and address. Writes are group-committed: concurrent Record()
// calls share one transaction, and each returns once its entry is durable.

#include <string>

#include "core/result.hpp"

namespace dangan::http {
struct Request;
}

namespace dangan::audit {

struct Entry {
    std::string actor_kind;         // citizen | staff | employer | system | anonymous
    std::string actor_id;           // person id (citizen) or user id; "" when anonymous
    std::string action;             // login, login_failed, logout, person.read, person.read_full,
                                    // access_denied, user.create, user.update, employer.create…
    std::string subject_person_id;  // whose personal data, when a person's
    std::string target;             // what was touched: "person:<id>", "user:<id>", a route label
    std::string purpose;            // the stated purpose of a personal-data read
    std::string channel;            // web | mobile | kiosk | staff | phone | wechat | cli
    std::string address;            // the client's network address
    std::string request_id;
    std::string detail_json;        // small JSON object with anything else; "" = none
};

// Actor, channel, address and request id taken from a request (anonymous when no principal).
Entry EntryFor(const http::Request& request, std::string action);

class AuditLog {
public:
    virtual ~AuditLog() = default;
    // Appends `entry` (its time and place in the chain are assigned here). Returns once the
    // entry is committed, or an error when it could not be: callers treat that as a failed
    // request, never as a silent gap.
    virtual Status Record(Entry entry) = 0;
};

}  // namespace dangan::audit
