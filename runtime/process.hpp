// Child processes through Boost.Process: a program and its arguments, never
// a shell string. Every call blocks the calling thread, so callers run them
// on threads of their own (never on a CAF worker). Nothing here throws:
// failures to start come back as errors.
#pragma once

#include <caf/expected.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace batch {

/// What a finished process left behind.
struct process_output {
  int exit_code = 0;
  std::string out;
  std::string err;
};

/// Returns the path to run for `program`: `program` itself when it names a
/// path (contains '/'), otherwise the first match on PATH; an error when it
/// does not exist or is not executable.
caf::expected<std::string> resolve_program(const std::string& program);

/// The processes a component started and that still run, so that they can
/// be ended at once on shutdown. Thread-safe.
class process_tracker {
public:
  /// Records a running process.
  void add(int pid);

  /// Forgets a process that ended.
  void remove(int pid);

  /// Sends SIGKILL to every recorded process.
  void kill_all();

private:
  std::mutex mutex_;
  std::set<int> pids_;
};

/// Runs `program` with `args` and collects its output. After `timeout` the
/// process is killed and the call fails. `tracker` may be null.
caf::expected<process_output> run_process(const std::string& program,
                                          const std::vector<std::string>& args,
                                          std::chrono::milliseconds timeout,
                                          process_tracker* tracker = nullptr);

/// Receives one line of output; `is_stderr` tells which pipe it came from.
/// The line has no trailing newline.
using line_handler = std::function<void(bool is_stderr, std::string line)>;

/// Runs `program` with `args`, calls `on_line` for every line it writes to
/// stdout or stderr as soon as the line is complete, and returns the exit
/// code with the last lines of stderr (also passed to `on_line`) once both
/// pipes are closed. No timeout: the process runs until it ends or the
/// tracker kills it.
caf::expected<process_output>
stream_process(const std::string& program, const std::vector<std::string>& args,
               const line_handler& on_line, process_tracker* tracker = nullptr);

} // namespace batch
