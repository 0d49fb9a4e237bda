// The scheduler with real job actors and the simulated executor, under the
// test coordinator and a manual clock: every run replays the same decisions
// at the same server times.
#include "tests/actors/job_fixture.hpp"

#include "actors/simulated_executor.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace batch {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr int64_t second = 1000;
constexpr int64_t minute = 60 * second;

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

/// What a definition's jobs ask for and how long they run.
struct job_shape {
  job_shape(int vcpus, int64_t seconds, int64_t memory_mib = 0,
            int64_t gpus = 0, std::optional<int64_t> priority = std::nullopt)
      : vcpus(vcpus), seconds(seconds), memory_mib(memory_mib), gpus(gpus),
        priority(priority) {
    // nop
  }

  int vcpus;
  int64_t seconds;
  int64_t memory_mib;
  int64_t gpus;
  std::optional<int64_t> priority;
};

/// A region whose environments run jobs on the real simulated executor.
struct fixture : testing::job_fixture {
  executor_actor simulated = track(
    sys.spawn(simulated_executor, simulated_executor_config{clock, {}}));

  fixture() {
    self->send(sched_actor, scheduler_executors{executor, simulated});
    sched.run();
  }

  // -- the world --------------------------------------------------------------

  /// Announces a simulated environment of `vcpus` with extra `tags`.
  void simulated_environment(const std::string& name, int64_t vcpus,
                             tag_map tags = {},
                             const std::string& state = "ENABLED") {
    auto record = environment_record(name, state);
    record.type = "MANAGED";
    record.compute_resources
      = R"({"type":"EC2","maxvCpus":)" + std::to_string(vcpus) + "}";
    record.tags = std::move(tags);
    record.tags[executor_tag] = simulated_executor_name;
    announce(record);
  }

  /// Announces a fair-share policy and returns its ARN.
  std::string policy(const std::string& name,
                     std::vector<share_attributes> shares,
                     int64_t reservation = 0, int64_t decay_seconds = 0) {
    scheduling_policy_record record;
    record.name = name;
    record.arn = services().scope.arn("scheduling-policy", name);
    record.has_fairshare_policy = true;
    record.share_distribution = std::move(shares);
    record.compute_reservation = reservation;
    record.share_decay_seconds = decay_seconds;
    self->send(sched_actor, scheduling_policy_changed{record});
    sched.run();
    return record.arn;
  }

  /// Creates a fair-share queue that uses `policy_arn`.
  job_queue_record& fair_queue(const std::string& name,
                               std::vector<std::string> environments,
                               const std::string& policy_arn) {
    auto& record = queue(name, 1, std::move(environments));
    record.scheduling_policy_arn = policy_arn;
    publish(record);
    return record;
  }

  /// Tells the scheduler that `record` changed.
  void publish(const job_queue_record& record) {
    self->send(sched_actor, job_queue_changed{record});
    sched.run();
  }

  /// Registers definition `name` whose jobs have `shape`.
  void define(const std::string& name, const job_shape& shape) {
    auto& record = definition(name, shape.vcpus);
    json container{{"image", "busybox"},
                   {"vcpus", shape.vcpus},
                   {"environment",
                    {{{"name", "BATCHD_SIMULATED_SECONDS"},
                      {"value", std::to_string(shape.seconds)}}}}};
    if (shape.memory_mib > 0)
      container["memory"] = shape.memory_mib;
    if (shape.gpus > 0)
      container["resourceRequirements"]
        = {{{"type", "GPU"}, {"value", std::to_string(shape.gpus)}}};
    record.container_properties = container.dump();
    record.scheduling_priority = shape.priority;
  }

  /// Submits a job of `share` (empty for FIFO queues).
  std::string submit_to(const std::string& queue_name,
                        const std::string& definition_name,
                        const std::string& share = {},
                        std::optional<int64_t> priority = std::nullopt) {
    submit_job request;
    if (!share.empty())
      request.share_identifier = share;
    request.scheduling_priority_override = priority;
    auto submitted = try_submit("job", queue_name, definition_name, request);
    REQUIRE(submitted);
    return submitted->id;
  }

