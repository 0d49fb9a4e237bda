// The HTTP gateway: an actor that owns the cpp-httplib server. Worker threads
// of the server turn each restJson1 call into a typed message to the actor
// that owns the resource, wait for its reply, and write the response. The
// gateway knows the wire; the actors behind it know nothing of HTTP.
#pragma once

#include "actors/region.hpp"
#include "protocol/type_ids.hpp"

#include <caf/typed_actor.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace batch {

struct gateway_options {
  std::string host = "127.0.0.1";
  /// 0 picks a free port.
  uint16_t port = 4566;
  /// The region of calls that carry no SigV4 credential scope.
  std::string default_region = "us-east-1";
  std::string version;
  /// Worker threads that serve connections.
  size_t threads = 16;
};

/// Answers the port the server listens on.
using gateway_actor
  = caf::typed_actor<caf::replies_to<connect_atom>::with<uint16_t>>;

/// Spawns the gateway; it binds at once and fails (quits with an error) if
/// it can't. `regions` must outlive the gateway.
gateway_actor spawn_gateway(caf::actor_system& system, gateway_options options,
                            std::shared_ptr<region_registry> regions);

} // namespace batch
