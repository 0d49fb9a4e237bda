// The container host: engine, label identity and the relay from the bridge.
#include "runtime/container_host.hpp"

#include "protocol/errors.hpp"
#include "runtime/ids.hpp"
#include "runtime/logging.hpp"

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("containers");
  return instance;
}

bool is_wildcard(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host.empty();
}

} // namespace

container_host::container_host(container_host_options options)
    : options_(std::move(options)), engine_(std::make_shared<docker_engine>(
                                      docker_options{options_.docker_cli})),
      settings_(std::make_shared<container_runtime_settings>()) {
  settings_->engine = engine_;
  settings_->identity.instance_id = make_uuid();
  // A server on a port picked at bind time shares its label with no other.
  auto port = options_.port;
  settings_->identity.endpoint
    = options_.host + ":"
      + (port != 0 ? std::to_string(port)
                   : "0-" + settings_->identity.instance_id);
  settings_->stop_timeout_seconds = options_.stop_timeout_seconds;
  // Executors call this only from the engine's callbacks, which `stop`
  // ends before this object goes away.
  settings_->endpoint_url = [this] {
    return endpoint_url();
  };
}

container_host::~container_host() {
  stop();
}

void container_host::start(uint16_t gateway_port) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    gateway_port_ = gateway_port;
  }
  endpoint_url();
}

std::string container_host::endpoint_url() {
  std::lock_guard<std::mutex> guard{mutex_};
  if (!url_.empty() || gateway_port_ == 0 || stopped_)
    return url_;
  auto bridge = engine_->bridge_gateway();
  if (!bridge) {
    warn_unreachable(to_wire_error(bridge.error()).message);
    return {};
  }
  url_ = reach_through(*bridge);
  if (!url_.empty())
    logger().info("containers reach batchd at {}", url_);
  return url_;
}

std::string container_host::reach_through(const std::string& bridge) {
  // A server on every address is reachable on the bridge's as it is.
  if (is_wildcard(options_.host))
    return "http://" + bridge + ":" + std::to_string(gateway_port_);
  auto relay_port = relay_.bind(bridge, options_.port);
  if (!relay_port) {
    warn_unreachable(to_wire_error(relay_port.error()).message);
    return {};
  }
  relay_.start(options_.host, gateway_port_);
  return "http://" + bridge + ":" + std::to_string(*relay_port);
}

void container_host::warn_unreachable(const std::string& problem) {
  if (problem == last_problem_)
    return;
  last_problem_ = problem;
  logger().warn("containers cannot reach batchd yet: {}", problem);
}

void container_host::stop() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    if (stopped_)
      return;
    stopped_ = true;
  }
  auto removed = engine_->remove_all_now(settings_->identity);
  if (!removed)
    logger().warn("could not remove containers on shutdown: {}",
                  to_wire_error(removed.error()).message);
  else if (*removed > 0)
    logger().info("removed {} containers on shutdown", *removed);
  engine_->shutdown();
  relay_.stop();
}

} // namespace batch
