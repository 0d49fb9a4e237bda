// The command line of `batchd`: `batchd serve [options]`, `--help` and
// `--version`. Parsing is CLI11's; this file owns the options and defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace batch {

/// The options of `batchd serve`.
struct serve_options {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  std::string log_level = "info";
  /// The docker CLI; "docker" is looked up on PATH.
  std::string docker = "docker";
  /// Seconds between SIGTERM and SIGKILL when a job is terminated; AWS's
  /// ECS agents wait 30 (their ECS_CONTAINER_STOP_TIMEOUT).
  int stop_timeout = 30;
  /// How many times faster than real time the server's clock runs.
  double time_scale = 1.0;
  /// Worker threads of the HTTP server.
  size_t http_threads = 16;
};

/// The outcome of parsing the command line.
struct command_line {
  /// Set when the command is `serve`.
  std::optional<serve_options> serve;
  /// When set, print this and exit with `exit_code` (help, version, errors).
  std::optional<std::string> output;
  int exit_code = 0;
};

/// Parses `argv`.
command_line parse_command_line(int argc, char** argv,
                                const std::string& version);

} // namespace batch
