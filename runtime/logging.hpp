// The logging seam. CAF's own log macros are compiled out in Debian's build,
// so batchd logs through spdlog: one named logger per component, key=value
// fields, stderr by default. Tests may install a sink of their own.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace batch {

/// Configures every component logger: `level` is one of trace, debug, info,
/// warn, error, off. Returns false for an unknown level. When `sink` is set,
/// output goes there; otherwise it goes to stderr through a buffer that is
/// flushed every second and at each warning (call `stop_logging` before
/// exit).
bool configure_logging(const std::string& level,
                       spdlog::sink_ptr sink = nullptr);

/// Returns the logger of `component` (e.g. "gateway", "job"), creating it on
/// first use. Safe to call from any thread.
spdlog::logger& component_logger(const std::string& component);

/// Writes every line still buffered and stops the periodic flush.
/// REQUIRES: no component logs any more; loggers obtained before are gone.
void stop_logging();

} // namespace batch
