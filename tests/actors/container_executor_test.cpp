#include "tests/actor_fixture.hpp"

#include "actors/container_executor.hpp"
#include "actors/container_supervisor.hpp"
#include "actors/log_store.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <variant>

namespace batch {

namespace {

/// An engine that answers probes, starts, stops and removals at once and
/// holds every other call until the test completes it.
struct fake_engine : container_engine {
  bool answering = true;
  std::vector<std::pair<container_launch, callback<std::string>>> launches;
  struct follower {
    std::string id;
    line_callback on_line;
    done_callback done;
  };
  std::vector<follower> followers;
  std::vector<std::pair<std::string, callback<int>>> waits;
  std::vector<std::pair<std::string, int>> stops;
  std::vector<std::string> started;
  /// Why `docker start` fails; empty when it succeeds.
  std::string start_failure;
  /// Holds starts in `held_starts` instead of completing them.
  bool hold_starts = false;
  std::vector<done_callback> held_starts;
  std::vector<std::string> removed;
  int leftover_cleanups = 0;

  void probe(callback<engine_info> done) override {
    if (answering)
      done(engine_info{"20.10.24", 2});
    else
      done(server_error("Cannot connect to the Docker daemon"));
  }

  void launch(container_launch request, callback<std::string> done) override {
    launches.emplace_back(std::move(request), std::move(done));
  }

  void start(const std::string& id, done_callback done) override {
    started.push_back(id);
    if (hold_starts)
      held_starts.push_back(std::move(done));
    else if (start_failure.empty())
      done(caf::error{});
    else
      done(server_error(start_failure));
  }

  void follow_output(const std::string& id, line_callback on_line,
                     done_callback done) override {
    followers.push_back({id, std::move(on_line), std::move(done)});
  }

  void wait(const std::string& id, callback<int> done) override {
    waits.emplace_back(id, std::move(done));
  }

  void stop(const std::string& id, int grace_seconds,
            done_callback done) override {
    stops.emplace_back(id, grace_seconds);
    done(caf::error{});
  }

  void remove(const std::string& id, done_callback done) override {
    removed.push_back(id);
    done(caf::error{});
  }

  void remove_leftovers(const container_identity&, bool,
                        callback<size_t> done) override {
    ++leftover_cleanups;
    done(size_t{0});
  }
};

struct fixture : testing::actor_fixture {
  std::shared_ptr<fake_engine> engine = std::make_shared<fake_engine>();
  log_store_actor store = track(spawn_log_store(sys, services().scope, clock));

  /// What the host answers when asked for the way back to batchd.
  std::string endpoint = "http://172.17.0.1:4566";
  int stop_timeout = default_stop_timeout_seconds;

  executor_actor spawn_executor() {
    auto settings = std::make_shared<container_runtime_settings>();
    settings->engine = engine;
    settings->identity = {"127.0.0.1:4566", "instance-1"};
    settings->endpoint_url = [this] {
      return endpoint;
    };
    settings->stop_timeout_seconds = stop_timeout;
    container_executor_config config;
    config.runtime = settings;
    config.log_store = store;
    config.clock = clock;
    config.events = caf::actor_cast<caf::actor>(self);
    auto executor = track(spawn_container_executor(sys, std::move(config)));
    sched.run();
    return executor;
  }

  /// Returns the next message of type T that reached the test, if any.
  template <class T>
  std::optional<T> received() {
    std::optional<T> result;
    self->receive([&](T& x) { result = std::move(x); },
                  caf::after(std::chrono::seconds{0}) >> [] {});
    return result;
  }

  /// Returns the first attempt event of kind `T` the executor sent and the
  /// test did not take yet, if any; events of other kinds wait their turn.
  template <class T>
  std::optional<T> received_event() {
    for (auto event = received<job_event>(); event;
         event = received<job_event>())
      events.push_back(std::move(*event));
    for (auto i = events.begin(); i != events.end(); ++i) {
      if (auto x = std::get_if<T>(&i->what)) {
        auto result = std::move(*x);
        events.erase(i);
        return result;
      }
    }
    return std::nullopt;
  }

  /// Attempt events received and not taken yet, oldest first.
  std::deque<job_event> events;

  attempt_spec spec() {
    attempt_spec result;
    result.job_id = "job-1";
    result.attempt = 1;
    result.image = "busybox";
    result.command = {"echo", "hello"};
    result.log_group = "/aws/batch/job";
    result.log_stream = "def/default/job-1";
    return result;
  }

