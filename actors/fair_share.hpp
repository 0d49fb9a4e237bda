// Fair-share accounting and ordering for one job queue, as AWS Batch
// describes it: each share identifier accrues usage as vCPU-seconds times its
// weight factor, decayed over the policy's window; the active share with the
// lowest usage goes next; within a share, a higher scheduling priority goes
// first, then the older job; and a fraction of the capacity is held back for
// shares that are not active yet. Plain data structures, no actors: the
// scheduler owns one per fair-share queue and drives it with the server's
// time, which keeps every decision deterministic under test.
#pragma once

#include "protocol/scheduling_policy.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace batch {

/// Usage accounting per share identifier. Usage obeys
/// dU/dt = vcpus_running * weight - U / window, so a share that keeps `r`
/// vCPUs busy settles at `r * weight * window`, and an idle share's usage
/// decays exponentially with the window as time constant.
///
/// Usage accrues while jobs run, so at any instant it lags behind the work
/// already committed to running jobs; ranking shares by it alone favours a
/// share whose jobs are long (by about job length / window). Shares are
/// therefore ranked by `dispatch_usage`, which adds the expected remaining
/// work of the running jobs, estimated from the share's observed run times.
class share_usage {
public:
  /// AWS uses at least a ten-minute window when shareDecaySeconds is 0.
  static constexpr int64_t minimum_window_seconds = 600;

  /// Adopts the weights, window and reservation of `policy`. Usage accrued
  /// so far is kept.
  void configure(const scheduling_policy_record& policy, int64_t now_ms);

  /// Returns the effective weight of `share`: its own entry, else the entry
  /// of a matching prefix (`name*`) split among the active identifiers that
  /// match it, else 1.
  double weight_of(const std::string& share) const;

  /// Records that a job of `share` using `vcpus` started at `now_ms`.
  void started(const std::string& share, double vcpus, int64_t now_ms);

  /// Records that a job of `share` using `vcpus` finished at `now_ms` after
  /// running for `runtime_ms`.
  void finished(const std::string& share, double vcpus, int64_t runtime_ms,
                int64_t now_ms);

  /// Returns the decayed usage of `share` at `now_ms`.
  double usage(const std::string& share, int64_t now_ms) const;

  /// Returns the usage by which shares are ranked: usage plus the weighted
  /// work its running jobs are expected to add before they finish.
  double dispatch_usage(const std::string& share, int64_t now_ms) const;

  /// Marks `share` as active (it has queued or running jobs) or not.
  void set_active(const std::string& share, bool active);

  /// Returns how many shares are active.
  size_t active_shares() const {
    return active_.size();
  }

  /// Returns the fraction of capacity held back for inactive shares:
  /// (computeReservation / 100) ^ active shares.
  double reserved_fraction() const;

private:
  struct account {
    double usage = 0;
    double running_vcpus = 0;
    int64_t updated_ms = 0;
    /// Moving average of the run time of finished jobs, in seconds.
    double mean_runtime_seconds = 0;
  };

  /// Returns the account of `share`, opening it at `now_ms`.
  account& account_of(const std::string& share, int64_t now_ms);

  /// Brings `acc` up to `now_ms` with the weight `share` has now.
  void advance(const std::string& share, account& acc, int64_t now_ms) const;

  /// Returns the prefix entry that covers `share`, or null.
  const share_attributes* prefix_entry(const std::string& share) const;

  double window_seconds_ = minimum_window_seconds;
  int64_t compute_reservation_ = 0;
  std::unordered_map<std::string, double> exact_weights_;
  std::vector<share_attributes> prefixes_;
  std::unordered_map<std::string, account> accounts_;
  std::set<std::string> active_;
};

/// The RUNNABLE jobs of one fair-share queue in dispatch order.
class fair_share_order {
public:
  /// A queued job as the ordering sees it.
  struct entry {
    std::string job_id;
    std::string share;
    int64_t priority = 0;
    /// Submission order within the queue; lower is older.
    uint64_t sequence = 0;
  };

  /// Adds a RUNNABLE job.
  void push(entry job);

  /// Removes a job; returns false if it was not queued.
  bool erase(const std::string& job_id);

  /// Returns the number of queued jobs.
  size_t size() const {
    return index_.size();
  }

  /// Returns the shares that have queued jobs, lowest dispatch usage first
  /// (ties by name, for determinism).
  std::vector<std::string> shares_by_usage(const share_usage& usage,
                                           int64_t now_ms) const;

  /// Returns the first queued job of `share` (highest priority, then oldest),
  /// or null.
  const entry* head_of(const std::string& share) const;

  /// Returns up to `limit` job ids in the order they would be dispatched if
  /// capacity were unlimited and usage stood still.
  std::vector<std::string> front(size_t limit, const share_usage& usage,
                                 int64_t now_ms) const;

private:
  /// Orders a share's jobs: higher priority first, then lower sequence.
  using order_key = std::tuple<int64_t, uint64_t>;

  struct share_jobs {
    std::map<order_key, entry> jobs;
  };

  static order_key key_of(const entry& job) {
    return {-job.priority, job.sequence};
  }

  std::map<std::string, share_jobs> shares_;
  std::unordered_map<std::string, std::pair<std::string, order_key>> index_;
};

} // namespace batch