  // -- time -------------------------------------------------------------------

  /// Moves the server's time forward by `ms`, delivering every delayed
  /// message at its time and calling `observe` after each step.
  void advance(int64_t ms, const std::function<void()>& observe = {}) {
    auto& timers = sched.clock();
    auto target = clock->now_ms() + ms;
    for (;;) {
      sched.run();
      if (observe)
        observe();
      auto left = milliseconds{target - clock->now_ms()};
      auto& due = timers.schedule();
      auto next = due.empty() ? left
                              : duration_cast<milliseconds>(
                                due.begin()->first - timers.current_time);
      auto step = std::min(next, left);
      clock->advance(step.count());
      sched.advance_time(step);
      if (next > left || (step == left && due.empty())) {
        sched.run();
        return;
      }
    }
  }

  // -- observations -----------------------------------------------------------

  std::vector<job_record> records(const std::vector<std::string>& ids) {
    std::vector<job_record> result;
    for (size_t at = 0; at < ids.size(); at += 100) {
      auto last = ids.begin() + std::min(ids.size(), at + 100);
      auto page
        = ask<job_records>(jobs, describe_jobs{{ids.begin() + at, last}});
      REQUIRE(page);
      result.insert(result.end(), page->begin(), page->end());
    }
    return result;
  }

  /// Returns the vCPU-seconds the jobs `ids` ran until now.
  double vcpu_seconds(const std::vector<std::string>& ids) {
    double total = 0;
    for (auto& record : records(ids))
      for (auto& attempt : record.attempts) {
        auto stop
          = attempt.stopped_at > 0 ? attempt.stopped_at : clock->now_ms();
        total += record.spec->needs.vcpus
                 * static_cast<double>(stop - attempt.started_at) / 1000.0;
      }
    return total;
  }

  /// Returns how many of `ids` hold capacity (STARTING or RUNNING).
  int holding(const std::vector<std::string>& ids) {
    int count = 0;
    for (auto& record : records(ids))
      if (record.status == job_status::starting
          || record.status == job_status::running)
        ++count;
    return count;
  }

  /// Returns the ids of `ids` ordered by the start of their first attempt;
  /// jobs that never started are left out.
  std::vector<std::string> start_order(const std::vector<std::string>& ids) {
    std::vector<std::pair<std::pair<int64_t, uint64_t>, std::string>> started;
    for (auto& record : records(ids))
      if (!record.attempts.empty())
        started.push_back(
          {{record.attempts.front().started_at, record.spec->sequence},
           record.spec->id});
    std::sort(started.begin(), started.end());
    std::vector<std::string> result;
    for (auto& [when, id] : started)
      result.push_back(id);
    return result;
  }

  /// Returns the environment of the last attempt of `id`, from the
  /// cluster in its task ARN.
  std::string environment_of(const std::string& id) {
    auto record = describe(id);
    if (record.attempts.empty())
      return "<none>";
    auto& task = record.attempts.back().task_arn;
    auto cluster = task.find(":task/") + 6;
    return task.substr(cluster, task.find('/', cluster) - cluster);
  }

  job_queue_snapshot snapshot(const std::string& queue_name) {
    auto arn = services().scope.arn("job-queue", queue_name);
    auto result
      = ask<job_queue_snapshot>(sched_actor, get_job_queue_snapshot{arn});
    REQUIRE(result);
    return *result;
  }

  std::vector<std::string> front_ids(const std::string& queue_name) {
    std::vector<std::string> result;
    for (auto& job : snapshot(queue_name).jobs)
      result.push_back(job.job_arn.substr(job.job_arn.rfind('/') + 1));
    return result;
  }
};

std::vector<std::string> concat(std::vector<std::string> a,
                                const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

} // namespace

