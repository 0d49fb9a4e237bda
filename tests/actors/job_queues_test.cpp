// The job queue directory: references to compute environments and
// scheduling policies, state rules, lookup and events.
#include "tests/actor_fixture.hpp"

#include "actors/compute_environments.hpp"
#include "actors/job_queues.hpp"
#include "actors/scheduling_policies.hpp"

namespace batch {

namespace {

struct fixture : testing::actor_fixture {
  region_services with_events() {
    auto result = services();
    result.events = caf::actor_cast<caf::actor>(self);
    return result;
  }

  compute_environments_actor environments
    = track(sys.spawn(compute_environments_directory, services()));
  scheduling_policies_actor policies
    = track(sys.spawn(scheduling_policies_directory, services()));
  job_queues_actor queues = track(
    sys.spawn(job_queues_directory, with_events(), environments, policies));

  std::string environment_arn(const std::string& name) {
    return services().scope.arn("compute-environment", name);
  }

  std::string policy_arn(const std::string& name) {
    return services().scope.arn("scheduling-policy", name);
  }

  void add_environment(const std::string& name, const std::string& type) {
    compute_environment_record record;
    record.name = name;
    record.type = "MANAGED";
    record.compute_resources = json{{"type", type}, {"maxvCpus", 4}}.dump();
    REQUIRE(ask<compute_environment_ref>(environments,
                                         create_compute_environment{record}));
  }

  void add_policy(const std::string& name) {
    scheduling_policy_record record;
    record.name = name;
    record.has_fairshare_policy = true;
    REQUIRE(
      ask<scheduling_policy_ref>(policies, create_scheduling_policy{record}));
  }

  /// A queue on the environments `names` (orders 1, 2, ...).
  job_queue_record queue(const std::string& name,
                         std::vector<std::string> names,
                         std::optional<std::string> policy = std::nullopt) {
    job_queue_record record;
    record.name = name;
    record.priority = 1;
    record.scheduling_policy_arn = std::move(policy);
    int64_t order = 0;
    for (auto& environment : names)
      record.compute_environment_order.push_back({++order, environment});
    return record;
  }

  caf::expected<job_queue_ref> create(job_queue_record record) {
    return ask<job_queue_ref>(queues, create_job_queue{std::move(record)});
  }

  caf::expected<job_queue_ref> update(update_job_queue request) {
    return ask<job_queue_ref>(queues, std::move(request));
  }

  caf::expected<job_queue_ref> set_state(const std::string& name,
                                         const std::string& state) {
    update_job_queue request;
    request.job_queue = name;
    request.state = state;
    return update(request);
  }

  /// Disables the environment `name` and tries to delete it.
  caf::expected<ack> delete_environment(const std::string& name) {
    update_compute_environment disable;
    disable.compute_environment = name;
    disable.state = "DISABLED";
    REQUIRE(ask<compute_environment_ref>(environments, disable));
    return ask<ack>(environments, delete_compute_environment{name});
  }

  caf::expected<ack> delete_policy(const std::string& name) {
    return ask<ack>(policies, delete_scheduling_policy{policy_arn(name)});
  }

  caf::expected<job_queue_record> resolve(const std::string& name) {
    return ask<job_queue_record>(queues, resolve_job_queue{name});
  }

