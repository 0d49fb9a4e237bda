// What the server sets up once for the containers of every region: the
// Docker engine, the identity that labels its containers, and a way back
// from a container to batchd. batchd listens on loopback by default, which
// a container on Docker's bridge network cannot reach; a relay on the
// bridge's gateway address (reachable only from this machine and its
// containers) forwards to the server, and containers get its URL as
// AWS_ENDPOINT_URL. The bridge is known only while Docker answers, so the
// way back is found at start-up if it can be, and else as soon as an
// executor sees Docker answer.
#pragma once

#include "runtime/docker.hpp"
#include "runtime/tcp_relay.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace batch {

/// How the server runs containers.
struct container_host_options {
  /// The docker CLI: a path, or a name looked up on PATH.
  std::string docker_cli = "docker";
  /// The address and port the server listens on (port 0: picked at bind).
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  /// Seconds between SIGTERM and SIGKILL when a job is terminated.
  int stop_timeout_seconds = default_stop_timeout_seconds;
};

class container_host {
public:
  /// Creates the engine. Never fails: without Docker, containers get no
  /// endpoint and executors report the runtime as unavailable.
  explicit container_host(container_host_options options);

  /// Calls `stop`.
  ~container_host();

  container_host(const container_host&) = delete;
  container_host& operator=(const container_host&) = delete;

  /// Returns the settings that the region registry hands to executors.
  container_runtime_ptr settings() const {
    return settings_;
  }

  /// Records that the server now listens on `gateway_port` and finds the
  /// way back from containers if Docker answers. Blocks briefly.
  void start(uint16_t gateway_port);

  /// Returns the URL containers reach batchd at, finding it first (bridge
  /// address, relay) if needed; empty while it cannot be found or before
  /// `start`. Blocks while it asks Docker; thread-safe.
  std::string endpoint_url();

  /// Removes every container this server started, ends the engine's
  /// processes and stops the relay. Blocks; idempotent. Call before the
  /// actor system goes away.
  void stop();

private:
  /// Finds the URL for `bridge`, the bridge's gateway address. Requires
  /// `mutex_`.
  std::string reach_through(const std::string& bridge);

  /// Logs `problem` unless it is the one logged last. Requires `mutex_`.
  void warn_unreachable(const std::string& problem);

  container_host_options options_;
  std::shared_ptr<docker_engine> engine_;
  std::shared_ptr<container_runtime_settings> settings_;
  std::mutex mutex_;
  tcp_relay relay_;
  /// 0 until `start`.
  uint16_t gateway_port_ = 0;
  std::string url_;
  std::string last_problem_;
  bool stopped_ = false;
};

} // namespace batch