// -- capacity -----------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "capacity is never exceeded") {
  simulated_environment("ce", 4, {{memory_tag, "3000"}});
  queue("q", 1, {"ce"});
  define("small", {1, 7});
  define("large", {3, 11});
  define("hungry", {1, 5, 2000});
  std::vector<std::string> ids;
  std::map<std::string, int> vcpus_of;
  std::map<std::string, int64_t> memory_of;
  for (int i = 0; i < 12; ++i) {
    auto kind = i % 3 == 0 ? "large" : i % 3 == 1 ? "small" : "hungry";
    auto id = submit_to("q", kind);
    ids.push_back(id);
    vcpus_of[id] = kind == std::string{"large"} ? 3 : 1;
    memory_of[id] = kind == std::string{"hungry"} ? 2000 : 0;
  }
  int most_vcpus = 0;
  int64_t most_memory = 0;
  advance(10 * minute, [&] {
    int vcpus = 0;
    int64_t memory = 0;
    for (auto& record : records(ids))
      if (record.status == job_status::starting
          || record.status == job_status::running) {
        vcpus += vcpus_of[record.spec->id];
        memory += memory_of[record.spec->id];
      }
    most_vcpus = std::max(most_vcpus, vcpus);
    most_memory = std::max(most_memory, memory);
  });
  CHECK(most_vcpus == 4);
  CHECK(most_memory == 2000);
  for (auto& record : records(ids))
    CHECK(record.status == job_status::succeeded);
}

