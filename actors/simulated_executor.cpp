#include "actors/simulated_executor.hpp"

#include "protocol/job.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <cmath>
#include <cstdlib>
#include <optional>

namespace batch {

namespace {

constexpr const char* seconds_variable = "BATCHD_SIMULATED_SECONDS";
constexpr const char* exit_code_variable = "BATCHD_SIMULATED_EXIT_CODE";

/// The exit code of a process ended by SIGTERM.
constexpr int sigterm_exit_code = 143;

spdlog::logger& logger() {
  static auto& instance = component_logger("simulated_executor");
  return instance;
}

std::optional<std::string> variable(const attempt_spec& spec,
                                    const std::string& name) {
  for (auto& [key, value] : spec.environment)
    if (key == name)
      return value;
  return std::nullopt;
}

/// Returns the attempt's duration in milliseconds, or nothing if the
/// variable is not a non-negative number.
std::optional<int64_t> duration_of(const attempt_spec& spec) {
  auto text = variable(spec, seconds_variable);
  if (!text)
    return 1000;
  char* end = nullptr;
  auto seconds = std::strtod(text->c_str(), &end);
  if (text->empty() || end != text->c_str() + text->size() || seconds < 0
      || !std::isfinite(seconds))
    return std::nullopt;
  return static_cast<int64_t>(std::llround(seconds * 1000));
}

/// Returns the attempt's exit code, or nothing if the variable is not an
/// integer.
std::optional<int> exit_code_of(const attempt_spec& spec) {
  auto text = variable(spec, exit_code_variable);
  if (!text)
    return 0;
  char* end = nullptr;
  auto code = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || end != text->c_str() + text->size())
    return std::nullopt;
  return static_cast<int>(code);
}

} // namespace

void simulated_executor_state::write_log(const simulation& run,
                                         std::string line) {
  if (!config.log_store)
    return;
  auto now = config.clock->now_ms();
  append_log_events append{run.log_group, run.log_stream, {}};
  append.events.push_back({now, std::move(line), now});
  self->send(config.log_store, std::move(append));
}

ack simulated_executor_state::on_run(run_attempt& request) {
  auto& spec = request.spec;
  auto now = config.clock->now_ms();
  auto duration = duration_of(spec);
  auto exit_code = exit_code_of(spec);
  if (!duration || !exit_code) {
    auto reason = std::string{"CannotStartContainerError: "}
                  + (duration ? exit_code_variable : seconds_variable)
                  + (duration ? " must be an integer" : " must be a number");
    attempt_failed failed{spec.job_id, spec.attempt, reason, now};
    caf::anon_send(request.job, job_event{std::move(failed)});
    return {};
  }
  simulation run{request.job, *exit_code, spec.log_group, spec.log_stream};
  write_log(run, "batchd simulated this attempt without a container: it runs "
                   + std::to_string(*duration) + " ms and exits with code "
                   + std::to_string(*exit_code));
  attempt_started started{spec.job_id, spec.attempt, now, {}};
  caf::anon_send(request.job, job_event{std::move(started)});
  self->delayed_send(self, config.clock->real_duration(*duration),
                     simulation_done{spec.job_id, spec.attempt});
  logger().debug("job_id={} attempt={} simulated for {} ms", spec.job_id,
                 spec.attempt, *duration);
  running.insert_or_assign({spec.job_id, spec.attempt}, std::move(run));
  return {};
}

void simulated_executor_state::on_stop(const stop_attempt& request) {
  auto i = running.find({request.job_id, request.attempt});
  if (i == running.end())
    return;
  auto& run = i->second;
  write_log(run, "batchd stopped the simulated attempt: " + request.reason);
  attempt_exited exited{request.job_id, request.attempt, sigterm_exit_code,
                        config.clock->now_ms(), true};
  caf::anon_send(run.job, job_event{std::move(exited)});
  running.erase(i);
}

void simulated_executor_state::on_done(const simulation_done& done) {
  auto i = running.find({done.job_id, done.attempt});
  if (i == running.end())
    return;
  auto& run = i->second;
  write_log(run, "batchd simulated attempt exited with code "
                   + std::to_string(run.exit_code));
  attempt_exited exited{done.job_id, done.attempt, run.exit_code,
                        config.clock->now_ms(), false};
  caf::anon_send(run.job, job_event{std::move(exited)});
  running.erase(i);
}

simulated_executor_actor::behavior_type
simulated_executor(simulated_executor_state::pointer self,
                   simulated_executor_config config) {
  self->state.self = self;
  self->state.config = std::move(config);
  return {
    [self](run_attempt& request) { return self->state.on_run(request); },
    [self](const stop_attempt& request) { self->state.on_stop(request); },
    [self](const simulation_done& done) { self->state.on_done(done); },
  };
}

} // namespace batch
