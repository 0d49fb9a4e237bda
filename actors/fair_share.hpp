// Fair-share accounting and ordering for one job queue, as AWS Batch
// describes it: each share identifier accrues usage as vCPU-seconds times its
// weight factor, decayed over the policy's window; the active share with the
// lowest usage goes next; within a share, a higher scheduling priority goes
// first, then the older job; and a fraction of the capacity is held back for
// shares that are not active yet. Plain data structures, no actors: the
// scheduler owns one of each per fair-share queue and drives them with the
// server's time, which keeps every decision deterministic under test.
#pragma once

#include "actors/job_lane.hpp"
#include "protocol/scheduling_policy.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace batch {

/// Usage accounting per share identifier. Usage obeys
/// dU/dt = vcpus_running * weight - U / window, so a share that keeps `r`
/// vCPUs busy settles at `r * weight * window`, and an idle share's usage
/// decays exponentially with the window as time constant.
///
/// Usage accrues while jobs run, so at any instant it lags behind the work
/// already committed to running jobs; ranking shares by it alone favours a
/// share whose jobs are long (by about job length / window), and within one
/// instant it would send every job to the same share. Shares are therefore
/// ranked by `dispatch_usage`, which adds the expected remaining work of the
/// running jobs, estimated from the share's observed run times.
///
/// Every account is kept at one common time, so that bringing them forward
/// costs one exponential per call of `advance`, not one per share.
class share_usage {
public:
  /// AWS uses at least a ten-minute window when shareDecaySeconds is 0.
  static constexpr int64_t minimum_window_seconds = 600;

  /// The run time assumed for a share's jobs until one of them finished.
  static constexpr double default_runtime_seconds = 1.0;

  /// Adopts the weights, window and reservation of `policy` from `now_ms`
  /// on. Usage accrued so far is kept.
  void configure(const scheduling_policy_record& policy, int64_t now_ms);

  /// Returns the decay window in seconds.
  double window_seconds() const {
    return window_seconds_;
  }

  /// Returns the effective weight of `share`: its own entry, else the entry
  /// of a matching prefix (`name*`) split among the active identifiers that
  /// match it, else 1.
  double weight_of(const std::string& share) const;

  /// Brings every account forward to `now_ms`; a no-op for earlier times.
  void advance(int64_t now_ms);

  /// Records that a job of `share` using `vcpus` started at `now_ms`.
  void started(const std::string& share, double vcpus, int64_t now_ms);

  /// Records that a job of `share` using `vcpus` finished at `now_ms` after
  /// running for `runtime_ms`.
  void finished(const std::string& share, double vcpus, int64_t runtime_ms,
                int64_t now_ms);

  /// Returns the decayed usage of `share` at `now_ms`.
  double usage(const std::string& share, int64_t now_ms) const;

  /// Returns the usage by which shares are ranked: usage plus the weighted
  /// work its running jobs are expected to add before they finish. O(1)
  /// once `advance(now_ms)` ran.
  double dispatch_usage(const std::string& share, int64_t now_ms) const;

  /// Returns by how much starting a job of `vcpus` raises the dispatch
  /// usage of `share`.
  double dispatch_cost(const std::string& share, double vcpus) const;

  /// Returns the vCPUs of the running jobs of `share`.
  double running_vcpus(const std::string& share) const;

  /// Returns up to `limit` shares with running jobs, most vCPUs first.
  std::vector<std::pair<std::string, double>>
  busiest_shares(size_t limit) const;

  /// Marks `share` as active (it has jobs, or had them within the window)
  /// or not, from `now_ms` on.
  void set_active(const std::string& share, bool active, int64_t now_ms);

  bool is_active(const std::string& share) const {
    return active_.count(share) > 0;
  }

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
    /// Moving average of the run time of finished jobs, in seconds; 0 until
    /// a job finished.
    double mean_runtime_seconds = 0;
  };

  /// Returns the account of `share` as of `now_ms`, opening it if needed.
  account& account_of(const std::string& share, int64_t now_ms);

  /// Returns the run time expected of a job of `acc`.
  static double expected_runtime(const account& acc);

  /// Returns the prefix entry that covers `share`, or null.
  const share_attributes* prefix_entry(const std::string& share) const;

  /// Returns the usage `acc` of `share` reaches after `elapsed_ms` more.
  double decayed(const std::string& share, const account& acc,
                 int64_t elapsed_ms) const;

  double window_seconds_ = minimum_window_seconds;
  int64_t compute_reservation_ = 0;
  std::unordered_map<std::string, double> exact_weights_;
  std::vector<share_attributes> prefixes_;
  /// Active identifiers per prefix entry, by the prefix's identifier.
  std::unordered_map<std::string, size_t> prefix_members_;
  std::unordered_map<std::string, account> accounts_;
  /// The time every account is brought to.
  int64_t updated_ms_ = 0;
  std::set<std::string> active_;
};

/// The RUNNABLE jobs of one fair-share queue: one lane per share, each in
/// priority order.
class fair_share_order {
public:
  /// Adds a RUNNABLE job to the lane of its share.
  void push(queued_job job);

  /// Removes the job of `spec` at `now_ms`; returns false if it was not
  /// queued.
  bool remove(const job_spec& spec, int64_t now_ms);

  /// Returns the share whose head goes next: the lowest dispatch usage,
  /// ties by name; null when no job is queued. O(shares with queued jobs).
  const std::string* next_share(const share_usage& usage, int64_t now_ms) const;

  /// Returns the first queued job of `share` (highest priority, then
  /// oldest), or null.
  const queued_job* head_of(const std::string& share) const;

  /// Removes and returns the head of `share`. REQUIRES: head_of(share).
  queued_job pop(const std::string& share, int64_t now_ms);

  /// Returns up to `limit` jobs in the order they would be dispatched if
  /// capacity were unlimited: each turn goes to the share with the lowest
  /// dispatch usage, which the job it dispatches raises.
  std::vector<const queued_job*> front(size_t limit, const share_usage& usage,
                                       int64_t now_ms) const;

  /// Returns since when `job` holds its place within its share.
  int64_t position_since(const queued_job& job) const;

  /// Returns the number of queued jobs.
  size_t size() const {
    return size_;
  }

  bool empty() const {
    return size_ == 0;
  }

private:
  /// Shares with queued jobs; a lane is dropped once empty.
  std::map<std::string, job_lane> shares_;
  size_t size_ = 0;
};

} // namespace batch