TEST_CASE_FIXTURE(fixture, "a job waiting for capacity says so") {
  simulated_environment("ce", 2);
  queue("q", 1, {"ce"});
  define("d", {2, 60});
  auto running = submit_to("q", "d");
  auto waiting = submit_to("q", "d");
  CHECK(status_of(running) == job_status::running);
  auto record = describe(waiting);
  CHECK(record.status == job_status::runnable);
  CHECK(starts_with(record.status_reason,
                    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - "));
  advance(minute);
  CHECK(status_of(running) == job_status::succeeded);
  CHECK(status_of(waiting) == job_status::running);
  CHECK(describe(waiting).status_reason.empty());
}

TEST_CASE_FIXTURE(fixture, "a job larger than every environment gets the "
                           "MISCONFIGURATION reason") {
  simulated_environment("small", 2);
  simulated_environment("smaller", 1);
  queue("q", 1, {"small", "smaller"});
  define("big", {4, 10});
  define("gpu", {1, 10, 0, 1});
  auto big = submit_to("q", "big");
  auto record = describe(big);
  CHECK(record.status == job_status::runnable);
  CHECK(record.status_reason
        == "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - CE(s) "
           "associated with the job queue cannot meet the CPU requirement "
           "of the job.");
  REQUIRE(ask<ack>(jobs, cancel_job{big, "too big"}));
  auto gpu = submit_to("q", "gpu");
  CHECK(starts_with(describe(gpu).status_reason,
                    "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - "));
  simulated_environment("smaller", 1, {{gpus_tag, "1"}});
  CHECK(status_of(gpu) == job_status::running);
}

TEST_CASE_FIXTURE(fixture, "DISABLED environments get no new jobs and "
                           "changes of capacity apply at once") {
  simulated_environment("ce", 1);
  queue("q", 1, {"ce"});
  define("d", {1, 60});
  define("long", {1, 120});
  auto first = submit_to("q", "d");
  simulated_environment("ce", 1, {}, "DISABLED");
  auto second = submit_to("q", "d");
  CHECK(status_of(first) == job_status::running);
  advance(2 * minute);
  CHECK(status_of(first) == job_status::succeeded);
  CHECK(status_of(second) == job_status::runnable);

  // More capacity starts waiting jobs at once...
  auto third = submit_to("q", "long");
  simulated_environment("ce", 2);
  CHECK(status_of(second) == job_status::running);
  CHECK(status_of(third) == job_status::running);

  // ...and less keeps them waiting while running jobs finish.
  auto fourth = submit_to("q", "d");
  simulated_environment("ce", 1);
  advance(minute);
  CHECK(status_of(second) == job_status::succeeded);
  CHECK(status_of(fourth) == job_status::runnable);
  advance(minute);
  CHECK(status_of(third) == job_status::succeeded);
  CHECK(status_of(fourth) == job_status::running);
}

TEST_CASE_FIXTURE(fixture, "a DISABLED queue still runs what it holds") {
  simulated_environment("ce", 1);
  auto& record = queue("q", 1, {"ce"});
  define("d", {1, 60});
  auto first = submit_to("q", "d");
  auto second = submit_to("q", "d");
  record.state = "DISABLED";
  publish(record);
  advance(3 * minute);
  CHECK(status_of(first) == job_status::succeeded);
  CHECK(status_of(second) == job_status::succeeded);
}

// -- order --------------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "a FIFO queue starts its jobs in submission "
                           "order") {
  simulated_environment("ce", 2);
  queue("q", 1, {"ce"});
  define("short", {1, 5});
  define("long", {2, 30});
  define("one", {1, 20});
  std::vector<std::string> ids;
  for (auto kind : {"long", "short", "one", "short", "long", "one", "short"})
    ids.push_back(submit_to("q", kind));
  advance(10 * minute);
  CHECK(start_order(ids) == ids);
}

TEST_CASE_FIXTURE(fixture, "queues are served by priority and try their "
                           "environments in order") {
  simulated_environment("first", 1);
  simulated_environment("second", 1);
  queue("low", 1, {"first", "second"});
  queue("high", 10, {"second", "first"});
  define("d", {1, 60});

  // With every environment free, each queue takes its first environment.
  auto low_alone = submit_to("low", "d");
  CHECK(environment_of(low_alone) == "first");
  advance(minute);
  auto high_alone = submit_to("high", "d");
  CHECK(environment_of(high_alone) == "second");
  advance(minute);

  // With both environments busy, the high queue goes first once they free,
  // although the low queue's jobs waited longer.
  std::vector<std::string> low;
  for (int i = 0; i < 4; ++i)
    low.push_back(submit_to("low", "d"));
  std::vector<std::string> high;
  for (int i = 0; i < 2; ++i)
    high.push_back(submit_to("high", "d"));
  advance(minute);
  CHECK(status_of(high[0]) == job_status::running);
  CHECK(status_of(high[1]) == job_status::running);
  CHECK(status_of(low[2]) == job_status::runnable);
  CHECK(status_of(low[3]) == job_status::runnable);
  advance(minute);
  CHECK(status_of(low[2]) == job_status::running);
  CHECK(status_of(low[3]) == job_status::running);
}

// -- fair share ---------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "weights 1 and 0.25 split saturated capacity "
                           "1:4 in vCPU-seconds") {
  simulated_environment("ce", 8);
  fair_queue("q", {"ce"}, policy("p", {{"heavy", 1.0}, {"light", 0.25}}));
  define("d", {1, 30, 0, 0, 1});
  std::vector<std::string> heavy;
  std::vector<std::string> light;
  for (int i = 0; i < 8 * 240; ++i) {
    heavy.push_back(submit_to("q", "d", "heavy"));
    light.push_back(submit_to("q", "d", "light"));
  }
  advance(120 * minute);
  auto ratio = vcpu_seconds(light) / vcpu_seconds(heavy);
  CHECK(ratio == doctest::Approx(4.0).epsilon(0.05));
  CHECK(vcpu_seconds(concat(heavy, light))
        == doctest::Approx(8.0 * 120 * 60).epsilon(0.01));
}

TEST_CASE_FIXTURE(fixture, "a prefix identifier splits its weight among "
                           "the identifiers it matches") {
  simulated_environment("ce", 8);
  fair_queue("q", {"ce"}, policy("p", {{"team*", 1.0}}));
  define("d", {1, 30, 0, 0, 1});
  std::map<std::string, std::vector<std::string>> ids;
  for (int i = 0; i < 8 * 120; ++i)
    for (auto share : {"team1", "team2", "other"})
      ids[share].push_back(submit_to("q", "d", share));
  advance(60 * minute);
  auto other = vcpu_seconds(ids["other"]);
  CHECK(other / vcpu_seconds(ids["team1"])
        == doctest::Approx(2.0).epsilon(0.05));
  CHECK(other / vcpu_seconds(ids["team2"])
        == doctest::Approx(2.0).epsilon(0.05));
}

