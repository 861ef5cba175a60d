// The only file that includes RESTinio and Asio (each such file costs ~15 s to compile).

#include "http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <optional>
#include <thread>

#include <restinio/all.hpp>

#include <asio/thread_pool.hpp>

#include "core/crypto.hpp"
#include "core/logging.hpp"

namespace dangan::http {
namespace {

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

HostPort SplitListen(const std::string& listen) {
    auto colon = listen.rfind(':');
    HostPort hp;
    hp.host = listen.substr(0, colon);
    if (hp.host.size() >= 2 && hp.host.front() == '[' && hp.host.back() == ']') {
        hp.host = hp.host.substr(1, hp.host.size() - 2);
    }
    hp.port = static_cast<std::uint16_t>(std::stoi(listen.substr(colon + 1)));
    return hp;
}

// Use the caller's X-Request-Id when it is short and plain, else make one.
template <typename Req>
std::string RequestIdFor(const Req& req) {
    if (auto given = req.header().opt_value_of("X-Request-Id")) {
        std::string_view v(given->data(), given->size());
        bool plain = !v.empty() && v.size() <= 64;
        for (char c : v) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
        if (plain) return std::string(v);
    }
    // Not a secret, only unique: a random per-process prefix and a counter.
    static const std::string prefix = core::HexEncode(core::SecureRandom(4));
    static std::atomic<std::uint32_t> counter{0};
    std::uint32_t n = counter.fetch_add(1, std::memory_order_relaxed);
    std::string id = prefix + "00000000";
    for (std::size_t i = id.size(); n != 0; n >>= 4) id[--i] = "0123456789abcdef"[n & 0x0f];
    return id;
}

// inet_ntop via asio's to_string costs more than the rest of a small request; IPv4 by hand.
std::string AddressText(const asio::ip::address& address) {
    if (!address.is_v4()) return address.to_string();
    auto b = address.to_v4().to_bytes();
    std::string out;
    out.reserve(15);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i != 0) out += '.';
        unsigned v = b[i];
        if (v >= 100) out += static_cast<char>('0' + v / 100);
        if (v >= 10) out += static_cast<char>('0' + v / 10 % 10);
        out += static_cast<char>('0' + v % 10);
    }
    return out;
}

template <typename Req>
Request ToRequest(const Req& req) {
    Request r;
    const auto& h = req.header();
    r.method = ParseMethod(std::string_view(h.method().c_str()));
    r.path = std::string(h.path());
    r.query = std::string(h.query());
    h.for_each_field([&r](const auto& field) {
        std::string name(field.name());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers.emplace_back(std::move(name), std::string(field.value()));
    });
    r.body = req.body();
    r.remote_address = AddressText(req.remote_endpoint().address());
    r.request_id = RequestIdFor(req);
    return r;
}

