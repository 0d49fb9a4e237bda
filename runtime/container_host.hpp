// What the server sets up once for the containers of every region: the
// Docker engine, the identity that labels its containers, and a way back
// from a container to batchd. batchd listens on loopback by default, which
// a container on Docker's bridge network cannot reach; a relay on the
// bridge's gateway address (reachable only from this machine and its
// containers) forwards to the server, and containers get its URL as
// AWS_ENDPOINT_URL.
#pragma once

#include "runtime/docker.hpp"
#include "runtime/tcp_relay.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace batch {

class container_host {
public:
  /// Creates the engine for the docker CLI `docker_cli` and, when Docker
  /// answers, binds the relay for a server on `host`:`port` (0 when the
  /// port is picked at bind time). Never fails: without Docker, containers
  /// get no endpoint and executors report the runtime as unavailable.
  container_host(const std::string& docker_cli, const std::string& host,
                 uint16_t port);

  /// Calls `stop`.
  ~container_host();

  container_host(const container_host&) = delete;
  container_host& operator=(const container_host&) = delete;

  /// Returns the settings that the region registry hands to executors.
  container_runtime_ptr settings() const {
    return settings_;
  }

  /// Starts relaying to the server, which now listens on `gateway_port`.
  void start(uint16_t gateway_port);

  /// Removes every container this server started, ends the engine's
  /// processes and stops the relay. Blocks; idempotent. Call before the
  /// actor system goes away.
  void stop();

private:
  std::string host_;
  std::shared_ptr<docker_engine> engine_;
  std::shared_ptr<container_runtime_settings> settings_;
  tcp_relay relay_;
  bool relaying_ = false;
  bool stopped_ = false;
};

} // namespace batch
