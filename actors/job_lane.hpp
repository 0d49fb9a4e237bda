// The RUNNABLE jobs of one FIFO job queue, or of one share of a fair-share
// queue, in the order they are dispatched. A lane also remembers when jobs
// ahead of a position last left, so that GetJobQueueSnapshot can say since
// when each job holds its place. Every operation costs O(log n).
#pragma once

#include "protocol/job.hpp"

#include <cstdint>
#include <map>
#include <utility>

namespace batch {

/// A RUNNABLE job as the scheduler keeps it.
struct queued_job {
  job_spec_ptr spec;
  job_actor job;
  /// Server time at which the job entered RUNNABLE.
  int64_t queued_at = 0;
};

/// Jobs in dispatch order: lower rank first, then submission order. A FIFO
/// queue ranks every job alike; a share ranks by scheduling priority, so
/// that a higher priority goes first.
class job_lane {
public:
  /// A job's place: its rank, then its submission order.
  using key = std::pair<int64_t, uint64_t>;

  using const_iterator = std::map<key, queued_job>::const_iterator;

  /// Returns the place of `spec` in a lane that ranks by scheduling
  /// priority iff `by_priority`.
  static key key_of(const job_spec& spec, bool by_priority);

  explicit job_lane(bool by_priority = false) : by_priority_(by_priority) {
    // nop
  }

  /// Adds `job` at its place; a job that returns gets its old place back.
  void push(queued_job job);

  /// Removes the job of `spec` at `now_ms`; returns false if the lane does
  /// not hold it.
  bool remove(const job_spec& spec, int64_t now_ms);

  /// Returns the job that goes next, or null for an empty lane.
  const queued_job* head() const;

  /// Removes and returns the job that goes next. REQUIRES: !empty().
  queued_job pop(int64_t now_ms);

  /// Returns since when `job` holds its place: the later of the time it was
  /// queued and the last time a job ahead of it left.
  int64_t position_since(const queued_job& job) const;

  const_iterator begin() const {
    return jobs_.begin();
  }

  const_iterator end() const {
    return jobs_.end();
  }

  bool empty() const {
    return jobs_.empty();
  }

  size_t size() const {
    return jobs_.size();
  }

private:
  /// Records that the job at `place` left at `now_ms`.
  void departed(key place, int64_t now_ms);

  bool by_priority_;
  std::map<key, queued_job> jobs_;
  /// Departures that still date a position: a later departure ahead of an
  /// earlier one makes the earlier one irrelevant, so keys and times both
  /// ascend, and the entry just before a job's key is the last departure
  /// ahead of it.
  std::map<key, int64_t> departures_;
};

} // namespace batch
