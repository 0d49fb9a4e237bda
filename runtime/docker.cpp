// The Docker CLI as a container engine: the arguments of `docker create`
// built from an attempt (a pure function), and the engine that runs the CLI
// on threads of its own and reports through callbacks.
#include "runtime/docker.hpp"

#include "protocol/errors.hpp"
#include "runtime/logging.hpp"
#include "runtime/process.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <ifaddrs.h>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <thread>

namespace batch {

namespace {

/// How long a sweep waits before it looks again at containers that another
/// command is removing.
constexpr auto removal_recheck_interval = std::chrono::milliseconds{100};

spdlog::logger& logger() {
  static auto& instance = component_logger("docker");
  return instance;
}

std::string trim(std::string text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/// Returns Docker's complaint in one line, without its boilerplate prefix.
std::string docker_message(const process_output& output) {
  std::istringstream lines{output.err.empty() ? output.out : output.err};
  std::string result;
  for (std::string line; std::getline(lines, line);) {
    line = trim(line);
    constexpr std::string_view prefix = "Error response from daemon: ";
    if (line.compare(0, prefix.size(), prefix) == 0)
      line.erase(0, prefix.size());
    if (line.empty())
      continue;
    result += result.empty() ? line : "; " + line;
  }
  if (result.empty())
    return "docker exited with code " + std::to_string(output.exit_code);
  return result;
}

std::string format_cpus(double cpus) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", cpus);
  std::string text{buf};
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.')
    text.pop_back();
  return text;
}

void add_option(std::vector<std::string>& args, const char* flag,
                std::string value) {
  args.emplace_back(flag);
  args.push_back(std::move(value));
}

/// Returns the IPv4 address of the network interface `name`.
std::optional<std::string> interface_address(const std::string& name) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0)
    return std::nullopt;
  std::optional<std::string> result;
  for (auto* i = list; i != nullptr && !result; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET
        || name != i->ifa_name)
      continue;
    char buf[INET_ADDRSTRLEN];
    auto* addr = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
    if (inet_ntop(AF_INET, &addr->sin_addr, buf, sizeof(buf)))
      result = buf;
  }
  freeifaddrs(list);
  return result;
}

} // namespace

// -- arguments
// -----------------------------------------------------------------

std::string container_name(const std::string& job_id, int attempt) {
  std::string result = "batchd-";
  for (char c : job_id) {
    bool allowed = std::isalnum(static_cast<unsigned char>(c)) || c == '_'
                   || c == '.' || c == '-';
    result += allowed ? c : '-';
  }
  return result + "-" + std::to_string(attempt);
}

