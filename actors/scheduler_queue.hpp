// One job queue as the scheduler sees it: its RUNNABLE jobs in dispatch
// order (submission order for a FIFO queue; share usage, then scheduling
// priority, then age for a fair-share queue), the vCPUs its placed jobs
// hold, which shares are active, and what its next job was last told about
// why it waits. Plain data, no actors: the scheduler owns one per queue.
#pragma once

#include "actors/fair_share.hpp"
#include "actors/job_lane.hpp"
#include "protocol/job_queue.hpp"
#include "protocol/scheduling_policy.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace batch {

class scheduler_queue {
public:
  /// Called when share `share` has neither queued nor placed jobs any more;
  /// the share stays active for a decay window unless `expire` is called
  /// with the same `generation` after it.
  using idle_callback
    = std::function<void(const std::string& share, uint64_t generation)>;

  /// Why the queue's next job waits, and since when.
  struct head_watch {
    /// The job's submission order; 0 when no job was told anything.
    uint64_t sequence = 0;
    std::string reason;
    /// The reason's code, e.g. CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY.
    std::string code;
    int64_t since = 0;
    /// Tells the current watch's time-limit timer from stale ones.
    uint64_t generation = 0;
  };

  /// A job of the front of the queue and since when it holds its place.
  struct front_entry {
    const queued_job* job = nullptr;
    int64_t since = 0;
  };

  /// A queue known by its ARN until its record arrives.
  scheduler_queue(std::string arn, idle_callback on_idle);

  /// Adopts the queue's record. A queue with a scheduling policy is a
  /// fair-share queue; `policy` is null while its record is not known,
  /// which leaves the policy's defaults in force.
  void configure(job_queue_record record,
                 const scheduling_policy_record* policy, int64_t now_ms);

  /// Returns true once the queue's record is known.
  bool configured() const {
    return record_.has_value();
  }

  /// REQUIRES: configured().
  const job_queue_record& record() const {
    return *record_;
  }

  /// Returns the queue's name, or its ARN while the record is unknown.
  const std::string& name() const;

  /// Returns the queue's priority; 0 while the record is unknown.
  int64_t priority() const;

  bool fair_share() const {
    return fair_ != nullptr;
  }

  // -- RUNNABLE jobs ----------------------------------------------------------

  /// Queues a RUNNABLE job at its place.
  void push(queued_job job, int64_t now_ms);

  /// Removes a queued job that left RUNNABLE without running; returns false
  /// if the queue does not hold it.
  bool remove(const job_spec& spec, int64_t now_ms);

  /// Returns the job that goes next, or null. O(log n) for FIFO queues,
  /// O(shares with queued jobs) for fair-share queues.
  const queued_job* next(int64_t now_ms);

  /// Removes and returns the job `next(now_ms)` returned.
  /// REQUIRES: next(now_ms) != nullptr was called with nothing in between.
  queued_job take(int64_t now_ms);

  /// Returns up to `limit` queued jobs in dispatch order.
  std::vector<front_entry> front(size_t limit, int64_t now_ms);

  size_t size() const;

  bool empty() const {
    return size() == 0;
  }

  // -- placed jobs ------------------------------------------------------------

  /// Records that a job of the queue was placed at `now_ms`.
  void started(const job_spec& spec, int64_t now_ms);

  /// Records that a placed job gave its capacity back after `runtime_ms`.
  void finished(const job_spec& spec, int64_t runtime_ms, int64_t now_ms);

  /// Returns the vCPUs of the queue's placed jobs.
  double used_vcpus() const {
    return used_vcpus_;
  }

  // -- fair share -------------------------------------------------------------

  /// Returns the fraction of the queue's capacity held back for shares that
  /// are not active yet; 0 for FIFO queues.
  double reserved_fraction() const;

  /// Ends the activity of `share` unless a job came since `generation`.
  void expire(const std::string& share, uint64_t generation, int64_t now_ms);

  /// Returns the decay window of the queue's policy in milliseconds.
  int64_t window_ms() const;

  /// Returns the accounting of a fair-share queue. REQUIRES: fair_share().
  const share_usage& usage() const {
    return fair_->usage;
  }

  /// Explains why the job of `share` goes next, for the log.
  std::string share_reason(const std::string& share, int64_t now_ms) const;

  // -- waiting ----------------------------------------------------------------

  head_watch watch;

private:
  struct share_presence {
    /// Queued and placed jobs of the share.
    size_t jobs = 0;
    uint64_t generation = 0;
  };

  struct fair_state {
    fair_share_order order;
    share_usage usage;
    std::unordered_map<std::string, share_presence> presence;
    /// The share `next` chose.
    std::string chosen;
  };

  /// Counts a job of `share` in or out of its share's presence.
  void join(const std::string& share, int64_t now_ms);
  void leave(const std::string& share);

  /// Switches between FIFO and fair-share ordering, keeping the jobs.
  void reshape(bool fair_share, int64_t now_ms);

  idle_callback on_idle_;
  std::optional<job_queue_record> record_;
  std::string arn_;
  job_lane fifo_;
  std::unique_ptr<fair_state> fair_;
  double used_vcpus_ = 0;
};

} // namespace batch
