// The scheduler benchmark: a real region (scheduler, job directory, one job
// actor per job, the simulated executor, CAF's work-stealing scheduler and
// the system clock) with one fair-share queue whose jobs spread over 100
// share identifiers. It submits --jobs jobs through the job directory's
// typed interface while the queue's only compute environment is DISABLED,
// so that every job waits RUNNABLE, and reports the submit rate and the
// memory each queued job costs. It then enables the environment the way
// UpdateComputeEnvironment does, which lets the scheduler place --decisions
// jobs in a row while the others stay queued, and reports how fast it
// decides. Simulated jobs run for a day, so none ends during the run. It
// prints figures, never verdicts; scripts/bench/scheduler.sh runs it.
//
// Usage: scheduler_bench [--jobs N] [--decisions K] [--shares S]
//          [--in-flight W] [--log-level LEVEL]   (--help explains them)
#include "actors/region.hpp"
#include "protocol/errors.hpp"
#include "runtime/actor_system.hpp"
#include "runtime/clock.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <malloc.h>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace batch;
using steady = std::chrono::steady_clock;

/// How long the benchmark waits for any single reply.
constexpr auto reply_timeout = std::chrono::seconds{60};

/// How often the benchmark looks whether the last jobs left SUBMITTED.
constexpr auto poll_interval = std::chrono::milliseconds{20};

/// What the command line asks for.
struct options {
  size_t jobs = 100'000;
  size_t decisions = 100'000;
  size_t shares = 100;
  /// SubmitJob requests in flight at once.
  size_t in_flight = 256;
  std::string log_level = "warn";
};

