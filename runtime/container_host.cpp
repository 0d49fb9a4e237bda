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

container_host::container_host(const std::string& docker_cli,
                               const std::string& host, uint16_t port)
    : host_(host),
      engine_(std::make_shared<docker_engine>(docker_options{docker_cli})),
      settings_(std::make_shared<container_runtime_settings>()) {
  settings_->engine = engine_;
  settings_->identity.instance_id = make_uuid();
  // A server on a port picked at bind time shares its label with no other.
  settings_->identity.endpoint
    = host + ":"
      + (port != 0 ? std::to_string(port)
                   : "0-" + settings_->identity.instance_id);
  auto bridge = engine_->bridge_gateway();
  if (!bridge) {
    // TODO(#3): the bridge is looked up once; if Docker starts later,
    // containers run without a way back to batchd.
    logger().warn("containers cannot reach batchd: {}",
                  to_wire_error(bridge.error()).message);
    return;
  }
  if (is_wildcard(host) && port != 0) {
    settings_->endpoint_url = "http://" + *bridge + ":" + std::to_string(port);
    return;
  }
  auto relay_port = relay_.bind(*bridge, port);
  if (!relay_port) {
    logger().warn("containers cannot reach batchd: {}",
                  to_wire_error(relay_port.error()).message);
    return;
  }
  relaying_ = true;
  settings_->endpoint_url
    = "http://" + *bridge + ":" + std::to_string(*relay_port);
}

container_host::~container_host() {
  stop();
}

void container_host::start(uint16_t gateway_port) {
  if (!relaying_)
    return;
  auto target = is_wildcard(host_) ? std::string{"127.0.0.1"} : host_;
  relay_.start(target, gateway_port);
  logger().info("containers reach batchd at {}", settings_->endpoint_url);
}

void container_host::stop() {
  if (stopped_)
    return;
  stopped_ = true;
  auto removed = engine_->remove_all_now(settings_->identity);
  if (removed && *removed > 0)
    logger().info("removed {} containers on shutdown", *removed);
  engine_->shutdown();
  relay_.stop();
}

} // namespace batch
