#include "tests/actor_fixture.hpp"

#include "actors/compute_environments.hpp"

namespace batch {

namespace {

struct fixture : testing::actor_fixture {
  compute_environments_actor directory
    = track(sys.spawn(compute_environments_directory, services()));

  compute_environment_record unmanaged(std::string name, int64_t vcpus) {
    compute_environment_record record;
    record.name = std::move(name);
    record.type = "UNMANAGED";
    record.unmanaged_vcpus = vcpus;
    return record;
  }

  caf::expected<compute_environment_ref> create(std::string name) {
    return ask<compute_environment_ref>(
      directory, create_compute_environment{unmanaged(std::move(name), 4)});
  }
};

} // namespace

TEST_CASE_FIXTURE(fixture, "a created environment is VALID and described") {
  auto ref = create("ce");
  REQUIRE(ref);
  CHECK(ref->arn
        == "arn:aws:batch:us-east-1:000000000000:compute-environment/ce");
  auto page
    = ask<compute_environment_page>(directory, describe_compute_environments{});
  REQUIRE(page);
  REQUIRE(page->items.size() == 1);
  CHECK(page->items[0].status == "VALID");
  CHECK(page->items[0].vcpu_capacity() == 4);
}

TEST_CASE_FIXTURE(fixture,
                  "an environment in use by a queue can't be deleted") {
  REQUIRE(create("ce"));
  auto arn = services().scope.arn("compute-environment", "ce");
  self->send(directory, compute_environment_references{"q", {arn}});
  update_compute_environment disable;
  disable.compute_environment = "ce";
  disable.state = "DISABLED";
  REQUIRE(ask<compute_environment_ref>(directory, disable));
  auto refused = ask<ack>(directory, delete_compute_environment{"ce"});
  CHECK(testing::client_message(refused)
        == "Cannot delete, found existing JobQueue relationship");
  self->send(directory, compute_environment_references{"q", {}});
  CHECK(ask<ack>(directory, delete_compute_environment{"ce"}));
}

TEST_CASE_FIXTURE(fixture, "an ENABLED environment can't be deleted") {
  REQUIRE(create("ce"));
  auto refused = ask<ack>(directory, delete_compute_environment{"ce"});
  CHECK(testing::client_message(refused).find("DISABLED") != std::string::npos);
}

TEST_CASE_FIXTURE(fixture, "duplicate names are refused") {
  REQUIRE(create("ce"));
  CHECK(testing::client_message(create("ce")).find("already exists")
        != std::string::npos);
}

} // namespace batch
