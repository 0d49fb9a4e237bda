#include "runtime/gateway/gateway.hpp"

#include "protocol/errors.hpp"
#include "protocol/json.hpp"
#include "protocol/operations.hpp"
#include "runtime/gateway/routes.hpp"
#include "runtime/ids.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <httplib.h>

#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("gateway");
  return instance;
}

/// Blocking actors for the server's worker threads, reused across calls:
/// spawning one per request would cost more than the request itself.
class caller_pool {
public:
  explicit caller_pool(caf::actor_system& system) : system_(system) {
    // nop
  }

  std::unique_ptr<caf::scoped_actor> acquire() {
    std::lock_guard<std::mutex> guard{mutex_};
    if (idle_.empty())
      return std::make_unique<caf::scoped_actor>(system_, true);
    auto result = std::move(idle_.back());
    idle_.pop_back();
    return result;
  }

  void release(std::unique_ptr<caf::scoped_actor> caller) {
    std::lock_guard<std::mutex> guard{mutex_};
    idle_.push_back(std::move(caller));
  }

private:
  caf::actor_system& system_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<caf::scoped_actor>> idle_;
};

/// Returns the region of the SigV4 credential scope in `authorization`
/// ("Credential=AKID/DATE/REGION/SERVICE/aws4_request"), or `fallback`.
std::string region_of(const std::string& authorization,
                      const std::string& fallback) {
  auto start = authorization.find("Credential=");
  if (start == std::string::npos)
    return fallback;
  auto scope = authorization.substr(start + 11);
  std::vector<std::string> parts;
  size_t from = 0;
  while (parts.size() < 3) {
    auto slash = scope.find('/', from);
    if (slash == std::string::npos)
      return fallback;
    parts.push_back(scope.substr(from, slash - from));
    from = slash + 1;
  }
  return parts[2].empty() ? fallback : parts[2];
}

void write_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void write_error(httplib::Response& res, const caf::error& err) {
  auto wire = to_wire_error(err);
  res.set_header("x-amzn-ErrorType", error_type(wire.code));
  write_json(res, http_status(wire.code),
             {{"__type", error_type(wire.code)}, {"message", wire.message}});
}

/// Gives the answers that cpp-httplib writes itself (an oversized body, a
/// malformed request, a method without a route) the AWS error form: they
/// come with an empty body and, for a request it could not parse, without a
/// request id. A bad request to a known operation is a ClientException (an
/// oversized body too: a 413 would make SDKs retry or stumble), any other is
/// an unknown operation. Answers batchd wrote already pass through.
httplib::Server::HandlerResponse
write_transport_error(const httplib::Request& req, httplib::Response& res) {
  if (!res.has_header("x-amzn-RequestId"))
    res.set_header("x-amzn-RequestId", make_uuid());
  if (!res.body.empty())
    return httplib::Server::HandlerResponse::Unhandled;
  if (res.status == 413) {
    write_error(res,
                client_error("Request body exceeds the limit of "
                             + std::to_string(max_request_body) + " bytes"));
  } else if (req.path.empty() || find_operation(req.method, req.path)) {
    write_error(res, client_error("Malformed HTTP request"));
  } else {
    res.set_header("x-amzn-ErrorType", "UnknownOperationException");
    write_json(res, res.status < 500 ? 404 : res.status,
               {{"__type", "UnknownOperationException"},
                {"message", "No operation at " + req.method + " " + req.path}});
  }
  return httplib::Server::HandlerResponse::Handled;
}

struct gateway_state {
  static constexpr const char* name = "gateway";

  gateway_options options;
  std::shared_ptr<region_registry> regions;
  std::unique_ptr<caller_pool> callers;
  std::unique_ptr<call_deadlines> deadlines;
  route_table routes;
  /// CloudWatch Logs operations, selected by the X-Amz-Target header.
  route_table logs_routes;
  httplib::Server server;
  std::thread listener;
  uint16_t port = 0;

  ~gateway_state() {
    server.stop();
    if (listener.joinable())
      listener.join();
  }

  void serve(const operation& op, const httplib::Request& req,
             httplib::Response& res);
  void serve_target(const std::string& target, const httplib::Request& req,
                    httplib::Response& res);
  void run(const route& handler, std::string_view name, std::string arn,
           const httplib::Request& req, httplib::Response& res);
  void install_handlers();
  caf::error start();
};

void gateway_state::serve(const operation& op, const httplib::Request& req,
                          httplib::Response& res) {
  auto route = routes.find(std::string{op.name});
  if (route == routes.end()) {
    write_error(res, client_error("batchd does not support the "
                                  + std::string{op.name} + " operation yet"));
    return;
  }
  std::string arn;
  if (op.request_uri == "/v1/tags/{resourceArn}")
    arn = req.path.substr(9); // cpp-httplib decoded the path once already
  run(route->second, op.name, std::move(arn), req, res);
}