TEST_CASE_FIXTURE(fixture, "the compute reservation leaves room for a share "
                           "that becomes active") {
  simulated_environment("ce", 8);
  fair_queue("q", {"ce"}, policy("p", {}, 50));
  define("d", {1, 600, 0, 0, 1});
  std::vector<std::string> first;
  for (int i = 0; i < 20; ++i)
    first.push_back(submit_to("q", "d", "first"));

  // One active share: half of the 8 vCPUs stay free.
  CHECK(holding(first) == 4);
  auto waiting = describe(first[4]);
  CHECK(waiting.status == job_status::runnable);
  CHECK(starts_with(waiting.status_reason,
                    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - "
                    "computeReservation keeps 4 of the job queue's 8 vCPUs"));

  // Two active shares: the newcomer starts at once in the room the
  // reservation kept, and a quarter of the capacity stays free.
  advance(minute);
  std::vector<std::string> second;
  for (int i = 0; i < 5; ++i)
    second.push_back(submit_to("q", "d", "second"));
  CHECK(holding(second) >= 1);
  CHECK(holding(first) + holding(second) == 6);

  // Three active shares: an eighth stays free, and the third share's job
  // starts at once too.
  auto third = submit_to("q", "d", "third");
  CHECK(status_of(third) == job_status::running);
  CHECK(holding(concat(first, second)) == 6);
}

TEST_CASE_FIXTURE(fixture, "scheduling priority orders jobs within a share "
                           "only") {
  simulated_environment("ce", 1);
  fair_queue("q", {"ce"}, policy("p", {}));
  define("d", {1, 60});
  auto blocker = submit_to("q", "d", "a", 0);
  auto a_low = submit_to("q", "d", "a", 1);
  auto a_high = submit_to("q", "d", "a", 9);
  auto b_low = submit_to("q", "d", "b", 0);
  auto b_high = submit_to("q", "d", "b", 5);
  advance(10 * minute);
  auto order = start_order({blocker, a_low, a_high, b_low, b_high});
  REQUIRE(order.size() == 5);
  CHECK(order[0] == blocker);
  // Share b used nothing, so its best job beats a's higher priority.
  CHECK(order[1] == b_high);
  auto before = [&](const std::string& x, const std::string& y) {
    return std::find(order.begin(), order.end(), x)
           < std::find(order.begin(), order.end(), y);
  };
  CHECK(before(a_high, a_low));
  CHECK(before(b_high, b_low));
}

TEST_CASE_FIXTURE(fixture, "UpdateSchedulingPolicy takes effect at once") {
  simulated_environment("ce", 1);
  fair_queue("q", {"ce"}, policy("p", {{"b", 0.25}}));
  define("d", {1, 60, 0, 0, 1});
  auto blocker = submit_to("q", "d", "c");
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (int i = 0; i < 3; ++i) {
    a.push_back(submit_to("q", "d", "a"));
    b.push_back(submit_to("q", "d", "b"));
  }
  // Both shares start without usage, so a goes first by name; each job of
  // the lighter share then costs a quarter of one of the other's.
  CHECK(front_ids("q")
        == std::vector<std::string>{a[0], b[0], b[1], b[2], a[1], a[2]});
  policy("p", {{"a", 0.25}});
  CHECK(front_ids("q")
        == std::vector<std::string>{a[0], b[0], a[1], a[2], b[1], b[2]});
  static_cast<void>(blocker);
}