  /// Returns the next event the directory published, if any.
  template <class Event>
  std::optional<Event> next_event() {
    std::optional<Event> result;
    self->receive([&](Event& event) { result = std::move(event); },
                  caf::after(std::chrono::seconds(0)) >> [] {});
    return result;
  }
};

constexpr auto in_use = "Cannot delete, found existing JobQueue relationship";

} // namespace

TEST_CASE_FIXTURE(fixture, "a queue refers to its environments by ARN, in "
                           "ascending order") {
  add_environment("a", "EC2");
  add_environment("b", "SPOT");
  auto record = queue("q", {"b", environment_arn("a")});
  record.compute_environment_order[0].order = 5;
  auto ref = create(record);
  REQUIRE(ref);
  CHECK(ref->arn == "arn:aws:batch:us-east-1:000000000000:job-queue/q");
  auto stored = resolve("q");
  REQUIRE(stored);
  REQUIRE(stored->compute_environment_order.size() == 2);
  CHECK(stored->compute_environment_order[0].compute_environment
        == environment_arn("a"));
  CHECK(stored->compute_environment_order[1].order == 5);
  CHECK(stored->compute_environment_order[1].compute_environment
        == environment_arn("b"));
  CHECK(stored->job_queue_type == "ECS");
  CHECK(stored->status == "VALID");
}

TEST_CASE_FIXTURE(fixture, "an environment used by a queue can't be deleted "
                           "until the queue is gone") {
  add_environment("a", "EC2");
  REQUIRE(create(queue("q", {"a"})));
  CHECK(testing::client_message(delete_environment("a")) == in_use);
  REQUIRE(set_state("q", "DISABLED"));
  REQUIRE(ask<ack>(queues, delete_job_queue{"q"}));
  CHECK(ask<ack>(environments, delete_compute_environment{"a"}));
}

TEST_CASE_FIXTURE(fixture, "a queue on an unknown environment is refused and "
                           "claims nothing") {
  add_environment("a", "EC2");
  auto refused = create(queue("q", {"a", "missing"}));
  CHECK(testing::client_message(refused)
        == "ComputeEnvironment " + environment_arn("missing") + " not found.");
  CHECK(testing::client_message(resolve("q")) == "JobQueue q not found.");
  CHECK(delete_environment("a"));
}

TEST_CASE_FIXTURE(fixture, "EC2 and Fargate environments can't share a "
                           "queue") {
  add_environment("a", "EC2");
  add_environment("f", "FARGATE");
  CHECK(
    testing::client_message(create(queue("q", {"a", "f"}))).find("can't mix")
    != std::string::npos);
  auto typed = queue("q", {"f"});
  typed.job_queue_type = "ECS";
  CHECK(testing::client_message(create(typed)).find("does not match")
        != std::string::npos);
  REQUIRE(create(queue("q", {"f"})));
  CHECK(resolve("q")->job_queue_type == "ECS_FARGATE");
}

TEST_CASE_FIXTURE(fixture, "a policy used by a queue can't be deleted") {
  add_environment("a", "EC2");
  add_policy("p");
  REQUIRE(create(queue("q", {"a"}, policy_arn("p"))));
  CHECK(testing::client_message(delete_policy("p")) == in_use);
  REQUIRE(set_state("q", "DISABLED"));
  REQUIRE(ask<ack>(queues, delete_job_queue{"q"}));
  CHECK(delete_policy("p"));
}

TEST_CASE_FIXTURE(fixture, "a queue's policy must exist") {
  add_environment("a", "EC2");
  auto refused = create(queue("q", {"a"}, policy_arn("nope")));
  CHECK(testing::client_message(refused)
        == "SchedulingPolicy " + policy_arn("nope") + " not found.");
  CHECK(delete_environment("a"));
}

TEST_CASE_FIXTURE(fixture, "a replaced policy is released, the new one is "
                           "held") {
  add_environment("a", "EC2");
  add_policy("old");
  add_policy("new");
  REQUIRE(create(queue("q", {"a"}, policy_arn("old"))));
  update_job_queue replace;
  replace.job_queue = "q";
  replace.scheduling_policy_arn = policy_arn("new");
  REQUIRE(update(replace));
  CHECK(resolve("q")->scheduling_policy_arn == policy_arn("new"));
  CHECK(delete_policy("old"));
  CHECK(testing::client_message(delete_policy("new")) == in_use);
}

TEST_CASE_FIXTURE(fixture, "a failed replacement keeps the old policy "
                           "held") {
  add_environment("a", "EC2");
  add_policy("old");
  REQUIRE(create(queue("q", {"a"}, policy_arn("old"))));
  update_job_queue replace;
  replace.job_queue = "q";
  replace.scheduling_policy_arn = policy_arn("missing");
  CHECK_FALSE(update(replace));
  CHECK(resolve("q")->scheduling_policy_arn == policy_arn("old"));
  CHECK(testing::client_message(delete_policy("old")) == in_use);
}

TEST_CASE_FIXTURE(fixture, "a FIFO queue can't get a policy later") {
  add_environment("a", "EC2");
  add_policy("p");
  REQUIRE(create(queue("q", {"a"})));
  update_job_queue add;
  add.job_queue = "q";
  add.scheduling_policy_arn = policy_arn("p");
  CHECK(testing::client_message(update(add)).find("FIFO") != std::string::npos);
  CHECK(delete_policy("p"));
}

TEST_CASE_FIXTURE(fixture, "changing the environments moves the "
                           "references") {
  add_environment("a", "EC2");
  add_environment("b", "EC2");
  REQUIRE(create(queue("q", {"a"})));
  update_job_queue move;
  move.job_queue = "q";
  move.compute_environment_order
    = std::vector<compute_environment_order_entry>{{1, "b"}};
  move.priority = 10;
  REQUIRE(update(move));
  auto stored = resolve(services().scope.arn("job-queue", "q"));
  REQUIRE(stored);
  CHECK(stored->priority == 10);
  CHECK(stored->compute_environment_order[0].compute_environment
        == environment_arn("b"));
  CHECK(delete_environment("a"));
  CHECK(testing::client_message(delete_environment("b")) == in_use);
}

TEST_CASE_FIXTURE(fixture, "an ENABLED queue can't be deleted") {
  add_environment("a", "EC2");
  REQUIRE(create(queue("q", {"a"})));
  auto refused = ask<ack>(queues, delete_job_queue{"q"});
  CHECK(testing::client_message(refused).find("DISABLED") != std::string::npos);
  CHECK(resolve("q"));
}

TEST_CASE_FIXTURE(fixture, "duplicate names are refused") {
  add_environment("a", "EC2");
  REQUIRE(create(queue("q", {"a"})));
  CHECK(testing::client_message(create(queue("q", {"a"}))).find("exists")
        != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "a region holds at most 50 queues") {
  add_environment("a", "EC2");
  for (int i = 0; i < 50; ++i)
    REQUIRE(create(queue("q" + std::to_string(i), {"a"})));
  CHECK(testing::client_message(create(queue("q50", {"a"}))).find("50")
        != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "describe pages through queues in name order") {
  add_environment("a", "EC2");
  for (auto name : {"c", "a", "b"})
    REQUIRE(create(queue(name, {"a"})));
  describe_job_queues first;
  first.max_results = 2;
  auto page = ask<job_queue_page>(queues, first);
  REQUIRE(page);
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[1].name == "b");
  REQUIRE_FALSE(page->next_token.empty());
  describe_job_queues second;
  second.next_token = page->next_token;
  auto rest = ask<job_queue_page>(queues, second);
  REQUIRE(rest);
  REQUIRE(rest->items.size() == 1);
  CHECK(rest->items[0].name == "c");
  CHECK(rest->next_token.empty());
}

TEST_CASE_FIXTURE(fixture, "tags change the queue's record") {
  add_environment("a", "EC2");
  auto ref = create(queue("q", {"a"}));
  REQUIRE(ref);
  REQUIRE(ask<ack>(queues, tag_resource{ref->arn, {{"k", "v"}}}));
  CHECK(ask<tag_map>(queues, list_tags{ref->arn}) == tag_map{{"k", "v"}});
  REQUIRE(ask<ack>(queues, untag_resource{ref->arn, {"k"}}));
  CHECK(resolve("q")->tags.empty());
}

TEST_CASE_FIXTURE(fixture, "the directory publishes changes and removals") {
  add_environment("a", "EC2");
  REQUIRE(create(queue("q", {"a"})));
  auto created = next_event<job_queue_changed>();
  REQUIRE(created);
  CHECK(created->record.state == "ENABLED");
  REQUIRE(set_state("q", "DISABLED"));
  auto disabled = next_event<job_queue_changed>();
  REQUIRE(disabled);
  CHECK(disabled->record.state == "DISABLED");
  REQUIRE(ask<ack>(queues, delete_job_queue{"q"}));
  auto removed = next_event<job_queue_removed>();
  REQUIRE(removed);
  CHECK(removed->arn == services().scope.arn("job-queue", "q"));
}

} // namespace batch