std::vector<std::string>
docker_create_arguments(const attempt_spec& spec,
                        const container_identity& identity,
                        const environment_list& extra_env, int host_cpus) {
  std::vector<std::string> args{"create", "--pull", "never"};
  add_option(args, "--name", container_name(spec.job_id, spec.attempt));
  add_option(args, "--label", "batchd.managed=true");
  add_option(args, "--label", "batchd.endpoint=" + identity.endpoint);
  add_option(args, "--label", "batchd.instance=" + identity.instance_id);
  add_option(args, "--label", "batchd.job-id=" + spec.job_id);
  add_option(args, "--label", "batchd.attempt=" + std::to_string(spec.attempt));
  // `docker logs` needs a driver that keeps the output on the host.
  add_option(args, "--log-driver", "json-file");
  auto cpus = spec.vcpus;
  if (host_cpus > 0)
    cpus = std::min(cpus, static_cast<double>(host_cpus));
  if (cpus > 0)
    add_option(args, "--cpus", format_cpus(cpus));
  if (spec.memory_mib > 0)
    add_option(args, "--memory", std::to_string(spec.memory_mib) + "m");
  if (spec.gpus > 0)
    add_option(args, "--gpus", std::to_string(spec.gpus));
  if (spec.user)
    add_option(args, "--user", *spec.user);
  if (spec.privileged)
    args.emplace_back("--privileged");
  if (spec.read_only_root_filesystem)
    args.emplace_back("--read-only");
  if (spec.init_process)
    args.emplace_back("--init");
  if (spec.shared_memory_mib)
    add_option(args, "--shm-size",
               std::to_string(*spec.shared_memory_mib) + "m");
  for (auto& mount : spec.mounts)
    add_option(args, "-v",
               mount.host_path + ":" + mount.container_path
                 + (mount.read_only ? ":ro" : ""));
  for (auto& limit : spec.ulimits)
    add_option(args, "--ulimit",
               limit.name + "=" + std::to_string(limit.soft_limit) + ":"
                 + std::to_string(limit.hard_limit));
  for (auto& [name, value] : spec.environment)
    add_option(args, "-e", name + "=" + value);
  for (auto& [name, value] : extra_env) {
    auto& env = spec.environment;
    auto set = std::any_of(env.begin(), env.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (!set)
      add_option(args, "-e", name + "=" + value);
  }
  args.push_back(spec.image);
  args.insert(args.end(), spec.command.begin(), spec.command.end());
  return args;
}

std::optional<int64_t> parse_docker_time(std::string_view text) {
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T'
      || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  std::tm tm{};
  auto number = [&](size_t pos, size_t len) {
    int value = 0;
    for (auto i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i])))
        return -1;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  int fields[] = {number(0, 4),  number(5, 2),  number(8, 2),
                  number(11, 2), number(14, 2), number(17, 2)};
  if (std::any_of(std::begin(fields), std::end(fields),
                  [](int x) { return x < 0; }))
    return std::nullopt;
  tm.tm_year = fields[0] - 1900;
  tm.tm_mon = fields[1] - 1;
  tm.tm_mday = fields[2];
  tm.tm_hour = fields[3];
  tm.tm_min = fields[4];
  tm.tm_sec = fields[5];
  constexpr int fraction_digits = 9;
  int64_t nanos = 0;
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    int digits = 0;
    for (++pos; pos < text.size() && std::isdigit(text[pos]); ++pos)
      if (digits++ < fraction_digits)
        nanos = nanos * 10 + (text[pos] - '0');
    for (; digits < fraction_digits; ++digits)
      nanos *= 10;
  }
  if (pos >= text.size() || text[pos] != 'Z')
    return std::nullopt;
  return static_cast<int64_t>(timegm(&tm)) * 1'000'000'000 + nanos;
}

// -- the engine
// ----------------------------------------------------------------

struct docker_engine::impl {
  explicit impl(docker_options opts) : options(std::move(opts)) {
    // nop
  }

  /// Runs `task` on a thread of its own, unless the engine shut down.
  void spawn(std::function<void()> task) {
    std::lock_guard<std::mutex> guard{mutex};
    reap();
    if (closed)
      return;
    auto id = next_task++;
    running.emplace(id, std::thread{[this, id, task = std::move(task)] {
                      task();
                      std::lock_guard<std::mutex> guard{mutex};
                      finished.push_back(id);
                    }});
  }

  /// Joins threads that finished. Requires `mutex`.
  void reap() {
    for (auto id : finished) {
      auto i = running.find(id);
      i->second.join();
      running.erase(i);
    }
    finished.clear();
  }

  /// Runs a short docker command.
  caf::expected<process_output> docker(const std::vector<std::string>& args,
                                       std::chrono::milliseconds timeout) {
    if (stopping)
      return server_error("the container engine is shutting down");
    auto cli = resolve_program(options.cli);
    if (!cli)
      return std::move(cli.error());
    return run_process(*cli, args, timeout, &processes);
  }

  /// Runs a docker command and returns its trimmed stdout, or Docker's
  /// message prefixed with `failure`.
  caf::expected<std::string> query(const std::vector<std::string>& args,
                                   std::chrono::milliseconds timeout,
                                   const std::string& failure = {}) {
    auto output = docker(args, timeout);
    if (!output)
      return server_error(failure + to_wire_error(output.error()).message);
    if (output->exit_code != 0)
      return server_error(failure + docker_message(*output));
    return trim(output->out);
  }

  /// Calls `done` unless the engine is shutting down.
  template <class F, class... Ts>
  void reply(const F& done, Ts&&... xs) {
    if (!stopping)
      done(std::forward<Ts>(xs)...);
  }

  caf::expected<engine_info> probe();
  caf::expected<std::string> launch(const container_launch& request);
  caf::error follow(const std::string& id,
                    const container_engine::line_callback& on_line);
  /// Returns the ids of the containers `remove_leftovers` removes.
  caf::expected<std::vector<std::string>>
  list_leftovers(const container_identity& identity, bool all_instances);

  caf::expected<size_t> remove_leftovers(const container_identity& identity,
                                         bool all_instances);

