#include "runtime/clock.hpp"

namespace batch {

scaled_system_clock::scaled_system_clock(double scale)
    : scale_(scale > 0 ? scale : 1.0),
      origin_ms_(std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()),
      origin_(std::chrono::steady_clock::now()) {
  // nop
}

int64_t scaled_system_clock::now_ms() const {
  // At real speed the server's time is the system's, so that it agrees
  // with the times other programs stamp (Docker stamps container output).
  if (scale_ == 1.0)
    return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  auto elapsed = std::chrono::steady_clock::now() - origin_;
  auto elapsed_ms
    = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()
      / 1000.0;
  return origin_ms_ + static_cast<int64_t>(elapsed_ms * scale_);
}

std::chrono::milliseconds
scaled_system_clock::real_duration(int64_t server_ms) const {
  return std::chrono::milliseconds{static_cast<int64_t>(server_ms / scale_)};
}

manual_clock::manual_clock(int64_t start_ms) : now_ms_(start_ms) {
  // nop
}

int64_t manual_clock::now_ms() const {
  return now_ms_.load();
}

std::chrono::milliseconds manual_clock::real_duration(int64_t server_ms) const {
  return std::chrono::milliseconds{server_ms};
}

void manual_clock::advance(int64_t ms) {
  now_ms_ += ms;
}

} // namespace batch
