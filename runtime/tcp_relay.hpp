// A TCP relay: accepts connections on one address and pipes each, both
// ways, to a fixed target. batchd uses it to let containers on Docker's
// bridge network reach a server that listens on loopback only, without
// exposing the server beyond the machine: the relay listens on the
// bridge's gateway address, which only this machine and its containers
// can reach.
#pragma once

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace batch {

class tcp_relay {
public:
  tcp_relay();

  ~tcp_relay();

  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  /// Binds `host`:`port` (0 picks a free port) and returns the bound port.
  /// Connections wait in the backlog until `start`.
  caf::expected<uint16_t> bind(const std::string& host, uint16_t port);

  /// Relays every connection to `target_host`:`target_port` on a thread of
  /// its own. REQUIRES: `bind` succeeded.
  void start(const std::string& target_host, uint16_t target_port);

  /// Closes the listener and every relayed connection; joins the thread.
  /// Idempotent.
  void stop();

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace batch
