#include "actors/job_lane.hpp"

#include <algorithm>
#include <iterator>

namespace batch {

job_lane::key job_lane::key_of(const job_spec& spec, bool by_priority) {
  auto rank = by_priority ? -spec.scheduling_priority.value_or(0) : 0;
  return {rank, spec.sequence};
}

void job_lane::push(queued_job job) {
  auto place = key_of(*job.spec, by_priority_);
  jobs_.insert_or_assign(place, std::move(job));
}

bool job_lane::remove(const job_spec& spec, int64_t now_ms) {
  auto place = key_of(spec, by_priority_);
  if (jobs_.erase(place) == 0)
    return false;
  departed(place, now_ms);
  return true;
}

const queued_job* job_lane::head() const {
  return jobs_.empty() ? nullptr : &jobs_.begin()->second;
}

queued_job job_lane::pop(int64_t now_ms) {
  auto first = jobs_.begin();
  auto place = first->first;
  auto result = std::move(first->second);
  jobs_.erase(first);
  departed(place, now_ms);
  return result;
}

int64_t job_lane::position_since(const queued_job& job) const {
  auto after = departures_.lower_bound(key_of(*job.spec, by_priority_));
  if (after == departures_.begin())
    return job.queued_at;
  return std::max(job.queued_at, std::prev(after)->second);
}

void job_lane::departed(key place, int64_t now_ms) {
  // This departure is the latest, so it supersedes every earlier one at or
  // behind its place.
  departures_.erase(departures_.lower_bound(place), departures_.end());
  departures_.emplace(place, now_ms);

  // Of the departures ahead of the head, only the last one dates anything.
  if (jobs_.empty()) {
    departures_.clear();
    return;
  }
  auto ahead_of_head = departures_.lower_bound(jobs_.begin()->first);
  if (ahead_of_head != departures_.begin())
    departures_.erase(departures_.begin(), std::prev(ahead_of_head));
}

} // namespace batch
