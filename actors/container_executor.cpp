// The container executor: probes the engine every few seconds, reports each
// change of availability to the region's event listener, and spawns one
// linked supervisor per attempt. Supervisors die with the executor, and each
// removes its container when it goes.
#include "actors/container_executor.hpp"

#include "actors/container_supervisor.hpp"
#include "protocol/errors.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <map>
#include <optional>
#include <utility>

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("container_executor");
  return instance;
}

/// The executor's own interface: the contract plus the engine's reports.
using container_executor_actor
  = executor_actor::extend<caf::reacts_to<engine_probed>,
                           caf::reacts_to<tick_atom>>;

struct container_executor_state {
  static constexpr const char* name = "container_executor";

  container_executor_actor::pointer self = nullptr;
  container_executor_config config;
  /// Unknown until the first probe answers.
  std::optional<bool> available;
  std::string reason;
  int host_cpus = 0;
  /// What containers get as AWS_ENDPOINT_URL; empty while unknown.
  std::string endpoint_url;
  bool probing = false;
  bool cleaned_up = false;
  std::map<std::pair<std::string, int>, container_supervisor_actor> attempts;

  caf::result<ack> on_run(run_attempt& request);
  void on_stop(const stop_attempt& request);
  void on_tick();
  void on_probed(const engine_probed& result);
  void on_down(const caf::down_msg& msg);

  /// Returns what every container gets to reach this batchd.
  environment_list container_environment() const;
  void remove_leftovers();
};

caf::result<ack> container_executor_state::on_run(run_attempt& request) {
  if (!available.value_or(false))
    return server_error("the container runtime is not available: "
                        + (reason.empty() ? "not probed yet" : reason));
  auto key = std::make_pair(request.spec.job_id, request.spec.attempt);
  if (attempts.count(key) > 0)
    return ack{};
  auto& runtime = *config.runtime;
  request.spec.stop_grace_seconds = runtime.stop_timeout_seconds;
  container_launch launch{
    request.spec.image,
    container_name(request.spec.job_id, request.spec.attempt),
    docker_create_arguments(request.spec, runtime.identity,
                            container_environment(), host_cpus)};
  supervisor_config sup{std::move(request.spec), std::move(request.job),
                        std::move(launch),       runtime.engine,
                        config.log_store,        config.clock};
  auto handle = self->spawn<caf::linked>(container_supervisor, std::move(sup));
  self->monitor(handle);
  attempts.emplace(std::move(key), handle);
  return ack{};
}

void container_executor_state::on_stop(const stop_attempt& request) {
  auto i = attempts.find({request.job_id, request.attempt});
  if (i == attempts.end()) {
    logger().warn("stop of unknown attempt job_id={} attempt={}",
                  request.job_id, request.attempt);
    return;
  }
  self->send(i->second, request);
}

void container_executor_state::on_tick() {
  if (probing)
    return;
  probing = true;
  auto handle = caf::actor_cast<container_executor_actor>(self);
  auto runtime = config.runtime;
  runtime->engine->probe([handle, runtime](caf::expected<engine_info> info) {
    if (!info) {
      caf::anon_send(
        handle, engine_probed{false, to_wire_error(info.error()).message, 0});
      return;
    }
    // Docker's bridge network is known only once the engine answers.
    auto url = runtime->endpoint_url ? runtime->endpoint_url() : "";
    caf::anon_send(handle, engine_probed{true, {}, info->cpus, url});
  });
}

void container_executor_state::on_probed(const engine_probed& result) {
  probing = false;
  self->delayed_send(self, config.poll_interval, tick_atom_v);
  host_cpus = result.cpus;
  if (result.available && result.endpoint_url != endpoint_url) {
    endpoint_url = result.endpoint_url;
    logger().info("executor={} endpoint_url={}", config.name, endpoint_url);
  }
  if (available == result.available
      && (result.available || reason == result.reason))
    return;
  available = result.available;
  reason = result.reason;
  logger().info("executor={} available={} reason=\"{}\"", config.name,
                result.available, reason);
  if (config.events)
    caf::anon_send(config.events,
                   executor_status{config.name, result.available, reason});
  if (result.available && !cleaned_up)
    remove_leftovers();
}

void container_executor_state::remove_leftovers() {
  cleaned_up = true;
  auto name = config.name;
  config.runtime->engine->remove_leftovers(
    config.runtime->identity, false, [name](caf::expected<size_t> count) {
      if (!count)
        logger().warn("executor={} cannot remove leftover containers: {}", name,
                      to_wire_error(count.error()).message);
      else if (*count > 0)
        logger().info("executor={} removed {} leftover containers", name,
                      *count);
    });
}

void container_executor_state::on_down(const caf::down_msg& msg) {
  for (auto i = attempts.begin(); i != attempts.end(); ++i) {
    if (i->second.address() == msg.source) {
      attempts.erase(i);
      return;
    }
  }
}

environment_list container_executor_state::container_environment() const {
  environment_list env;
  if (!endpoint_url.empty())
    env.emplace_back("AWS_ENDPOINT_URL", endpoint_url);
  // Dummy credentials: batchd accepts any, and SDKs refuse to sign without.
  env.emplace_back("AWS_ACCESS_KEY_ID", "batchd");
  env.emplace_back("AWS_SECRET_ACCESS_KEY", "batchd");
  env.emplace_back("AWS_DEFAULT_REGION", config.region);
  env.emplace_back("AWS_REGION", config.region);
  return env;
}

container_executor_actor::behavior_type container_executor(
  container_executor_actor::stateful_pointer<container_executor_state> self,
  container_executor_config config) {
  auto& state = self->state;
  state.self = self;
  state.config = std::move(config);
  self->set_down_handler(
    [self](caf::down_msg& msg) { self->state.on_down(msg); });
  self->send(self, tick_atom_v);
  return {
    [self](run_attempt& x) -> caf::result<ack> {
      return self->state.on_run(x);
    },
    [self](const stop_attempt& x) { self->state.on_stop(x); },
    [self](tick_atom) { self->state.on_tick(); },
    [self](const engine_probed& x) { self->state.on_probed(x); },
  };
}

/// Refuses every attempt: the server was started without a container
/// runtime.
executor_actor::behavior_type unavailable_executor(executor_actor::pointer) {
  return {
    [](const run_attempt&) -> caf::result<ack> {
      return server_error("batchd runs no containers in this configuration");
    },
    [](const stop_attempt&) {
      // nop
    },
  };
}

} // namespace

executor_actor spawn_container_executor(caf::actor_system& sys,
                                        container_executor_config config) {
  if (!config.runtime || !config.runtime->engine) {
    if (config.events)
      caf::anon_send(config.events,
                     executor_status{config.name, false,
                                     "batchd runs no containers in this "
                                     "configuration"});
    return sys.spawn(unavailable_executor);
  }
  return sys.spawn(container_executor, std::move(config));
}

} // namespace batch
