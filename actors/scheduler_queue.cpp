#include "actors/scheduler_queue.hpp"

#include <algorithm>
#include <cstdio>

namespace batch {

namespace {

bool has_policy(const job_queue_record& record) {
  return record.scheduling_policy_arn && !record.scheduling_policy_arn->empty();
}

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

} // namespace

scheduler_queue::scheduler_queue(std::string arn, idle_callback on_idle)
    : on_idle_(std::move(on_idle)), arn_(std::move(arn)) {
  // nop
}

void scheduler_queue::configure(job_queue_record record,
                                const scheduling_policy_record* policy,
                                int64_t now_ms) {
  auto fair = has_policy(record);
  if (fair != fair_share())
    reshape(fair, now_ms);
  if (fair)
    fair_->usage.configure(policy ? *policy : scheduling_policy_record{},
                           now_ms);
  record_ = std::move(record);
}

const std::string& scheduler_queue::name() const {
  return record_ ? record_->name : arn_;
}

int64_t scheduler_queue::priority() const {
  return record_ ? record_->priority : 0;
}

// -- RUNNABLE jobs ------------------------------------------------------------

void scheduler_queue::push(queued_job job, int64_t now_ms) {
  if (!fair_) {
    fifo_.push(std::move(job));
    return;
  }
  auto share = job.spec->share_identifier;
  fair_->order.push(std::move(job));
  join(share, now_ms);
}

bool scheduler_queue::remove(const job_spec& spec, int64_t now_ms) {
  if (!fair_)
    return fifo_.remove(spec, now_ms);
  if (!fair_->order.remove(spec, now_ms))
    return false;
  leave(spec.share_identifier);
  return true;
}

const queued_job* scheduler_queue::next(int64_t now_ms) {
  if (!fair_)
    return fifo_.head();
  fair_->usage.advance(now_ms);
  auto share = fair_->order.next_share(fair_->usage, now_ms);
  if (!share)
    return nullptr;
  fair_->chosen = *share;
  return fair_->order.head_of(*share);
}

queued_job scheduler_queue::take(int64_t now_ms) {
  if (!fair_)
    return fifo_.pop(now_ms);
  return fair_->order.pop(fair_->chosen, now_ms);
}

std::vector<scheduler_queue::front_entry>
scheduler_queue::front(size_t limit, int64_t now_ms) {
  std::vector<front_entry> result;
  if (!fair_) {
    for (auto i = fifo_.begin(); i != fifo_.end() && result.size() < limit; ++i)
      result.push_back({&i->second, fifo_.position_since(i->second)});
    return result;
  }
  fair_->usage.advance(now_ms);
  for (auto* job : fair_->order.front(limit, fair_->usage, now_ms))
    result.push_back({job, fair_->order.position_since(*job)});
  return result;
}

size_t scheduler_queue::size() const {
  return fair_ ? fair_->order.size() : fifo_.size();
}

// -- placed jobs --------------------------------------------------------------

void scheduler_queue::started(const job_spec& spec, int64_t now_ms) {
  used_vcpus_ += spec.needs.vcpus;
  if (fair_)
    fair_->usage.started(spec.share_identifier, spec.needs.vcpus, now_ms);
}

void scheduler_queue::finished(const job_spec& spec, int64_t runtime_ms,
                               int64_t now_ms) {
  used_vcpus_ = std::max(0.0, used_vcpus_ - spec.needs.vcpus);
  if (!fair_)
    return;
  fair_->usage.finished(spec.share_identifier, spec.needs.vcpus, runtime_ms,
                        now_ms);
  leave(spec.share_identifier);
}

// -- fair share ---------------------------------------------------------------

void scheduler_queue::join(const std::string& share, int64_t now_ms) {
  auto& presence = fair_->presence[share];
  ++presence.jobs;
  ++presence.generation;
  fair_->usage.set_active(share, true, now_ms);
}

void scheduler_queue::leave(const std::string& share) {
  auto i = fair_->presence.find(share);
  if (i == fair_->presence.end() || i->second.jobs == 0)
    return;
  if (--i->second.jobs == 0)
    on_idle_(share, i->second.generation);
}

void scheduler_queue::expire(const std::string& share, uint64_t generation,
                             int64_t now_ms) {
  if (!fair_)
    return;
  auto i = fair_->presence.find(share);
  if (i == fair_->presence.end() || i->second.jobs > 0
      || i->second.generation != generation)
    return;
  fair_->presence.erase(i);
  fair_->usage.set_active(share, false, now_ms);
}

double scheduler_queue::reserved_fraction() const {
  return fair_ ? fair_->usage.reserved_fraction() : 0;
}

int64_t scheduler_queue::window_ms() const {
  auto seconds = fair_ ? fair_->usage.window_seconds()
                       : share_usage::minimum_window_seconds;
  return static_cast<int64_t>(seconds * 1000);
}

std::string scheduler_queue::share_reason(const std::string& share,
                                          int64_t now_ms) const {
  auto& usage = fair_->usage;
  return "share " + share + " has the lowest usage ("
         + format_number(usage.dispatch_usage(share, now_ms))
         + " weighted vCPU-seconds, weight "
         + format_number(usage.weight_of(share)) + ")";
}

void scheduler_queue::reshape(bool fair_share, int64_t now_ms) {
  std::vector<queued_job> jobs;
  for (auto& entry : front(size(), now_ms))
    jobs.push_back(*entry.job);
  fifo_ = job_lane{};
  fair_ = fair_share ? std::make_unique<fair_state>() : nullptr;
  for (auto& job : jobs)
    push(std::move(job), now_ms);
}

} // namespace batch
