#include "runtime/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>

namespace batch {

namespace {

/// Lines that wait for the writing thread; a logger blocks when it is full.
constexpr size_t pending_lines = 1024;

std::mutex logging_mutex;
spdlog::sink_ptr current_sink;
spdlog::level::level_enum current_level = spdlog::level::info;
/// Set when lines go to stderr: a thread of its own writes them then, so that
/// a request never waits for the terminal or the file behind it.
bool writes_in_background = false;

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
  writes_in_background = !sink;
  if (writes_in_background && !spdlog::thread_pool())
    spdlog::init_thread_pool(pending_lines, 1);
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
  std::shared_ptr<spdlog::logger> logger;
  if (writes_in_background)
    logger = std::make_shared<spdlog::async_logger>(
      component, current_sink, spdlog::thread_pool(),
      spdlog::async_overflow_policy::block);
  else
    logger = std::make_shared<spdlog::logger>(component, current_sink);
  logger->set_level(current_level);
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return *logger;
}

void stop_logging() {
  std::lock_guard<std::mutex> guard{logging_mutex};
  spdlog::shutdown();
  current_sink = nullptr;
  writes_in_background = false;
}

} // namespace batch