// -- time limits --------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "a head job that waits past a time limit is "
                           "cancelled") {
  simulated_environment("ce", 1);
  auto& record = queue("q", 1, {"ce"});
  record.job_state_time_limit_actions.push_back(
    {"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "RUNNABLE", 600, "CANCEL"});
  publish(record);
  define("d", {1, 3600});
  auto running = submit_to("q", "d");
  advance(5 * minute);
  auto head = submit_to("q", "d");
  auto behind = submit_to("q", "d");
  advance(10 * minute - 1);
  CHECK(status_of(head) == job_status::runnable);
  advance(1);
  auto cancelled = describe(head);
  CHECK(cancelled.status == job_status::failed);
  CHECK(cancelled.is_cancelled);
  CHECK(cancelled.status_reason
        == "Canceled by JobStateTimeLimit action due to reason: "
           "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");

  // The next job's wait is timed from when it reached the head.
  advance(10 * minute - 1);
  CHECK(status_of(behind) == job_status::runnable);
  advance(1);
  CHECK(status_of(behind) == job_status::failed);
  CHECK(status_of(running) == job_status::running);
}

TEST_CASE_FIXTURE(fixture, "a time limit acts only on its own reason") {
  simulated_environment("ce", 1);
  auto& record = queue("q", 1, {"ce"});
  record.job_state_time_limit_actions.push_back(
    {"MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", "RUNNABLE", 900,
     "CANCEL"});
  publish(record);
  define("d", {1, 3600});
  define("big", {2, 10});
  auto running = submit_to("q", "d");
  auto waiting = submit_to("q", "d");
  advance(20 * minute);
  CHECK(status_of(waiting) == job_status::runnable);
  REQUIRE(ask<ack>(jobs, cancel_job{waiting, "not needed"}));
  auto big = submit_to("q", "big");
  advance(15 * minute);
  auto cancelled = describe(big);
  CHECK(cancelled.status == job_status::failed);
  CHECK(cancelled.status_reason
        == "Canceled by JobStateTimeLimit action due to reason: "
           "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE");
  CHECK(status_of(running) == job_status::running);
}

// -- snapshots ----------------------------------------------------------------

TEST_CASE_FIXTURE(fixture, "a FIFO snapshot lists RUNNABLE jobs in "
                           "submission order with their time at position") {
  simulated_environment("ce", 1);
  queue("q", 1, {"ce"});
  define("d", {1, 60});
  auto running = submit_to("q", "d");
  auto queued_at = clock->now_ms();
  std::vector<std::string> waiting;
  for (int i = 0; i < 3; ++i)
    waiting.push_back(submit_to("q", "d"));
  auto first = snapshot("q");
  CHECK(first.last_updated_at == clock->now_ms());
  CHECK(first.used_vcpus == 1);
  CHECK_FALSE(first.fair_share);
  REQUIRE(first.jobs.size() == 3);
  CHECK(front_ids("q") == waiting);
  for (auto& job : first.jobs)
    CHECK(job.earliest_time_at_position == queued_at);

  advance(minute);
  CHECK(status_of(running) == job_status::succeeded);
  auto moved = snapshot("q");
  CHECK(front_ids("q") == std::vector<std::string>{waiting[1], waiting[2]});
  for (auto& job : moved.jobs)
    CHECK(job.earliest_time_at_position == clock->now_ms());
}

TEST_CASE_FIXTURE(fixture, "a fair-share snapshot lists jobs in dispatch "
                           "order") {
  simulated_environment("ce", 1);
  fair_queue("q", {"ce"}, policy("p", {}));
  define("d", {1, 60, 0, 0, 1});
  auto running = submit_to("q", "d", "busy");
  std::vector<std::string> busy;
  std::vector<std::string> idle;
  for (int i = 0; i < 2; ++i)
    busy.push_back(submit_to("q", "d", "busy"));
  auto urgent = submit_to("q", "d", "idle", 5);
  idle.push_back(submit_to("q", "d", "idle"));
  advance(30 * second);
  auto shot = snapshot("q");
  CHECK(shot.fair_share);
  CHECK(shot.active_share_count == 2);
  REQUIRE(shot.busiest_shares.size() == 1);
  CHECK(shot.busiest_shares[0].share_identifier == "busy");
  CHECK(front_ids("q")
        == std::vector<std::string>{urgent, idle[0], busy[0], busy[1]});
  advance(30 * second);
  CHECK(status_of(running) == job_status::succeeded);
  CHECK(status_of(urgent) == job_status::running);
}

} // namespace batch
