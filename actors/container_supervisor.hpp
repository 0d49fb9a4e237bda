// The container supervisor: one actor per attempt that creates and starts
// its container, reports to the job actor when it really runs, sends every line
// it writes to the log store while it runs, reports its exit once exit code
// and output are captured, and removes it. The engine's callbacks come back
// as the messages below, so that every decision happens inside the actor.
#pragma once

#include "protocol/executor.hpp"
#include "protocol/logs.hpp"
#include "runtime/clock.hpp"
#include "runtime/docker.hpp"

#include <caf/actor.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

namespace batch {

// -- engine events -----------------------------------------------------------

/// The launch (pull and create) ended: `failure` is empty and
/// `container_id` set on success.
struct container_launched {
  std::string container_id;
  std::string failure;
};

/// `docker start` ended: the container's process runs unless `failure`.
struct container_running {
  std::string failure;
};

/// `docker wait` ended: the exit code, or why it could not be read.
struct container_waited {
  std::optional<int> exit_code;
  std::string failure;
};

/// The container's output is fully captured (or could not be followed).
struct output_finished {
  std::string failure;
};

/// `docker stop` ended.
struct container_stop_done {
  std::string failure;
};

/// `docker rm` ended.
struct container_removed {
  std::string failure;
};

/// A probe of the engine ended.
struct engine_probed {
  bool available = false;
  /// Why the engine is not available.
  std::string reason{};
  /// The CPUs of the engine's host.
  int cpus = 0;
  /// How containers reach batchd (AWS_ENDPOINT_URL); empty if they cannot.
  /// Only the executor's probes look it up.
  std::string endpoint_url{};
};

// -- the supervisor ----------------------------------------------------------

/// Reacts to stop requests and to the engine's reports.
using container_supervisor_actor = caf::typed_actor<
  caf::reacts_to<stop_attempt>, caf::reacts_to<container_launched>,
  caf::reacts_to<container_running>, caf::reacts_to<container_waited>,
  caf::reacts_to<output_finished>, caf::reacts_to<container_stop_done>,
  caf::reacts_to<container_removed>, caf::reacts_to<engine_probed>,
  caf::reacts_to<tick_atom>>;

/// Everything a supervisor needs for its attempt.
struct supervisor_config {
  attempt_spec spec;
  /// Receives attempt_started, then attempt_exited or attempt_failed.
  caf::actor job;
  container_launch launch;
  container_engine_ptr engine;
  log_store_actor log_store;
  clock_ptr clock;
  /// How long to wait for the rest of the output once the container has
  /// exited, before reporting the exit anyway.
  std::chrono::milliseconds output_grace = std::chrono::seconds{10};
};

/// The state of one attempt's supervisor.
class container_supervisor_state {
public:
  static constexpr const char* name = "container_supervisor";

  /// Binds the state to its actor and launches the container.
  void start(container_supervisor_actor::pointer self,
             supervisor_config config);

  // -- handlers --------------------------------------------------------------

  void on_stop(const stop_attempt& request);
  void on_launched(const container_launched& result);
  void on_running(const container_running& result);
  void on_waited(const container_waited& result);
  void on_output_finished(const output_finished& result);
  void on_stop_done(const container_stop_done& result);
  void on_removed(const container_removed& result);
  void on_probed(const engine_probed& result);
  void on_output_grace_expired();

private:
  enum class phase { launching, starting, running, finishing, removing };

  void start_container();
  void stop_container();
  void follow_container();
  void report_exit_when_complete();
  /// Probes the engine, then fails the attempt with `reason`; the probe
  /// tells whether the runtime was to blame.
  void probe_then_fail(std::string reason);
  void fail(std::string reason, bool runtime_unavailable);
  void remove_container();
  void log_transition(const char* to, const std::string& detail = {});

  container_supervisor_actor::pointer self_ = nullptr;
  supervisor_config config_;
  phase phase_ = phase::launching;
  std::string container_id_;
  /// When `docker start` was issued: the attempt's startedAt. The process
  /// runs from some moment before `docker start` returns, so no line it
  /// writes is stamped earlier.
  int64_t started_at_ = 0;
  /// The reason of a stop request; set once one arrived.
  std::optional<std::string> stop_reason_;
  std::optional<int> exit_code_;
  int64_t stopped_at_ = 0;
  bool output_done_ = false;
  /// A launch or wait failure waiting for the probe that classifies it.
  std::string pending_failure_;
  /// Set once the container is removed; shared with the cleanup that runs
  /// when the actor goes away.
  std::shared_ptr<bool> removed_ = std::make_shared<bool>(false);
};

/// The supervisor's behavior: a routing table to the state's handlers.
container_supervisor_actor::behavior_type container_supervisor(
  container_supervisor_actor::stateful_pointer<container_supervisor_state> self,
  supervisor_config config);

} // namespace batch

BATCH_LOCAL_MESSAGE(batch::container_launched)
BATCH_LOCAL_MESSAGE(batch::container_running)
BATCH_LOCAL_MESSAGE(batch::container_waited)
BATCH_LOCAL_MESSAGE(batch::output_finished)
BATCH_LOCAL_MESSAGE(batch::container_stop_done)
BATCH_LOCAL_MESSAGE(batch::container_removed)
BATCH_LOCAL_MESSAGE(batch::engine_probed)
