#pragma once

// Errors are values. Every fallible function returns Result<T>; callers check and return
// early. One ErrorCode enum serves the whole service; only http/ maps it to a status.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace dangan {

enum class ErrorCode {
    kInvalidArgument,    // the input is malformed (400)
    kUnprocessable,      // well-formed but breaks a rule (422)
    kUnauthenticated,    // no or expired session (401)
    kForbidden,          // authenticated but not allowed (403)
    kNotFound,           // no such thing (404)
    kMethodNotAllowed,   // route exists, method does not (405)
    kConflict,           // state conflict: duplicate, already booked (409)
    kPayloadTooLarge,    // body or upload over the limit (413)
    kUnsupportedMediaType,  // a body of a type the route does not take (415)
    kTooManyRequests,    // rate limit (429)
    kUnavailable,        // a dependency such as the database is down (503)
    kInternal,           // a bug or broken infrastructure (500)
};

// A failure: a code for programs, a Chinese message for people, and the input field it
// concerns (empty when none). `reason` is a stable machine-readable snake_case id such as
// "invalid_id_number"; when empty, the HTTP layer derives one from `code`.
struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::string field;
    std::string reason;
};

inline Error MakeError(ErrorCode code, std::string message, std::string field = {}, std::string reason = {}) {
    return Error{code, std::move(message), std::move(field), std::move(reason)};
}

// Result<T> holds either a T or an Error. Reading the wrong alternative is a bug (asserted).
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}        // NOLINT(google-explicit-constructor)

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { assert(ok()); return std::get<0>(v_); }
    const T& value() const& { assert(ok()); return std::get<0>(v_); }
    T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const Error& error() const { assert(!ok()); return std::get<1>(v_); }

    T value_or(T fallback) const { return ok() ? std::get<0>(v_) : std::move(fallback); }

private:
    std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { assert(!ok_); return error_; }

private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;
inline Status Ok() { return {}; }

}  // namespace dangan

// Returns the error of a failed Result from the enclosing function.
#define DANGAN_TRY(expr)                        \
    do {                                        \
        auto&& dangan_try_r_ = (expr);          \
        if (!dangan_try_r_.ok()) {              \
            return dangan_try_r_.error();       \
        }                                       \
    } while (0)