  docker_options options;
  process_tracker processes;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::map<uint64_t, std::thread> running;
  std::vector<uint64_t> finished;
  uint64_t next_task = 0;
  bool closed = false;
};

caf::expected<engine_info> docker_engine::impl::probe() {
  auto text = query({"info", "--format", "{{.ServerVersion}} {{.NCPU}}"},
                    options.probe_timeout);
  if (!text)
    return std::move(text.error());
  engine_info info;
  std::istringstream fields{*text};
  fields >> info.version >> info.cpus;
  if (info.version.empty())
    return server_error("the Docker daemon did not report its version");
  return info;
}

caf::expected<std::string>
docker_engine::impl::launch(const container_launch& request) {
  // Creating first saves a round trip when the image is present, as it
  // nearly always is; `--pull never` makes a missing one fail fast.
  auto create = [&] {
    return docker(request.create_arguments, options.command_timeout);
  };
  auto created = create();
  if (created && created->exit_code != 0
      && docker_message(*created).find("No such image") != std::string::npos) {
    logger().info("pulling image={}", request.image);
    auto pulled = query({"pull", "--quiet", request.image},
                        options.pull_timeout, "CannotPullContainerError: ");
    if (!pulled)
      return std::move(pulled.error());
    created = create();
  }
  constexpr const char* failure = "CannotCreateContainerError: ";
  if (!created)
    return server_error(failure + to_wire_error(created.error()).message);
  if (created->exit_code != 0)
    return server_error(failure + docker_message(*created));
  return trim(created->out);
}

caf::error
docker_engine::impl::follow(const std::string& id,
                            const container_engine::line_callback& on_line) {
  auto cli = resolve_program(options.cli);
  if (!cli)
    return std::move(cli.error());
  auto forward = [&](bool is_stderr, std::string line) {
    output_line out{is_stderr, 0, {}};
    auto space = line.find(' ');
    auto stamp = parse_docker_time(std::string_view{line}.substr(0, space));
    if (stamp && space != std::string::npos) {
      out.written_ns = *stamp;
      out.text = line.substr(space + 1);
    } else {
      out.written_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
      out.text = std::move(line);
    }
    // CloudWatch keeps no empty events; the awslogs driver drops them too.
    if (!out.text.empty() && !stopping)
      on_line(std::move(out));
  };
  auto result = stream_process(*cli, {"logs", "--follow", "--timestamps", id},
                               forward, &processes);
  if (!result)
    return std::move(result.error());
  if (result->exit_code != 0)
    return server_error("docker logs failed: " + docker_message(*result));
  return {};
}

caf::expected<std::vector<std::string>>
docker_engine::impl::list_leftovers(const container_identity& identity,
                                    bool all_instances) {
  auto listing
    = query({"ps", "-a", "--no-trunc", "--filter", "label=batchd.managed=true",
             "--filter", "label=batchd.endpoint=" + identity.endpoint,
             "--format", "{{.ID}} {{.Label \"batchd.instance\"}}"},
            options.command_timeout);
  if (!listing)
    return std::move(listing.error());
  std::vector<std::string> ids;
  std::istringstream lines{*listing};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields{line};
    std::string id;
    std::string instance;
    fields >> id >> instance;
    if (!id.empty() && (all_instances || instance != identity.instance_id))
      ids.push_back(id);
  }
  return ids;
}

caf::expected<size_t>
docker_engine::impl::remove_leftovers(const container_identity& identity,
                                      bool all_instances) {
  // A container whose removal another command has begun (a supervisor's, at
  // shutdown) makes `docker rm` fail and stays listed until it is gone. The
  // sweep lists again until nothing is left, because the caller may then
  // kill that other command, and Docker can drop a removal whose client went
  // away.
  std::set<std::string> removed;
  auto deadline = std::chrono::steady_clock::now() + options.command_timeout;
  for (;;) {
    auto ids = list_leftovers(identity, all_instances);
    if (!ids)
      return std::move(ids.error());
    if (ids->empty())
      return removed.size();
    if (std::chrono::steady_clock::now() >= deadline)
      return server_error("containers still present after docker rm: "
                          + ids->front());
    removed.insert(ids->begin(), ids->end());
    std::vector<std::string> args{"rm", "-f", "-v"};
    args.insert(args.end(), ids->begin(), ids->end());
    auto output = docker(args, options.command_timeout);
    if (!output)
      return std::move(output.error());
    if (output->exit_code != 0)
      std::this_thread::sleep_for(removal_recheck_interval);
  }
}

