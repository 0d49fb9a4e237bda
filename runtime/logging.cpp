#include "runtime/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>

namespace batch {

namespace {

/// How long a line may wait in stderr's buffer before it is written.
constexpr auto flush_interval = std::chrono::seconds{1};

/// The size of stderr's buffer.
constexpr size_t stderr_buffer_bytes = 64 * 1024;

/// Writes lines to stderr through a full buffer, which is flushed every
/// `flush_interval`, at each warning or error, and by `stop_logging`: a line
/// costs a copy, not a system call, so a request never waits for the
/// terminal or the file behind stderr.
class buffered_stderr_sink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  void flush_() override {
    std::fflush(stderr);
  }
};

std::mutex logging_mutex;
spdlog::sink_ptr current_sink;
spdlog::level::level_enum current_level = spdlog::level::info;

/// Returns the stderr sink, buffering stderr on first use.
spdlog::sink_ptr default_sink() {
  static auto sink = [] {
    std::setvbuf(stderr, nullptr, _IOFBF, stderr_buffer_bytes);
    spdlog::flush_every(flush_interval);
    return std::make_shared<buffered_stderr_sink>();
  }();
  return sink;
}

/// Gives `sink` batchd's line format: UTC time, level, component, fields.
void use_sink(spdlog::sink_ptr sink) {
  sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(
    "%Y-%m-%dT%H:%M:%S.%eZ %-5l %n %v", spdlog::pattern_time_type::utc));
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
  logger->flush_on(spdlog::level::warn);
  spdlog::register_logger(logger);
  return *logger;
}

void stop_logging() {
  std::lock_guard<std::mutex> guard{logging_mutex};
  if (current_sink)
    current_sink->flush();
  spdlog::shutdown();
  current_sink = nullptr;
}

} // namespace batch
