#include "http/system_routes.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "core/build_info.hpp"

namespace dangan::http {

Result<ClientError> ParseClientError(const nlohmann::json& body) {
    if (!body.is_object()) {
        return MakeError(ErrorCode::kInvalidArgument, "请求体应为 JSON 对象", "body", "invalid_body");
    }
    ClientError out;
    struct Field {
        const char* name;
        const char* label;
        std::size_t max;
        bool required;
        std::string* target;
    };
    for (const Field& f : {Field{"app", "应用名称", 32, true, &out.app},
                           Field{"message", "错误信息", 2000, true, &out.message},
                           Field{"url", "页面地址", 2000, false, &out.url}}) {
        auto it = body.find(f.name);
        if (it == body.end() || it->is_null()) {
            if (f.required) {
                return MakeError(ErrorCode::kInvalidArgument, std::string("缺少") + f.label, f.name, "missing_field");
            }
            continue;
        }
        if (!it->is_string()) {
            return MakeError(ErrorCode::kInvalidArgument, std::string(f.label) + "应为文本", f.name, "invalid_type");
        }
        const auto& text = it->get_ref<const std::string&>();
        if (text.size() > f.max) {
            return MakeError(ErrorCode::kInvalidArgument,
                             std::string(f.label) + "过长，最多 " + std::to_string(f.max) + " 字节", f.name,
                             "too_long");
        }
        *f.target = text;
    }
    return out;
}

void RegisterSystemRoutes(App& app) {
    app.router.Add(
        Method::kGet, "/healthz", Access::Public(),
        [](Request&) { return Response::Text("ok\n", "text/plain; charset=utf-8"); }, Execution::kInline);

    app.router.Add(Method::kGet, "/readyz", Access::Public(), [&app](Request&) {
        if (app.draining.load()) {
            return Response::Text("stopping\n", "text/plain; charset=utf-8", 503);
        }
        Status s = app.db->Ping();
        if (!s.ok()) return Response::Text("database unavailable\n", "text/plain; charset=utf-8", 503);
        return Response::Text("ready\n", "text/plain; charset=utf-8");
    });

    app.router.Add(Method::kGet, "/metrics", Access::Public(), [&app](Request&) {
        db::PoolStats pool = app.db->Stats();
        std::string extra = fmt::format(
            "# HELP dangan_db_pool_connections Database connections by state.\n"
            "# TYPE dangan_db_pool_connections gauge\n"
            "dangan_db_pool_connections{{state=\"open\"}} {}\n"
            "dangan_db_pool_connections{{state=\"in_use\"}} {}\n"
            "# HELP dangan_db_pool_waits_total Times a request waited for a free connection.\n"
            "# TYPE dangan_db_pool_waits_total counter\n"
            "dangan_db_pool_waits_total {}\n",
            pool.size, pool.in_use, pool.waits);
        return Response::Text(app.metrics.RenderPrometheus(extra), "text/plain; version=0.0.4; charset=utf-8");
    }, Execution::kInline);

    // The web apps report their uncaught errors here so that operators see them in the log.
    app.router.Add(Method::kPost, "/api/v1/client-errors", Access::Public(), [](Request& request) {
        auto body = request.Json();
        if (!body) return Response::FromError(body.error());
        auto report = ParseClientError(*body);
        if (!report) return Response::FromError(report.error());
        spdlog::warn("client error in {} at {}: {}", report->app, report->url, report->message);
        Response r;
        r.status = 204;
        return r;
    });

    // The answer never changes while the process runs: build it once.
    const std::string info = nlohmann::json{{"name", core::kProductName},
                                            {"version", core::kVersion},
                                            {"revision", core::kGitRevision},
                                            {"database", std::string(db::BackendName(app.db->backend()))},
                                            {"kiosk", {{"card_reader_url", app.config.kiosk.card_reader_url}}}}
                                 .dump();
    app.router.Add(
        Method::kGet, "/api/v1/info", Access::Public(),
        [info](Request&) { return Response::Text(info, "application/json; charset=utf-8"); }, Execution::kInline);

    // End-to-end tests move the clock (testing.clock_control; cli serve installs the clock).
    if (auto* clock = dynamic_cast<core::AdjustableClock*>(app.clock.get())) {
        app.router.Add(Method::kPut, "/api/v1/testing/clock", Access::Public(), [clock](Request& request) {
            auto body = request.Json();
            if (!body) return Response::FromError(body.error());
            auto text = TextMember(*body, "now", 64);
            if (!text) return Response::FromError(text.error());
            auto at = core::ParseIso8601(*text);
            if (!at) {
                return Response::FromError(MakeError(ErrorCode::kInvalidArgument,
                                                     "now 应为 ISO 8601 时间，例如 2026-12-01T09:00:00+08:00", "now",
                                                     "invalid_time"));
            }
            clock->Set(*at);
            spdlog::warn("testing clock set to {}", core::FormatIso8601(*at));
            return Response::Json({{"now", core::FormatIso8601(clock->Now())}});
        });
    }
}

}  // namespace dangan::http