docker_engine::docker_engine(docker_options options)
    : impl_(std::make_shared<impl>(std::move(options))) {
  // nop
}

docker_engine::~docker_engine() {
  shutdown();
}

void docker_engine::probe(callback<engine_info> done) {
  impl_->spawn(
    [d = impl_.get(), done = std::move(done)] { d->reply(done, d->probe()); });
}

void docker_engine::launch(container_launch request,
                           callback<std::string> done) {
  impl_->spawn(
    [d = impl_.get(), request = std::move(request), done = std::move(done)] {
      d->reply(done, d->launch(request));
    });
}

void docker_engine::start(const std::string& id, done_callback done) {
  impl_->spawn([d = impl_.get(), id, done = std::move(done)] {
    auto started = d->query({"start", id}, d->options.command_timeout,
                            "CannotStartContainerError: ");
    d->reply(done, started ? caf::error{} : started.error());
  });
}

void docker_engine::follow_output(const std::string& id, line_callback on_line,
                                  done_callback done) {
  impl_->spawn(
    [d = impl_.get(), id, on_line = std::move(on_line),
     done = std::move(done)] { d->reply(done, d->follow(id, on_line)); });
}

void docker_engine::wait(const std::string& id, callback<int> done) {
  impl_->spawn([d = impl_.get(), id, done = std::move(done)] {
    auto cli = resolve_program(d->options.cli);
    if (!cli) {
      d->reply(done, caf::expected<int>{std::move(cli.error())});
      return;
    }
    // Waits as long as the job runs: no timeout.
    auto output = stream_process(
      *cli, {"wait", id},
      [&](bool is_stderr, std::string line) {
        if (!is_stderr && !line.empty())
          d->reply(done, caf::expected<int>{std::atoi(line.c_str())});
      },
      &d->processes);
    if (!output)
      d->reply(done, caf::expected<int>{std::move(output.error())});
    else if (output->exit_code != 0)
      d->reply(done,
               caf::expected<int>{server_error("CannotInspectContainerError: "
                                               + docker_message(*output))});
  });
}

void docker_engine::stop(const std::string& id, int grace_seconds,
                         done_callback done) {
  impl_->spawn([d = impl_.get(), id, grace_seconds, done = std::move(done)] {
    auto timeout
      = std::chrono::seconds{grace_seconds} + d->options.command_timeout;
    auto result = d->query(
      {"stop", "-t", std::to_string(grace_seconds), id},
      std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    d->reply(done, result ? caf::error{} : result.error());
  });
}

void docker_engine::remove(const std::string& id, done_callback done) {
  impl_->spawn([d = impl_.get(), id, done = std::move(done)] {
    auto result = d->query({"rm", "-f", "-v", id}, d->options.command_timeout);
    d->reply(done, result ? caf::error{} : result.error());
  });
}

void docker_engine::remove_leftovers(const container_identity& identity,
                                     bool all_instances,
                                     callback<size_t> done) {
  impl_->spawn(
    [d = impl_.get(), identity, all_instances, done = std::move(done)] {
      d->reply(done, d->remove_leftovers(identity, all_instances));
    });
}

caf::expected<std::string> docker_engine::bridge_gateway() {
  auto text
    = impl_->query({"network", "inspect", "bridge", "--format",
                    "{{range .IPAM.Config}}{{.Gateway}} {{end}}|"
                    "{{index .Options \"com.docker.network.bridge.name\"}}"},
                   impl_->options.probe_timeout);
  if (!text)
    return std::move(text.error());
  auto bar = text->rfind('|');
  std::istringstream gateways{text->substr(0, bar)};
  for (std::string address; gateways >> address;)
    if (address.find(':') == std::string::npos)
      return address;
  auto interface = bar == std::string::npos ? "" : trim(text->substr(bar + 1));
  if (auto address = interface_address(interface))
    return *address;
  return server_error("cannot find the address of Docker's bridge network");
}

caf::expected<size_t>
docker_engine::remove_all_now(const container_identity& identity) {
  return impl_->remove_leftovers(identity, true);
}

void docker_engine::shutdown() {
  impl_->stopping = true;
  std::map<uint64_t, std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{impl_->mutex};
    impl_->closed = true;
    threads.swap(impl_->running);
    impl_->finished.clear();
  }
  impl_->processes.kill_all();
  for (auto& entry : threads)
    entry.second.join();
}

} // namespace batch