void gateway_state::serve_target(const std::string& target,
                                 const httplib::Request& req,
                                 httplib::Response& res) {
  constexpr std::string_view logs_prefix = "Logs_20140328.";
  if (target.compare(0, logs_prefix.size(), logs_prefix) != 0) {
    res.set_header("x-amzn-ErrorType", "UnknownOperationException");
    write_json(res, 400,
               {{"__type", "UnknownOperationException"},
                {"message", "batchd does not serve the target " + target}});
    return;
  }
  auto name = target.substr(logs_prefix.size());
  auto route = logs_routes.find(name);
  if (route == logs_routes.end()) {
    write_error(res, make_batch_error(batch_errc::invalid_operation,
                                      "batchd does not support the "
                                      "CloudWatch Logs operation "
                                        + name));
    return;
  }
  run(route->second, name, {}, req, res);
  // The JSON 1.1 protocol answers with its own media type.
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", "application/x-amz-json-1.1");
}

void gateway_state::run(const route& handler, std::string_view name,
                        std::string arn, const httplib::Request& req,
                        httplib::Response& res) {
  auto body = parse_request_body(req.body);
  if (!body) {
    write_error(res, body.error());
    return;
  }
  std::multimap<std::string, std::string> query{req.params.begin(),
                                                req.params.end()};
  auto& target = regions->get(
    region_of(req.get_header_value("Authorization"), options.default_region));
  auto caller = callers->acquire();
  call_context ctx{target, *caller, *deadlines, std::move(arn),
                   std::move(query)};
  auto reply = handler(ctx, *body);

  // A reply that missed its deadline may still come: such a caller would
  // keep it in its mailbox for good, so it is not used again.
  if (!ctx.timed_out())
    callers->release(std::move(caller));

  if (!reply) {
    logger().debug("op={} error={}", name,
                   to_wire_error(reply.error()).message);
    write_error(res, reply.error());
    return;
  }
  write_json(res, 200, *reply);
}

void gateway_state::install_handlers() {
  add_compute_environment_routes(routes);
  add_job_queue_routes(routes);
  add_job_definition_routes(routes);
  add_scheduling_policy_routes(routes);
  add_job_routes(routes);
  add_tag_routes(routes);
  add_logs_routes(logs_routes);
  server.set_pre_routing_handler(
    [](const httplib::Request&, httplib::Response& res) {
      res.set_header("x-amzn-RequestId", make_uuid());
      return httplib::Server::HandlerResponse::Unhandled;
    });
  server.Get(
    "/_batchd/health", [this](const httplib::Request&, httplib::Response& res) {
      write_json(res, 200, {{"status", "ok"}, {"version", options.version}});
    });
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
    if (req.method == "POST" && req.has_header("X-Amz-Target")) {
      serve_target(req.get_header_value("X-Amz-Target"), req, res);
      return;
    }
    auto op = find_operation(req.method, req.path);
    if (!op) {
      res.set_header("x-amzn-ErrorType", "UnknownOperationException");
      write_json(
        res, 404,
        {{"__type", "UnknownOperationException"},
         {"message", "No operation at " + req.method + " " + req.path}});
      return;
    }
    serve(*op, req, res);
  };
  server.Post(".*", dispatch);
  server.Get(".*", dispatch);
  server.Delete(".*", dispatch);
  server.Put(".*", dispatch);
  server.set_error_handler(
    httplib::Server::HandlerWithResponse{write_transport_error});
  server.set_exception_handler(
    [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      write_error(res, server_error("unexpected failure"));
    });
}

caf::error gateway_state::start() {
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(100'000);
  server.set_payload_max_length(max_request_body);
  auto threads = options.threads;
  server.new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  install_handlers();
  if (options.port == 0) {
    auto bound = server.bind_to_any_port(options.host);
    if (bound < 0)
      return server_error("cannot bind to " + options.host);
    port = static_cast<uint16_t>(bound);
  } else {
    if (!server.bind_to_port(options.host, options.port))
      return server_error("cannot bind to " + options.host + ":"
                          + std::to_string(options.port));
    port = options.port;
  }
  listener = std::thread{[this] {
    server.listen_after_bind();
  }};
  logger().info("listening host={} port={}", options.host, port);
  return {};
}

gateway_actor::behavior_type
gateway(gateway_actor::stateful_pointer<gateway_state> self,
        gateway_options options, std::shared_ptr<region_registry> regions) {
  auto& state = self->state;
  state.options = std::move(options);
  state.regions = std::move(regions);
  state.callers = std::make_unique<caller_pool>(self->system());
  state.deadlines
    = std::make_unique<call_deadlines>(call_timeout, call_deadline_resolution);
  if (auto err = state.start())
    self->quit(err);
  return {
    [self](connect_atom) { return self->state.port; },
  };
}

} // namespace

gateway_actor spawn_gateway(caf::actor_system& system, gateway_options options,
                            std::shared_ptr<region_registry> regions) {
  return system.spawn<caf::detached>(gateway, std::move(options),
                                     std::move(regions));
}

} // namespace batch