// Counts requests being handled so that a graceful stop can wait for them.
class InFlight {
public:
    void Enter() {
        std::lock_guard lock(mutex_);
        ++count_;
    }
    void Leave() {
        std::lock_guard lock(mutex_);
        if (--count_ == 0) idle_.notify_all();
    }
    // True when everything finished within `grace`.
    bool WaitIdle(std::chrono::seconds grace) {
        std::unique_lock lock(mutex_);
        return idle_.wait_for(lock, grace, [this] { return count_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable idle_;
    int count_ = 0;
};

// The answer to a request that waited for a handler thread longer than the handler timeout:
// its client has likely given up, and doing its work now would only deepen the backlog.
Response TooLate(App& app) {
    Response r = Response::FromError(
        MakeError(ErrorCode::kUnavailable, "服务器繁忙，请稍后再试", "", "server_busy"));
    for (const auto& [name, value] : SecurityHeaders(app)) r.Header(name, value);
    r.Header("Retry-After", "5");
    return r;
}

// Dispatches and writes one request; the in-flight count is left when written. Runs on a
// network thread or a handler thread: RESTinio's done() hands the writing to the
// connection's own executor, so it may be called from any thread.
template <typename Handle>
void Respond(App& app, InFlight& in_flight, const Handle& req, Request request, RouteMatch match,
             std::chrono::steady_clock::time_point started, bool too_late = false) {
    core::RequestIdScope scope(request.request_id);
    Response response = too_late ? TooLate(app) : Dispatch(app, request, std::move(match));

    auto builder = req->create_response(restinio::http_status_line_t{
        restinio::http_status_code_t{static_cast<std::uint16_t>(response.status)},
        std::string(ReasonPhrase(response.status))});
    for (auto& [name, value] : response.headers) builder.append_header(std::move(name), std::move(value));
    if (app.draining.load()) builder.connection_close();
    bool head = request.method == Method::kHead;
    if (!response.file_path.empty() && !head) {
        try {
            builder.set_body(restinio::sendfile(response.file_path));
        } catch (const std::exception& e) {  // vanished between the check and now
            spdlog::warn("cannot send {}: {}", response.file_path, e.what());
            builder.header().status_code(restinio::status_not_found().status_code());
        }
    } else if (!head) {
        builder.set_body(std::move(response.body));
    }
    if (app.config.server.access_log) {
        auto micros = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                            started)
                          .count();
        spdlog::info("{} {} {}{}{} {} {}us", request.remote_address, MethodName(request.method), request.path,
                     request.query.empty() ? "" : "?", request.query, response.status, micros);
    }
    builder.done([&in_flight](const auto&) { in_flight.Leave(); });
}

// True when the matched handler may wait (on the database, on the audit log) and so should
// run on a handler thread. Files and unmatched paths are answered inline.
bool Blocks(const RouteMatch& match) {
    return match.route != nullptr && match.route->execution == Execution::kBlocking;
}

template <typename Handle>
restinio::request_handling_status_t HandleRequest(App& app, InFlight& in_flight, asio::thread_pool* handlers,
                                                  const Handle& req) {
    in_flight.Enter();
    try {
        auto started = std::chrono::steady_clock::now();
        Request request = ToRequest(*req);
        RouteMatch match = app.router.Find(request.method, request.path);  // once: Dispatch reuses it
        if (handlers != nullptr && Blocks(match)) {
            asio::post(*handlers, [&app, &in_flight, req, request = std::move(request), match = std::move(match),
                                   started]() mutable {
                const bool too_late = std::chrono::steady_clock::now() - started >
                                      std::chrono::seconds(app.config.server.handler_timeout_seconds);
                try {
                    Respond(app, in_flight, req, std::move(request), std::move(match), started, too_late);
                } catch (const std::exception& e) {  // broken infrastructure: RESTinio's timeout answers
                    spdlog::error("request failed: {}", e.what());
                    in_flight.Leave();
                } catch (...) {
                    spdlog::error("request failed with an unknown exception");
                    in_flight.Leave();
                }
            });
        } else {
            Respond(app, in_flight, req, std::move(request), std::move(match), started);
        }
        return restinio::request_accepted();
    } catch (...) {  // only broken infrastructure gets here (Dispatch catches handler failures)
        in_flight.Leave();
        throw;
    }
}

template <typename Traits>
Status ServeWith(App& app, const std::function<void(const std::string&)>& on_listening) {
    // A client that resets the connection while a file goes out by sendfile(2) would otherwise kill
    // the process with SIGPIPE (sendfile cannot take MSG_NOSIGNAL); ignored, the write fails with
    // EPIPE and only that connection ends.
    std::signal(SIGPIPE, SIG_IGN);
    const auto& cfg = app.config.server;
    HostPort hp = SplitListen(cfg.listen);
    InFlight in_flight;
    asio::io_context io;
    // Handlers that wait run here, so a network thread never waits (see Execution).
    std::optional<asio::thread_pool> handler_pool;
    if (cfg.handler_threads > 0) handler_pool.emplace(static_cast<std::size_t>(cfg.handler_threads));
    asio::thread_pool* handlers = handler_pool ? &*handler_pool : nullptr;
    using Settings = restinio::server_settings_t<Traits>;
    restinio::http_server_t<Traits> server{
        restinio::external_io_context(io),
        Settings{}
            .address(hp.host)
            .port(hp.port)
            .read_next_http_message_timelimit(std::chrono::seconds(cfg.read_timeout_seconds))
            .write_http_response_timelimit(std::chrono::seconds(cfg.write_timeout_seconds))
            .handle_request_timeout(std::chrono::seconds(cfg.handler_timeout_seconds))
            .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                          .max_url_size(static_cast<std::size_t>(cfg.max_header_bytes))
                                          .max_field_name_size(1024)
                                          .max_field_value_size(static_cast<std::size_t>(cfg.max_header_bytes))
                                          .max_field_count(static_cast<std::size_t>(cfg.max_headers))
                                          .max_body_size(static_cast<std::uint64_t>(cfg.max_upload_bytes)))
            .request_handler(
                [&app, &in_flight, handlers](auto req) { return HandleRequest(app, in_flight, handlers, req); })};

    try {
        server.open_sync();
    } catch (const std::exception& e) {
        return MakeError(ErrorCode::kUnavailable, "无法监听 " + cfg.listen + "：" + e.what(), "server.listen",
                         "listen_failed");
    }
    if (on_listening) on_listening(cfg.listen);

    // SIGINT/SIGTERM: stop accepting, let in-flight requests finish, then stop the loop.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    std::thread stopper;
    signals.async_wait([&](const asio::error_code& ec, int signo) {
        if (ec) return;
        spdlog::info("received signal {}, stopping: no new connections, finishing requests in flight", signo);
        app.draining = true;
        server.close_async([] {}, [](std::exception_ptr) {});
        stopper = std::thread([&] {
            if (!in_flight.WaitIdle(std::chrono::seconds(cfg.shutdown_grace_seconds))) {
                spdlog::warn("requests still in flight after {} s; stopping anyway", cfg.shutdown_grace_seconds);
            }
            io.stop();
        });
    });

    std::vector<std::thread> workers;
    for (std::int64_t i = 0; i < cfg.threads; ++i) {
        workers.emplace_back([&io] {
            try {
                io.run();
            } catch (const std::exception& e) {
                spdlog::critical("server loop failed: {}", e.what());
                io.stop();
            }
        });
    }
    for (auto& t : workers) t.join();
    if (stopper.joinable()) stopper.join();
    if (handler_pool) {  // work still queued after the grace period is dropped, not run
        handler_pool->stop();
        handler_pool->join();
    }
    spdlog::info("stopped");
    return Ok();
}

}  // namespace

Status Serve(App& app, const std::function<void(const std::string&)>& on_listening) {
    std::vector<std::string> labels;
    for (const auto& r : app.router.routes()) labels.push_back(r.Label());
    app.metrics.SetRoutes(labels);
    // One worker needs no strands or locks around each connection: RESTinio's single-thread
    // traits save ~10% per request there.
    if (app.config.server.threads == 1) {
        return ServeWith<restinio::default_single_thread_traits_t>(app, on_listening);
    }
    return ServeWith<restinio::default_traits_t>(app, on_listening);
}

}  // namespace dangan::http
