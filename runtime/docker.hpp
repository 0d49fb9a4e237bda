// The container engine seam. Supervisors drive containers through the small
// asynchronous `container_engine` interface: every call returns at once and
// reports its outcome later through a callback, from another thread. The
// real engine runs the Docker CLI with Boost.Process (argv only, never a
// shell string) on threads of its own; tests inject a fake that completes
// calls when the test says so.
#pragma once

#include "protocol/executor.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace batch {

// -- identity and arguments --------------------------------------------------

/// What the labels of every container name: the batchd that started it.
struct container_identity {
  /// The server's endpoint `host:port`; label `batchd.endpoint`.
  std::string endpoint;
  /// Unique per batchd process; label `batchd.instance`. Containers of the
  /// same endpoint but another instance were left by an earlier batchd.
  std::string instance_id;
};

/// Returns the container name of an attempt: `batchd-<job id>-<attempt>`
/// with every character Docker does not allow in names replaced by `-`.
std::string container_name(const std::string& job_id, int attempt);

/// Environment variables as name and value.
using environment_list = std::vector<std::pair<std::string, std::string>>;

/// Returns the arguments after `docker` that create the container of
/// `spec`: `create --pull never` (the engine pulls missing images itself),
/// name, labels, limits, mounts, environment (the spec's,
/// then those of `extra_env` whose names the spec does not set), image and
/// command. `--cpus` is capped at `host_cpus` (when above 0), since Docker
/// refuses more CPUs than the host has. Values travel as separate arguments;
/// nothing passes through a shell.
std::vector<std::string>
docker_create_arguments(const attempt_spec& spec,
                        const container_identity& identity,
                        const environment_list& extra_env, int host_cpus = 0);

/// Returns the epoch nanoseconds of an RFC 3339 UTC time as Docker writes
/// it (`2024-05-01T12:00:00.123456789Z`), or nothing if it is not one.
std::optional<int64_t> parse_docker_time(std::string_view text);

// -- the engine --------------------------------------------------------------

/// A container to launch: pull `image` if missing, then create it with
/// `create_arguments`.
struct container_launch {
  std::string image;
  std::string name;
  std::vector<std::string> create_arguments;
};

/// One line that a container wrote.
struct output_line {
  bool is_stderr = false;
  /// When the container wrote the line, in epoch nanoseconds: Docker's
  /// stamps are that fine, which orders the lines of one millisecond.
  int64_t written_ns = 0;
  std::string text;
};

/// What a probe learns about the engine.
struct engine_info {
  std::string version;
  /// The CPUs of the engine's host.
  int cpus = 0;
};

/// Asynchronous access to a container engine. Callbacks run on threads of
/// the engine (or inline); they must be cheap and thread-safe, e.g. an
/// `anon_send` to an actor.
class container_engine {
public:
  template <class T>
  using callback = std::function<void(caf::expected<T>)>;

  /// Receives the outcome of a call without a value; no error is success.
  using done_callback = std::function<void(const caf::error&)>;

  using line_callback = std::function<void(output_line)>;

  virtual ~container_engine() = default;

  /// Checks that the engine answers; replies with what it learned, or an
  /// error whose message says why the engine cannot be used.
  virtual void probe(callback<engine_info> done) = 0;

  /// Pulls the image if missing, creates the container and replies with
  /// its id. The error message is the reason in AWS's style, e.g.
  /// "CannotPullContainerError: <docker's message>".
  virtual void launch(container_launch request, callback<std::string> done) = 0;

  /// Starts a launched container; replies once its process runs. The error
  /// message is "CannotStartContainerError: <docker's message>".
  virtual void start(const std::string& id, done_callback done) = 0;

  /// Calls `on_line` for every line the container writes, from the first
  /// one, until the container exits; then calls `done`.
  virtual void follow_output(const std::string& id, line_callback on_line,
                             done_callback done)
    = 0;

  /// Waits until the container exits and replies with its exit code.
  virtual void wait(const std::string& id, callback<int> done) = 0;

  /// Sends SIGTERM, and SIGKILL after `grace_seconds`.
  virtual void stop(const std::string& id, int grace_seconds,
                    done_callback done)
    = 0;

  /// Removes the container, running or not.
  virtual void remove(const std::string& id, done_callback done) = 0;

  /// Removes every container of `identity.endpoint` that another instance
  /// started (left behind by an earlier batchd) and replies how many.
  /// With `all_instances`, removes this instance's containers too.
  virtual void remove_leftovers(const container_identity& identity,
                                bool all_instances, callback<size_t> done)
    = 0;
};

using container_engine_ptr = std::shared_ptr<container_engine>;

/// How the real engine reaches Docker.
struct docker_options {
  /// The docker CLI: a path, or a name looked up on PATH.
  std::string cli = "docker";
  /// How long `probe` waits for the daemon.
  std::chrono::milliseconds probe_timeout = std::chrono::seconds{5};
  /// How long pulling a missing image may take.
  std::chrono::milliseconds pull_timeout = std::chrono::minutes{15};
  /// How long any other short command (create, start, rm) may take.
  std::chrono::milliseconds command_timeout = std::chrono::minutes{2};
};

/// The Docker CLI behind the engine interface. The environment (DOCKER_HOST
/// and friends) is inherited. Call `shutdown` before the actor system goes
/// away: it ends the CLI processes still running and joins their threads.
class docker_engine : public container_engine {
public:
  explicit docker_engine(docker_options options);

  ~docker_engine() override;

  void probe(callback<engine_info> done) override;
  void launch(container_launch request, callback<std::string> done) override;
  void start(const std::string& id, done_callback done) override;
  void follow_output(const std::string& id, line_callback on_line,
                     done_callback done) override;
  void wait(const std::string& id, callback<int> done) override;
  void stop(const std::string& id, int grace_seconds,
            done_callback done) override;
  void remove(const std::string& id, done_callback done) override;
  void remove_leftovers(const container_identity& identity, bool all_instances,
                        callback<size_t> done) override;

  /// Returns the gateway address of Docker's default bridge network (e.g.
  /// 172.17.0.1), through which containers reach this machine. Blocks.
  caf::expected<std::string> bridge_gateway();

  /// Removes every container of this instance and waits for it. Blocks.
  caf::expected<size_t> remove_all_now(const container_identity& identity);

  /// Stops calling callbacks, ends running CLI processes and joins every
  /// thread. Blocks; idempotent.
  void shutdown();

private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

// -- server-wide settings ----------------------------------------------------

/// The stop timeout of ECS agents, which AWS Batch uses: seconds between
/// SIGTERM and SIGKILL when a job is terminated.
constexpr int default_stop_timeout_seconds = 30;

/// What every region's container executor shares: the engine, the identity
/// in the labels, how a container reaches batchd and how it is stopped.
struct container_runtime_settings {
  container_engine_ptr engine;
  container_identity identity;
  /// Returns the URL containers get as AWS_ENDPOINT_URL, e.g.
  /// `http://172.17.0.1:4566`, or an empty string while batchd cannot be
  /// reached from containers. The URL depends on Docker's bridge network, so
  /// it is found once the engine answers: executors call this after each
  /// successful probe, from the engine's callback. May block; thread-safe.
  std::function<std::string()> endpoint_url;
  /// Seconds between SIGTERM and SIGKILL when an attempt is stopped.
  int stop_timeout_seconds = default_stop_timeout_seconds;
};

using container_runtime_ptr = std::shared_ptr<const container_runtime_settings>;

} // namespace batch