/// Parses the command line; exits with CLI11's message on anything wrong.
options parse_options(int argc, char** argv) {
  options result;
  CLI::App app{"scheduler_bench: dispatch decisions per second and memory "
               "per queued job of a real region",
               "scheduler_bench"};
  app.add_option("--jobs", result.jobs, "Jobs to queue")
    ->check(CLI::Range(1, 10'000'000));
  app.add_option("--decisions", result.decisions,
                 "Placements to time (at most --jobs)");
  app.add_option("--shares", result.shares, "Share identifiers")
    ->check(CLI::Range(1, 100'000));
  app
    .add_option("--in-flight", result.in_flight,
                "SubmitJob requests in flight at once")
    ->check(CLI::Range(1, 100'000));
  app.add_option("--log-level", result.log_level, "The server's log level")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  result.decisions = std::min(result.decisions, result.jobs);
  return result;
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "scheduler_bench: %s\n", what.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

double seconds_since(steady::time_point start) {
  return std::chrono::duration<double>(steady::now() - start).count();
}

// -- memory -------------------------------------------------------------------

/// The process's memory at one moment.
struct memory_sample {
  /// Resident set size.
  int64_t rss = 0;
  /// Bytes malloc handed out and has not got back.
  int64_t heap = 0;
};

/// Returns the value in kB of the line `key` of a /proc file, in bytes.
int64_t proc_kib(const char* path, const std::string& key) {
  std::ifstream in{path};
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size(), key) == 0)
      return std::strtoll(line.c_str() + key.size(), nullptr, 10) * 1024;
  return 0;
}

/// Gives free heap pages back to the system, then samples the memory.
memory_sample sample_memory() {
  malloc_trim(0);
  auto info = mallinfo2();
  memory_sample result;
  result.rss = proc_kib("/proc/self/smaps_rollup", "Rss:");
  if (result.rss == 0)
    result.rss = proc_kib("/proc/self/status", "VmRSS:");
  result.heap = static_cast<int64_t>(info.uordblks + info.hblkhd);
  return result;
}

// -- the region's resources ---------------------------------------------------

/// Sends `request` to `handle` and returns the reply, or ends the run.
template <class Result, class Handle, class Request>
Result ask(caf::scoped_actor& self, const Handle& handle, Request request) {
  std::optional<Result> result;
  self->request(handle, reply_timeout, std::move(request))
    .receive([&](Result& value) { result = std::move(value); },
             [&](caf::error& err) {
               fail("request failed: " + to_wire_error(err).message);
             });
  return std::move(*result);
}

std::string share_name(size_t index) {
  char text[32];
  std::snprintf(text, sizeof(text), "share%03zu", index);
  return text;
}

/// The fair-share policy: `shares` identifiers with weights 1 to 4.
scheduling_policy_record policy_of(size_t shares) {
  scheduling_policy_record record;
  record.name = "bench-policy";
  record.has_fairshare_policy = true;
  for (size_t i = 0; i < shares; ++i)
    record.share_distribution.push_back(
      {share_name(i), 1.0 + static_cast<double>(i % 4)});
  return record;
}

/// A DISABLED simulated environment that runs `vcpus` one-vCPU jobs at once.
compute_environment_record environment_of(size_t vcpus) {
  compute_environment_record record;
  record.name = "bench-ce";
  record.type = "MANAGED";
  record.state = "DISABLED";
  record.compute_resources = R"({"type":"EC2","minvCpus":0,"maxvCpus":)"
                             + std::to_string(vcpus)
                             + R"(,"subnets":[],"securityGroupIds":[]})";
  record.tags[executor_tag] = simulated_executor_name;
  return record;
}

job_queue_record queue_of(const std::string& policy_arn) {
  job_queue_record record;
  record.name = "bench-queue";
  record.priority = 1;
  record.scheduling_policy_arn = policy_arn;
  record.compute_environment_order.push_back({1, "bench-ce"});
  return record;
}

/// One vCPU, 128 MiB, a day of simulated run time.
job_definition_record definition_of() {
  job_definition_record record;
  record.name = "bench-def";
  record.type = "container";
  record.scheduling_priority = 1;
  record.container_properties
    = R"({"image":"busybox","command":["true"],"resourceRequirements":)"
      R"([{"type":"VCPU","value":"1"},{"type":"MEMORY","value":"128"}],)"
      R"("environment":[{"name":"BATCHD_SIMULATED_SECONDS",)"
      R"("value":"86400"}]})";
  return record;
}

/// Creates the policy, the environment, the queue and the definition;
/// returns the queue's ARN.
std::string create_resources(caf::scoped_actor& self, const region& r,
                             const options& opts) {
  auto policy = ask<scheduling_policy_ref>(
    self, r.scheduling_policies,
    create_scheduling_policy{policy_of(opts.shares)});
  ask<compute_environment_ref>(
    self, r.compute_environments,
    create_compute_environment{environment_of(opts.decisions)});
  auto queue = ask<job_queue_ref>(self, r.job_queues,
                                  create_job_queue{queue_of(policy.arn)});
  ask<job_definition_ref>(self, r.job_definitions,
                          register_job_definition{definition_of()});
  return queue.arn;
}

// -- submitting ---------------------------------------------------------------

/// The progress of a run of SubmitJob requests.
struct submission {
  jobs_actor jobs;
  size_t total = 0;
  size_t shares = 0;
  size_t sent = 0;
  size_t answered = 0;
  size_t failed = 0;
  std::string first_error;
  /// Set once every request was answered.
  std::promise<void> done;
};

using submission_ptr = std::shared_ptr<submission>;

submit_job submit_request(size_t index, size_t shares) {
  submit_job request;
  request.job_name = "job-" + std::to_string(index);
  request.job_queue = "bench-queue";
  request.job_definition = "bench-def";
  request.share_identifier = share_name(index % shares);
  return request;
}

/// Sends the next SubmitJob of `run`, if any is left.
void submit_next(caf::event_based_actor* self, const submission_ptr& run) {
  if (run->sent == run->total)
    return;
  auto request = submit_request(run->sent++, run->shares);
  auto answered = [self, run] {
    if (++run->answered == run->total)
      run->done.set_value();
    else
      submit_next(self, run);
  };
  self->request(run->jobs, caf::infinite, std::move(request))
    .then([answered](const submitted_job&) { answered(); },
          [run, answered](caf::error& err) {
            if (run->failed++ == 0)
              run->first_error = to_wire_error(err).message;
            answered();
          });
}

/// Keeps `window` SubmitJob requests in flight until `run` is complete;
/// lives as long as requests are pending.
void submitter(caf::event_based_actor* self, submission_ptr run,
               size_t window) {
  for (size_t i = 0; i < window; ++i)
    submit_next(self, run);
}

/// Returns true once no job of the queue is SUBMITTED any more.
bool none_submitted(caf::scoped_actor& self, const region& r,
                    const std::string& queue_arn) {
  list_jobs request;
  request.job_queue = queue_arn;
  request.status = job_status::submitted;
  request.max_results = 1;
  return ask<job_summary_page>(self, r.jobs, std::move(request)).items.empty();
}

// -- counting placements ------------------------------------------------------

/// Counts the attempts that reach the executor.
struct attempt_counter {
  size_t target = 0;
  std::atomic<size_t> seen{0};
  /// Set when the `target`-th attempt arrived.
  std::promise<steady::time_point> reached;
};

using attempt_counter_ptr = std::shared_ptr<attempt_counter>;

/// An executor that counts every attempt and hands it on to `target`.
executor_actor::behavior_type counting_executor(executor_actor::pointer self,
                                                executor_actor target,
                                                attempt_counter_ptr counter) {
  return {
    [self, target, counter](run_attempt& request) {
      if (++counter->seen == counter->target)
        counter->reached.set_value(steady::now());
      return self->delegate(target, std::move(request));
    },
    [self, target](stop_attempt& request) {
      self->send(target, std::move(request));
    },
  };
}

// -- the run ------------------------------------------------------------------

void print_figure(const char* name, double value, const char* unit) {
  std::printf("%-44s %14.0f %s\n", name, value, unit);
}

/// Submits every job and waits until all of them are queued RUNNABLE.
void submit_all(caf::actor_system& system, caf::scoped_actor& self,
                const region& r, const std::string& queue_arn,
                const options& opts) {
  auto run = std::make_shared<submission>();
  run->jobs = r.jobs;
  run->total = opts.jobs;
  run->shares = opts.shares;
  auto done = run->done.get_future();
  auto start = steady::now();
  system.spawn(submitter, run, opts.in_flight);
  done.wait();
  auto submitted = seconds_since(start);
  if (run->failed > 0)
    fail(std::to_string(run->failed)
         + " SubmitJob requests failed, the first with: " + run->first_error);
  while (!none_submitted(self, r, queue_arn))
    std::this_thread::sleep_for(poll_interval);

  // The scheduler answers after every job_runnable sent before.
  ask<job_queue_snapshot>(self, r.scheduler, get_job_queue_snapshot{queue_arn});
  auto queued = seconds_since(start);
  auto jobs = static_cast<double>(opts.jobs);
  std::printf("submitted %zu jobs in %.3f s, all RUNNABLE after %.3f s\n",
              opts.jobs, submitted, queued);
  print_figure("submit rate (SubmitJob/s, in-process)", jobs / submitted,
               "jobs/s");
  print_figure("queueing rate (RUNNABLE/s, in-process)", jobs / queued,
               "jobs/s");
}

/// Enables the environment and measures the scheduler's placements.
void place_jobs(caf::scoped_actor& self, const region& r,
                const std::string& queue_arn, const options& opts,
                const attempt_counter_ptr& counter) {
  auto reached = counter->reached.get_future();
  update_compute_environment enable;
  enable.compute_environment = "bench-ce";
  enable.state = "ENABLED";
  auto start = steady::now();
  ask<compute_environment_ref>(self, r.compute_environments, enable);

  // The environment's change is in the scheduler's mailbox before the
  // directory answers, so this snapshot waits for every placement.
  auto snapshot = ask<job_queue_snapshot>(self, r.scheduler,
                                          get_job_queue_snapshot{queue_arn});
  auto decided = seconds_since(start);
  if (reached.wait_for(reply_timeout) != std::future_status::ready)
    fail("the executor saw " + std::to_string(counter->seen) + " of "
         + std::to_string(opts.decisions) + " attempts");
  auto arrived = std::chrono::duration<double>(reached.get() - start).count();
  auto decisions = static_cast<double>(opts.decisions);
  std::printf("placed %zu jobs in %.3f s (scheduler), %.3f s until the "
              "executor had every attempt; %.0f vCPUs in use\n",
              opts.decisions, decided, arrived, snapshot.used_vcpus);
  print_figure("scheduler decisions/s", decisions / decided, "placements/s");
  print_figure("placements reaching the executor/s", decisions / arrived,
               "placements/s");
}

/// Runs the benchmark and ends the process: a million job actors take long
/// to stop and nothing is left to measure, so the region is not torn down.
[[noreturn]] void run(const options& opts) {
  caf::actor_system_config config;
  configure_actor_system(config);
  caf::actor_system system{config};
  auto clock = std::make_shared<scaled_system_clock>(1.0);
  region_services services{{"us-east-1", "000000000000"}, clock, {}};
  auto r = spawn_region(system, services);
  caf::scoped_actor self{system};
  auto queue_arn = create_resources(self, r, opts);
  auto counter = std::make_shared<attempt_counter>();
  counter->target = opts.decisions;
  auto counting
    = system.spawn(counting_executor, r.simulated_executor, counter);
  caf::anon_send(r.scheduler, scheduler_executors{{}, counting});
  std::printf("scheduler_bench: %zu jobs over %zu share identifiers, %zu "
              "placements, %u hardware threads\n",
              opts.jobs, opts.shares, opts.decisions,
              std::thread::hardware_concurrency());

  auto before = sample_memory();
  submit_all(system, self, r, queue_arn, opts);
  auto after = sample_memory();
  auto jobs = static_cast<double>(opts.jobs);
  std::printf("resident memory %.1f MiB before, %.1f MiB with the jobs "
              "queued; heap in use %.1f MiB before, %.1f MiB after\n",
              static_cast<double>(before.rss) / 1048576.0,
              static_cast<double>(after.rss) / 1048576.0,
              static_cast<double>(before.heap) / 1048576.0,
              static_cast<double>(after.heap) / 1048576.0);
  print_figure("resident bytes per queued job",
               static_cast<double>(after.rss - before.rss) / jobs, "B");
  print_figure("heap bytes per queued job",
               static_cast<double>(after.heap - before.heap) / jobs, "B");

  place_jobs(self, r, queue_arn, opts, counter);
  std::printf("reproduce: build/scheduler_bench --jobs %zu --decisions %zu "
              "--shares %zu --in-flight %zu --log-level %s\n",
              opts.jobs, opts.decisions, opts.shares, opts.in_flight,
              opts.log_level.c_str());
  std::fflush(stdout);
  std::_Exit(0);
}

} // namespace

int main(int argc, char** argv) {
  auto opts = parse_options(argc, argv);
  batch::configure_logging(opts.log_level);
  run(opts);
}
