// The message vocabulary's registration with CAF. batchd's messages never
// leave the process, so request and reply structs travel as CAF's "unsafe"
// (not serialisable) message types; durable state is encoded by the storage
// layer, not by CAF. Atoms name the few events that carry no struct.
#pragma once

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/type_id.hpp>

/// Declares `type` as a message type that stays inside the process.
#define BATCH_LOCAL_MESSAGE(type) CAF_ALLOW_UNSAFE_MESSAGE_TYPE(type)

CAF_BEGIN_TYPE_ID_BLOCK(batch, caf::first_custom_type_id)

  CAF_ADD_ATOM(batch, batch, connect_atom, "connect")
  CAF_ADD_ATOM(batch, batch, tick_atom, "tick")
  CAF_ADD_ATOM(batch, batch, stop_atom, "stop")

CAF_END_TYPE_ID_BLOCK(batch)

namespace batch {

/// The reply of a request that succeeds without a value.
struct ack {};

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::ack)
