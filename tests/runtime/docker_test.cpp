#include "runtime/docker.hpp"

#include <doctest/doctest.h>

#include <algorithm>

namespace batch {

namespace {

attempt_spec minimal_spec() {
  attempt_spec spec;
  spec.job_id = "0f6c2d1e-1111-2222-3333-444455556666";
  spec.attempt = 2;
  spec.image = "busybox:latest";
  spec.vcpus = 0;
  return spec;
}

const container_identity identity{"127.0.0.1:4566", "instance-1"};

/// Returns the value that follows each occurrence of `flag`.
std::vector<std::string> values_of(const std::vector<std::string>& args,
                                   const std::string& flag) {
  std::vector<std::string> result;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag)
      result.push_back(args[i + 1]);
  return result;
}

bool contains(const std::vector<std::string>& args, const std::string& arg) {
  return std::find(args.begin(), args.end(), arg) != args.end();
}

} // namespace

TEST_CASE("container names derive from the job id and attempt") {
  CHECK(container_name("abc-123", 1) == "batchd-abc-123-1");
  CHECK(container_name("abc-123:7", 3) == "batchd-abc-123-7-3");
}

TEST_CASE("a minimal attempt creates a labelled container running the image") {
  auto args = docker_create_arguments(minimal_spec(), identity, {});
  CHECK(args.front() == "create");
  // The engine pulls a missing image itself, to fail in AWS's words.
  CHECK(values_of(args, "--pull") == std::vector<std::string>{"never"});
  CHECK(values_of(args, "--name")
        == std::vector<std::string>{
          "batchd-0f6c2d1e-1111-2222-3333-444455556666-2"});
  CHECK(values_of(args, "--label")
        == std::vector<std::string>{
          "batchd.managed=true", "batchd.endpoint=127.0.0.1:4566",
          "batchd.instance=instance-1",
          "batchd.job-id=0f6c2d1e-1111-2222-3333-444455556666",
          "batchd.attempt=2"});
  CHECK(args.back() == "busybox:latest");
  CHECK(values_of(args, "--cpus").empty());
  CHECK(values_of(args, "--memory").empty());
  CHECK(values_of(args, "--gpus").empty());
  CHECK_FALSE(contains(args, "--privileged"));
  CHECK_FALSE(contains(args, "--read-only"));
  CHECK_FALSE(contains(args, "--init"));
}

TEST_CASE("the command follows the image, one argument per element") {
  auto spec = minimal_spec();
  spec.command = {"sh", "-c", "echo $HOME; exit 3"};
  auto args = docker_create_arguments(spec, identity, {});
  std::vector<std::string> tail{args.end() - 4, args.end()};
  CHECK(tail
        == std::vector<std::string>{"busybox:latest", "sh", "-c",
                                    "echo $HOME; exit 3"});
}

TEST_CASE("limits, user and flags map to docker options") {
  auto spec = minimal_spec();
  spec.vcpus = 0.25;
  spec.memory_mib = 512;
  spec.gpus = 1;
  spec.user = "nobody";
  spec.privileged = true;
  spec.read_only_root_filesystem = true;
  spec.init_process = true;
  spec.shared_memory_mib = 64;
  spec.ulimits = {{"nofile", 1024, 4096}};
  spec.mounts = {{"/data", "/mnt/data", true}, {"/tmp/x", "/x", false}};
  auto args = docker_create_arguments(spec, identity, {});
  CHECK(values_of(args, "--cpus") == std::vector<std::string>{"0.25"});
  CHECK(values_of(args, "--memory") == std::vector<std::string>{"512m"});
  CHECK(values_of(args, "--gpus") == std::vector<std::string>{"1"});
  CHECK(values_of(args, "--user") == std::vector<std::string>{"nobody"});
  CHECK(contains(args, "--privileged"));
  CHECK(contains(args, "--read-only"));
  CHECK(contains(args, "--init"));
  CHECK(values_of(args, "--shm-size") == std::vector<std::string>{"64m"});
  CHECK(values_of(args, "--ulimit")
        == std::vector<std::string>{"nofile=1024:4096"});
  CHECK(values_of(args, "-v")
        == std::vector<std::string>{"/data:/mnt/data:ro", "/tmp/x:/x"});
}

TEST_CASE("vCPUs are capped at the host's CPUs") {
  auto spec = minimal_spec();
  spec.vcpus = 16;
  auto args = docker_create_arguments(spec, identity, {}, 2);
  CHECK(values_of(args, "--cpus") == std::vector<std::string>{"2"});
}

TEST_CASE("environment values travel verbatim; the job's own names win") {
  auto spec = minimal_spec();
  spec.environment = {{"GREETING", "hello; rm -rf / $(x) \"q\""},
                      {"AWS_DEFAULT_REGION", "eu-west-1"}};
  auto args
    = docker_create_arguments(spec, identity,
                              {{"AWS_ENDPOINT_URL", "http://172.17.0.1:4566"},
                               {"AWS_DEFAULT_REGION", "us-east-1"}});
  CHECK(values_of(args, "-e")
        == std::vector<std::string>{"GREETING=hello; rm -rf / $(x) \"q\"",
                                    "AWS_DEFAULT_REGION=eu-west-1",
                                    "AWS_ENDPOINT_URL=http://172.17.0.1:4566"});
}

TEST_CASE("Docker's timestamps parse to epoch nanoseconds") {
  CHECK(parse_docker_time("2024-05-01T12:00:00.123456789Z")
        == int64_t{1714564800123456789});
  CHECK(parse_docker_time("2024-05-01T12:00:00Z")
        == int64_t{1714564800000000000});
  CHECK(parse_docker_time("2024-05-01T12:00:00.5Z")
        == int64_t{1714564800500000000});
  CHECK_FALSE(parse_docker_time("hello world"));
  CHECK_FALSE(parse_docker_time("2024-05-01T12:00:00+02:00"));
}

} // namespace batch
