// The batchd executable: parses the command line, starts the actor system,
// the regions and the HTTP gateway, and runs until SIGINT or SIGTERM.
#include "actors/region.hpp"
#include "runtime/actor_system.hpp"
#include "runtime/clock.hpp"
#include "runtime/config.hpp"
#include "runtime/container_host.hpp"
#include "runtime/gateway/gateway.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <csignal>
#include <iostream>

namespace {

/// Blocks SIGINT and SIGTERM in every thread, so that main can wait for them.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int serve(const batch::serve_options& options) {
  using namespace batch;
  auto signals = block_stop_signals();
  configure_logging(options.log_level);
  auto& log = component_logger("batchd");
  caf::actor_system_config config;
  configure_actor_system(config);
  caf::actor_system system{config};
  auto clock = std::make_shared<scaled_system_clock>(options.time_scale);
  container_host containers{container_host_options{
    options.docker, options.host, options.port, options.stop_timeout}};
  auto regions = std::make_shared<region_registry>(
    system, options.account_id, clock, containers.settings());
  gateway_options gateway_config{options.host, options.port, options.region,
                                 BATCHD_VERSION, options.http_threads};
  auto gateway = spawn_gateway(system, gateway_config, regions);
  caf::scoped_actor self{system};
  int exit_code = 0;
  self->request(gateway, std::chrono::seconds{10}, connect_atom_v)
    .receive(
      [&](uint16_t port) {
        containers.start(port);
        log.info("batchd {} serving http://{}:{} region={} account={}",
                 BATCHD_VERSION, options.host, port, options.region,
                 options.account_id);
      },
      [&](caf::error& err) {
        log.error("cannot start: {}", system.render(err));
        exit_code = 1;
      });
  if (exit_code == 0) {
    int received = 0;
    sigwait(&signals, &received);
    log.info("stopping on signal {}", received);
  }
  self->send_exit(gateway, caf::exit_reason::user_shutdown);
  self->wait_for(gateway);
  regions.reset();
  containers.stop();
  return exit_code;
}

} // namespace

int main(int argc, char** argv) {
  auto command = batch::parse_command_line(argc, argv, BATCHD_VERSION);
  if (command.output) {
    std::cout << *command.output;
    return command.exit_code;
  }
  auto exit_code = serve(*command.serve);
  batch::stop_logging();
  return exit_code;
}
