#include "runtime/config.hpp"

#include <CLI/CLI.hpp>

#include <sstream>

namespace batch {

command_line parse_command_line(int argc, char** argv,
                                const std::string& version) {
  CLI::App app{"batchd: a local AWS Batch that runs real jobs", "batchd"};
  app.set_version_flag("--version", "batchd " + version);
  app.require_subcommand(1);
  serve_options options;
  auto serve = app.add_subcommand("serve", "Serve the AWS Batch API");
  serve->add_option("--host", options.host, "Address to listen on")
    ->capture_default_str();
  serve->add_option("--port", options.port, "Port to listen on")
    ->capture_default_str();
  serve
    ->add_option("--region", options.region,
                 "Region of requests without a SigV4 credential scope")
    ->capture_default_str();
  serve->add_option("--account-id", options.account_id, "Account in ARNs")
    ->capture_default_str();
  serve
    ->add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error or off")
    ->capture_default_str()
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  serve
    ->add_option("--docker", options.docker,
                 "The docker CLI that runs job containers")
    ->capture_default_str();
  serve
    ->add_option("--stop-timeout", options.stop_timeout,
                 "Seconds a terminated job's container gets between SIGTERM "
                 "and SIGKILL")
    ->capture_default_str()
    ->check(CLI::Range(1, 3600));
  serve
    ->add_option("--time-scale", options.time_scale,
                 "Run the server's clock this many times faster")
    ->capture_default_str()
    ->check(CLI::PositiveNumber);
  serve
    ->add_option("--http-threads", options.http_threads,
                 "Worker threads of the HTTP server")
    ->capture_default_str()
    ->check(CLI::Range(1, 1024));
  command_line result;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out;
    std::ostringstream err;
    result.exit_code = app.exit(e, out, err);
    result.output = out.str() + err.str();
    return result;
  }
  result.serve = options;
  return result;
}

} // namespace batch