  /// Starts an attempt on an available executor and completes its launch.
  executor_actor running_attempt() {
    auto executor = spawn_executor();
    REQUIRE(received<executor_status>());
    REQUIRE(ask<ack>(executor,
                     run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
    REQUIRE(engine->launches.size() == 1);
    engine->launches[0].second(std::string{"cid"});
    sched.run();
    REQUIRE(received_event<attempt_started>());
    return executor;
  }

  std::vector<std::string> stored_lines() {
    get_log_events request;
    request.group = "/aws/batch/job";
    request.stream = "def/default/job-1";
    std::vector<std::string> result;
    if (auto page = ask<log_events_page>(store, request))
      for (auto& event : page->events)
        result.push_back(event.message);
    return result;
  }
};

bool contains(const std::vector<std::string>& items, const std::string& x) {
  return std::find(items.begin(), items.end(), x) != items.end();
}

} // namespace

TEST_CASE_FIXTURE(fixture,
                  "the executor reports Docker's absence and its return") {
  engine->answering = false;
  auto executor = spawn_executor();
  auto down = received<executor_status>();
  REQUIRE(down);
  CHECK_FALSE(down->available);
  CHECK(down->reason == "Cannot connect to the Docker daemon");
  auto refused = ask<ack>(
    executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)});
  CHECK_FALSE(refused);
  CHECK(engine->launches.empty());
  engine->answering = true;
  sched.trigger_timeouts();
  sched.run();
  auto up = received<executor_status>();
  REQUIRE(up);
  CHECK(up->available);
  CHECK(engine->leftover_cleanups == 1);
  CHECK(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
}

TEST_CASE_FIXTURE(fixture, "an unchanged availability is not reported again") {
  spawn_executor();
  REQUIRE(received<executor_status>());
  sched.trigger_timeouts();
  sched.run();
  CHECK_FALSE(received<executor_status>());
  CHECK(engine->leftover_cleanups == 1);
}

TEST_CASE_FIXTURE(fixture, "containers get the way back to batchd") {
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  REQUIRE(engine->launches.size() == 1);
  auto& args = engine->launches[0].first.create_arguments;
  CHECK(contains(args, "AWS_ENDPOINT_URL=http://172.17.0.1:4566"));
  CHECK(contains(args, "AWS_DEFAULT_REGION=us-east-1"));
  CHECK(contains(args, "AWS_ACCESS_KEY_ID=batchd"));
  CHECK(contains(args, "batchd.job-id=job-1"));
  CHECK(engine->launches[0].first.image == "busybox");
}

TEST_CASE_FIXTURE(fixture, "the way back is found once Docker answers") {
  endpoint.clear();
  engine->answering = false;
  auto executor = spawn_executor();
  REQUIRE(received<executor_status>());
  engine->answering = true;
  endpoint = "http://172.17.0.1:5000";
  sched.trigger_timeouts();
  sched.run();
  REQUIRE(received<executor_status>());
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  auto& args = engine->launches.at(0).first.create_arguments;
  CHECK(contains(args, "AWS_ENDPOINT_URL=http://172.17.0.1:5000"));
}

TEST_CASE_FIXTURE(fixture, "a running container is reported with its start") {
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  CHECK_FALSE(received_event<attempt_started>());
  clock->advance(1500);
  engine->launches[0].second(std::string{"cid"});
  sched.run();
  auto started = received_event<attempt_started>();
  REQUIRE(started);
  CHECK(started->job_id == "job-1");
  CHECK(started->container_id == "cid");
  CHECK(started->started_at == clock->now_ms());
  // The stream exists as soon as the attempt runs, even without output.
  CHECK(stored_lines().empty());
  CHECK(ask<log_events_page>(
    store, get_log_events{"/aws/batch/job", "def/default/job-1"}));
}

TEST_CASE_FIXTURE(fixture,
                  "output is stored while the container runs and the exit "
                  "is reported once all output is in") {
  running_attempt();
  REQUIRE(engine->followers.size() == 1);
  REQUIRE(engine->waits.size() == 1);
  engine->followers[0].on_line({false, 1000, "hello"});
  sched.run();
  CHECK(stored_lines() == std::vector<std::string>{"hello"});
  clock->advance(2000);
  engine->waits[0].second(3);
  sched.run();
  CHECK_FALSE(received_event<attempt_exited>());
  engine->followers[0].on_line({true, 1001, "bye"});
  engine->followers[0].done(caf::error{});
  sched.run();
  auto exited = received_event<attempt_exited>();
  REQUIRE(exited);
  CHECK(exited->exit_code == 3);
  CHECK(exited->stopped_at == clock->now_ms());
  CHECK_FALSE(exited->stopped_by_request);
  CHECK(stored_lines() == std::vector<std::string>{"hello", "bye"});
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture, "the exit is reported when output never ends") {
  running_attempt();
  engine->waits[0].second(0);
  sched.run();
  CHECK_FALSE(received_event<attempt_exited>());
  sched.trigger_timeouts();
  sched.run();
  auto exited = received_event<attempt_exited>();
  REQUIRE(exited);
  CHECK(exited->exit_code == 0);
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture,
                  "a stop sends SIGTERM with the grace period and the exit "
                  "says it was requested") {
  auto executor = running_attempt();
  self->send(executor, stop_attempt{"job-1", 1, "Terminated by user"});
  sched.run();
  REQUIRE(engine->stops.size() == 1);
  CHECK(engine->stops[0] == std::make_pair(std::string{"cid"}, 30));
  engine->waits[0].second(143);
  engine->followers[0].done(caf::error{});
  sched.run();
  auto exited = received_event<attempt_exited>();
  REQUIRE(exited);
  CHECK(exited->exit_code == 143);
  CHECK(exited->stopped_by_request);
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture, "the attempt starts when docker start is issued, "
                           "so no output precedes it") {
  engine->hold_starts = true;
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  engine->launches[0].second(std::string{"cid"});
  sched.run();
  REQUIRE(engine->started == std::vector<std::string>{"cid"});
  auto issued = clock->now_ms();
  clock->advance(200);
  CHECK_FALSE(received_event<attempt_started>());
  engine->held_starts[0](caf::error{});
  sched.run();
  auto started = received_event<attempt_started>();
  REQUIRE(started);
  CHECK(started->started_at == issued);
}

TEST_CASE_FIXTURE(fixture, "a start failure fails the attempt and removes "
                           "the container") {
  engine->start_failure = "CannotStartContainerError: no such device";
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  engine->launches[0].second(std::string{"cid"});
  sched.run();
  auto failed = received_event<attempt_failed>();
  REQUIRE(failed);
  CHECK(failed->reason == "CannotStartContainerError: no such device");
  CHECK_FALSE(failed->runtime_unavailable);
  CHECK_FALSE(received_event<attempt_started>());
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture, "a stop while the container starts stops it once "
                           "it runs, with the server's stop timeout") {
  stop_timeout = 5;
  engine->hold_starts = true;
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  engine->launches[0].second(std::string{"cid"});
  sched.run();
  self->send(executor, stop_attempt{"job-1", 1, "Terminated by user"});
  sched.run();
  CHECK(engine->stops.empty());
  engine->held_starts[0](caf::error{});
  sched.run();
  REQUIRE(received_event<attempt_started>());
  REQUIRE(engine->stops.size() == 1);
  CHECK(engine->stops[0] == std::make_pair(std::string{"cid"}, 5));
}

TEST_CASE_FIXTURE(fixture, "a launch failure fails the attempt with its "
                           "reason") {
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  engine->launches[0].second(
    server_error("CannotPullContainerError: pull access denied"));
  sched.run();
  auto failed = received_event<attempt_failed>();
  REQUIRE(failed);
  CHECK(failed->reason == "CannotPullContainerError: pull access denied");
  CHECK_FALSE(failed->runtime_unavailable);
  CHECK_FALSE(received_event<attempt_started>());
  CHECK(engine->removed.empty());
}

TEST_CASE_FIXTURE(fixture, "a launch that fails because Docker went away "
                           "blames the runtime") {
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  engine->answering = false;
  engine->launches[0].second(
    server_error("CannotCreateContainerError: Cannot connect"));
  sched.run();
  auto failed = received_event<attempt_failed>();
  REQUIRE(failed);
  CHECK(failed->runtime_unavailable);
}

TEST_CASE_FIXTURE(fixture, "a stop before the container runs fails the "
                           "attempt and removes the container") {
  auto executor = spawn_executor();
  REQUIRE(
    ask<ack>(executor, run_attempt{spec(), caf::actor_cast<caf::actor>(self)}));
  self->send(executor, stop_attempt{"job-1", 1, "Terminated by user"});
  sched.run();
  engine->launches[0].second(std::string{"cid"});
  sched.run();
  auto failed = received_event<attempt_failed>();
  REQUIRE(failed);
  CHECK(failed->reason == "Terminated by user");
  CHECK_FALSE(received_event<attempt_started>());
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture, "containers go when the executor goes") {
  auto executor = running_attempt();
  caf::anon_send_exit(executor, caf::exit_reason::user_shutdown);
  sched.run();
  CHECK(engine->removed == std::vector<std::string>{"cid"});
}

TEST_CASE_FIXTURE(fixture, "a repeated run_attempt starts one container") {
  auto executor = spawn_executor();
  auto job = caf::actor_cast<caf::actor>(self);
  REQUIRE(ask<ack>(executor, run_attempt{spec(), job}));
  REQUIRE(ask<ack>(executor, run_attempt{spec(), job}));
  CHECK(engine->launches.size() == 1);
}

TEST_CASE_FIXTURE(testing::actor_fixture,
                  "without a container runtime every attempt is refused") {
  caf::actor listener = caf::actor_cast<caf::actor>(self);
  container_executor_config config;
  config.events = listener;
  auto executor = track(spawn_container_executor(sys, config));
  sched.run();
  std::optional<executor_status> status;
  self->receive([&](executor_status& x) { status = x; },
                caf::after(std::chrono::seconds{0}) >> [] {});
  REQUIRE(status);
  CHECK_FALSE(status->available);
  attempt_spec spec;
  CHECK_FALSE(ask<ack>(executor, run_attempt{spec, listener}));
}

} // namespace batch
