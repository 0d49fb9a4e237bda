// The supervisor's state machine: launching → starting → running →
// finishing → removing. A launch or wait failure is classified by probing the
// engine: if the engine no longer answers, the attempt failed for want of a
// runtime (the job waits RUNNABLE) rather than because of the job. The
// container is removed on every path, and also when the actor goes away early.
#include "actors/container_supervisor.hpp"

#include "protocol/errors.hpp"
#include "protocol/job.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <atomic>

namespace batch {

namespace {

spdlog::logger& logger() {
  static auto& instance = component_logger("container");
  return instance;
}

std::string message_of(const caf::error& err) {
  return to_wire_error(err).message;
}

/// The exit code Docker reports for a container ended by SIGKILL.
constexpr int killed_exit_code = 137;

} // namespace

void container_supervisor_state::start(container_supervisor_actor::pointer self,
                                       supervisor_config config) {
  self_ = self;
  config_ = std::move(config);
  log_transition("LAUNCHING", "image=" + config_.spec.image);
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  config_.engine->launch(
    config_.launch, [handle](caf::expected<std::string> id) {
      if (id)
        caf::anon_send(handle, container_launched{*id, {}});
      else
        caf::anon_send(handle, container_launched{{}, message_of(id.error())});
    });
}

void container_supervisor_state::on_stop(const stop_attempt& request) {
  if (stop_reason_)
    return;
  stop_reason_ = request.reason;
  if (phase_ != phase::running) {
    // Launching ends in `fail`, starting in an immediate stop once running.
    log_transition("STOP_REQUESTED", "reason=\"" + request.reason + "\"");
    return;
  }
  stop_container();
}

void container_supervisor_state::stop_container() {
  log_transition("STOPPING", "reason=\"" + *stop_reason_ + "\"");
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  config_.engine->stop(
    container_id_, config_.spec.stop_grace_seconds,
    [handle](const caf::error& err) {
      caf::anon_send(handle, container_stop_done{err ? message_of(err) : ""});
    });
}

void container_supervisor_state::on_launched(const container_launched& result) {
  if (!result.failure.empty()) {
    probe_then_fail(result.failure);
    return;
  }
  container_id_ = result.container_id;
  // Whatever happens to this actor from now on, the container goes too.
  self_->attach_functor(
    [engine = config_.engine, id = container_id_, removed = removed_] {
      if (!*removed)
        engine->remove(id, [](const caf::error&) {});
    });
  if (stop_reason_) {
    fail(*stop_reason_, false);
    return;
  }
  start_container();
}

void container_supervisor_state::start_container() {
  phase_ = phase::starting;
  started_at_ = config_.clock->now_ms();
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  config_.engine->start(container_id_, [handle](const caf::error& err) {
    caf::anon_send(handle, container_running{err ? message_of(err) : ""});
  });
}

void container_supervisor_state::on_running(const container_running& result) {
  if (phase_ != phase::starting)
    return;
  if (!result.failure.empty()) {
    probe_then_fail(result.failure);
    return;
  }
  phase_ = phase::running;
  auto& spec = config_.spec;
  caf::anon_send(config_.log_store,
                 append_log_events{spec.log_group, spec.log_stream, {}});
  attempt_started started{spec.job_id, spec.attempt, started_at_,
                          container_id_};
  caf::anon_send(config_.job, job_event{std::move(started)});
  log_transition("RUNNING", "container=" + container_id_.substr(0, 12));
  follow_container();
  if (stop_reason_)
    stop_container();
}

void container_supervisor_state::follow_container() {
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  auto& spec = config_.spec;
  // Lines go straight to the log store: they are enqueued there before
  // `output_finished` reaches this actor, so the exit is reported only after
  // the store has every line.
  config_.engine->follow_output(
    container_id_,
    [store = config_.log_store, group = spec.log_group,
     stream = spec.log_stream](output_line line) {
      constexpr int64_t ns_per_ms = 1'000'000;
      log_event event;
      event.timestamp = line.written_ns / ns_per_ms;
      event.nanos = static_cast<int32_t>(line.written_ns % ns_per_ms);
      event.message = std::move(line.text);
      caf::anon_send(store, append_log_events{group, stream, {event}});
    },
    [handle](const caf::error& err) {
      caf::anon_send(handle, output_finished{err ? message_of(err) : ""});
    });
  config_.engine->wait(container_id_, [handle](caf::expected<int> code) {
    if (code)
      caf::anon_send(handle, container_waited{*code, {}});
    else
      caf::anon_send(handle,
                     container_waited{std::nullopt, message_of(code.error())});
  });
}

void container_supervisor_state::on_waited(const container_waited& result) {
  if (phase_ != phase::running)
    return;
  if (!result.exit_code && !stop_reason_) {
    probe_then_fail(result.failure);
    return;
  }
  // A container removed by force while stopping has no exit code left.
  exit_code_ = result.exit_code.value_or(killed_exit_code);
  stopped_at_ = config_.clock->now_ms();
  phase_ = phase::finishing;
  log_transition("EXITED", "exit_code=" + std::to_string(*exit_code_));
  if (!output_done_)
    self_->delayed_send(self_, config_.output_grace, tick_atom_v);
  report_exit_when_complete();
}

void container_supervisor_state::on_output_finished(
  const output_finished& result) {
  if (!result.failure.empty())
    logger().warn("output lost job_id={} attempt={} error=\"{}\"",
                  config_.spec.job_id, config_.spec.attempt, result.failure);
  output_done_ = true;
  report_exit_when_complete();
}

void container_supervisor_state::on_output_grace_expired() {
  if (phase_ != phase::finishing || output_done_)
    return;
  logger().warn("output incomplete job_id={} attempt={}", config_.spec.job_id,
                config_.spec.attempt);
  output_done_ = true;
  report_exit_when_complete();
}

void container_supervisor_state::report_exit_when_complete() {
  if (phase_ != phase::finishing || !output_done_)
    return;
  auto& spec = config_.spec;
  attempt_exited exited{spec.job_id, spec.attempt, *exit_code_, stopped_at_,
                        stop_reason_.has_value()};
  caf::anon_send(config_.job, job_event{std::move(exited)});
  remove_container();
}

void container_supervisor_state::on_stop_done(
  const container_stop_done& result) {
  if (result.failure.empty() || phase_ != phase::running)
    return;
  // The container did not stop: removing it by force ends it for sure.
  logger().warn("stop failed job_id={} attempt={} error=\"{}\"",
                config_.spec.job_id, config_.spec.attempt, result.failure);
  config_.engine->remove(container_id_, [](const caf::error&) {});
}

void container_supervisor_state::probe_then_fail(std::string reason) {
  pending_failure_ = std::move(reason);
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  config_.engine->probe([handle](caf::expected<engine_info> info) {
    caf::anon_send(handle, engine_probed{static_cast<bool>(info),
                                         info ? "" : message_of(info.error()),
                                         info ? info->cpus : 0});
  });
}

void container_supervisor_state::on_probed(const engine_probed& result) {
  if (pending_failure_.empty())
    return;
  auto reason = std::move(pending_failure_);
  pending_failure_.clear();
  fail(std::move(reason), !result.available);
}

void container_supervisor_state::fail(std::string reason,
                                      bool runtime_unavailable) {
  auto& spec = config_.spec;
  log_transition("FAILED", "reason=\"" + reason + "\"");
  attempt_failed failed{spec.job_id, spec.attempt, std::move(reason),
                        config_.clock->now_ms(), runtime_unavailable};
  caf::anon_send(config_.job, job_event{std::move(failed)});
  if (container_id_.empty()) {
    self_->quit();
    return;
  }
  remove_container();
}

void container_supervisor_state::remove_container() {
  phase_ = phase::removing;
  auto handle = caf::actor_cast<container_supervisor_actor>(self_);
  config_.engine->remove(container_id_, [handle](const caf::error& err) {
    caf::anon_send(handle, container_removed{err ? message_of(err) : ""});
  });
}

void container_supervisor_state::on_removed(const container_removed& result) {
  *removed_ = true;
  if (!result.failure.empty())
    logger().warn("remove failed job_id={} attempt={} container={} "
                  "error=\"{}\"",
                  config_.spec.job_id, config_.spec.attempt, container_id_,
                  result.failure);
  log_transition("REMOVED");
  self_->quit();
}

void container_supervisor_state::log_transition(const char* to,
                                                const std::string& detail) {
  logger().info("attempt job_id={} attempt={} to={} {}", config_.spec.job_id,
                config_.spec.attempt, to, detail);
}

container_supervisor_actor::behavior_type container_supervisor(
  container_supervisor_actor::stateful_pointer<container_supervisor_state> self,
  supervisor_config config) {
  self->state.start(self, std::move(config));
  return {
    [self](const stop_attempt& x) { self->state.on_stop(x); },
    [self](const container_launched& x) { self->state.on_launched(x); },
    [self](const container_running& x) { self->state.on_running(x); },
    [self](const container_waited& x) { self->state.on_waited(x); },
    [self](const output_finished& x) { self->state.on_output_finished(x); },
    [self](const container_stop_done& x) { self->state.on_stop_done(x); },
    [self](const container_removed& x) { self->state.on_removed(x); },
    [self](const engine_probed& x) { self->state.on_probed(x); },
    [self](tick_atom) { self->state.on_output_grace_expired(); },
  };
}

} // namespace batch
