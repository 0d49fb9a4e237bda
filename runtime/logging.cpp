#include "runtime/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace batch {

namespace {

std::mutex logging_mutex;
spdlog::sink_ptr current_sink;
spdlog::level::level_enum current_level = spdlog::level::info;

spdlog::sink_ptr default_sink() {
  static auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

/// Gives `sink` batchd's line format: UTC time, level, component, fields.
void use_sink(spdlog::sink_ptr sink) {
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
    "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %n %v", spdlog::pattern_time_type::utc));
  current_sink = std::move(sink);
}

} // namespace

bool configure_logging(const std::string& level, spdlog::sink_ptr sink) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off")
    return false;
  std::lock_guard<std::mutex> guard{logging_mutex};
  current_level = parsed;
  use_sink(sink ? std::move(sink) : default_sink());
  spdlog::drop_all();
  return true;
}

spdlog::logger& component_logger(const std::string& component) {
  std::lock_guard<std::mutex> guard{logging_mutex};
  if (auto existing = spdlog::get(component))
    return *existing;
  if (!current_sink)
    use_sink(default_sink());
  auto logger = std::make_shared<spdlog::logger>(component, current_sink);
  logger->set_level(current_level);
  spdlog::register_logger(logger);
  return *logger;
}

} // namespace batch
