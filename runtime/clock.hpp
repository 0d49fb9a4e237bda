// The server's clock. Every timestamp batchd reports and every duration it
// waits (simulated run times, timeouts, decay windows, time limits) is read
// from a clock, so that tests can drive time by hand and `--time-scale N`
// can replay an hour of scheduling in a minute.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace batch {

/// A source of epoch milliseconds. Implementations are thread-safe.
class clock {
public:
  virtual ~clock() = default;

  /// Returns the current time in milliseconds since the Unix epoch.
  virtual int64_t now_ms() const = 0;

  /// Returns the wall-clock duration that corresponds to `server_ms`
  /// milliseconds of server time.
  virtual std::chrono::milliseconds real_duration(int64_t server_ms) const = 0;
};

using clock_ptr = std::shared_ptr<const clock>;

/// The system clock, optionally sped up: server time starts at the real time
/// of construction and then advances `scale` times faster.
class scaled_system_clock : public clock {
public:
  explicit scaled_system_clock(double scale = 1.0);

  int64_t now_ms() const override;
  std::chrono::milliseconds real_duration(int64_t server_ms) const override;

private:
  double scale_;
  int64_t origin_ms_;
  std::chrono::steady_clock::time_point origin_;
};

/// A clock that moves only when told to; for deterministic tests.
class manual_clock : public clock {
public:
  explicit manual_clock(int64_t start_ms = 1'700'000'000'000);

  int64_t now_ms() const override;
  std::chrono::milliseconds real_duration(int64_t server_ms) const override;

  /// Moves the clock forward by `ms` milliseconds.
  void advance(int64_t ms);

private:
  std::atomic<int64_t> now_ms_;
};

} // namespace batch
