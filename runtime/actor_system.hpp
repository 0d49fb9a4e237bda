// The configuration of the actor system batchd runs on, shared by the server
// and the benchmarks so that both measure the same thing.
#pragma once

#include <caf/actor_system_config.hpp>

namespace batch {

/// Registers batchd's message types with `config` and gives CAF its
/// scheduler: one worker per hardware thread, all taking actors from one
/// shared queue, each looking for work a moment before it sleeps
/// (runtime/eager_sharing.hpp).
///
/// CAF 0.17's default, work stealing with at least four workers, keeps idle
/// workers polling the others' queues. On a two-core machine that polling
/// takes the CPU from the actors that have work: with a million jobs queued
/// the scheduler placed about 35,000 jobs a second that way and about
/// 185,000 with a shared queue.
void configure_actor_system(caf::actor_system_config& config);

} // namespace batch
