#include "actors/fair_share.hpp"

#include <algorithm>
#include <cmath>

namespace batch {

namespace {

bool is_prefix_entry(const share_attributes& share) {
  return !share.share_identifier.empty()
         && share.share_identifier.back() == '*';
}

bool matches_prefix(const share_attributes& prefix, const std::string& share) {
  auto stem
    = prefix.share_identifier.substr(0, prefix.share_identifier.size() - 1);
  return share.compare(0, stem.size(), stem) == 0;
}

} // namespace

// -- share_usage --------------------------------------------------------------

void share_usage::configure(const scheduling_policy_record& policy,
                            int64_t now_ms) {
  // Settle every account under the old weights before they change.
  for (auto& [share, acc] : accounts_)
    advance(share, acc, now_ms);
  window_seconds_ = static_cast<double>(
    std::max(policy.share_decay_seconds, minimum_window_seconds));
  compute_reservation_ = policy.compute_reservation;
  exact_weights_.clear();
  prefixes_.clear();
  for (auto& share : policy.share_distribution) {
    if (is_prefix_entry(share))
      prefixes_.push_back(share);
    else
      exact_weights_[share.share_identifier] = share.weight_factor;
  }
}

const share_attributes*
share_usage::prefix_entry(const std::string& share) const {
  const share_attributes* best = nullptr;
  for (auto& prefix : prefixes_)
    if (matches_prefix(prefix, share)
        && (!best
            || prefix.share_identifier.size() > best->share_identifier.size()))
      best = &prefix;
  return best;
}

double share_usage::weight_of(const std::string& share) const {
  if (auto i = exact_weights_.find(share); i != exact_weights_.end())
    return i->second;
  auto prefix = prefix_entry(share);
  if (!prefix)
    return 1.0;
  // The prefix's share of compute is divided among the identifiers it
  // covers: n active identifiers each weigh n times the prefix's weight.
  auto members = std::count_if(
    active_.begin(), active_.end(),
    [&](const std::string& other) { return prefix_entry(other) == prefix; });
  return prefix->weight_factor
         * static_cast<double>(std::max<long>(members, 1));
}

void share_usage::advance(const std::string& share, account& acc,
                          int64_t now_ms) const {
  if (now_ms <= acc.updated_ms) {
    acc.updated_ms = std::max(acc.updated_ms, now_ms);
    return;
  }
  auto elapsed = static_cast<double>(now_ms - acc.updated_ms) / 1000.0;
  auto decay = std::exp(-elapsed / window_seconds_);
  auto rate = acc.running_vcpus * weight_of(share);
  acc.usage = acc.usage * decay + rate * window_seconds_ * (1.0 - decay);
  acc.updated_ms = now_ms;
}

share_usage::account& share_usage::account_of(const std::string& share,
                                              int64_t now_ms) {
  auto& acc
    = accounts_.try_emplace(share, account{0, 0, now_ms, 0}).first->second;
  advance(share, acc, now_ms);
  return acc;
}

void share_usage::started(const std::string& share, double vcpus,
                          int64_t now_ms) {
  account_of(share, now_ms).running_vcpus += vcpus;
}

void share_usage::finished(const std::string& share, double vcpus,
                           int64_t runtime_ms, int64_t now_ms) {
  // Recent run times count most; the first one sets the estimate.
  constexpr double smoothing = 0.2;
  auto& acc = account_of(share, now_ms);
  acc.running_vcpus = std::max(0.0, acc.running_vcpus - vcpus);
  auto runtime = static_cast<double>(runtime_ms) / 1000.0;
  acc.mean_runtime_seconds
    = acc.mean_runtime_seconds == 0
        ? runtime
        : acc.mean_runtime_seconds
            + smoothing * (runtime - acc.mean_runtime_seconds);
}

double share_usage::usage(const std::string& share, int64_t now_ms) const {
  auto i = accounts_.find(share);
  if (i == accounts_.end())
    return 0;
  auto acc = i->second;
  advance(share, acc, now_ms);
  return acc.usage;
}

double share_usage::dispatch_usage(const std::string& share,
                                   int64_t now_ms) const {
  auto i = accounts_.find(share);
  if (i == accounts_.end())
    return 0;
  auto acc = i->second;
  advance(share, acc, now_ms);
  // A running job is on average half-way through its run.
  auto remaining = acc.running_vcpus * acc.mean_runtime_seconds / 2.0;
  return acc.usage + remaining * weight_of(share);
}

void share_usage::set_active(const std::string& share, bool active) {
  if (active)
    active_.insert(share);
  else
    active_.erase(share);
}

double share_usage::reserved_fraction() const {
  if (compute_reservation_ <= 0 || active_.empty())
    return 0;
  return std::pow(static_cast<double>(compute_reservation_) / 100.0,
                  static_cast<double>(active_.size()));
}

// -- fair_share_order ---------------------------------------------------------

void fair_share_order::push(entry job) {
  auto key = key_of(job);
  auto id = job.job_id;
  auto share = job.share;
  shares_[share].jobs.emplace(key, std::move(job));
  index_[std::move(id)] = {std::move(share), key};
}

bool fair_share_order::erase(const std::string& job_id) {
  auto i = index_.find(job_id);
  if (i == index_.end())
    return false;
  auto& [share, key] = i->second;
  auto s = shares_.find(share);
  s->second.jobs.erase(key);
  if (s->second.jobs.empty())
    shares_.erase(s);
  index_.erase(i);
  return true;
}

std::vector<std::string>
fair_share_order::shares_by_usage(const share_usage& usage,
                                  int64_t now_ms) const {
  std::vector<std::pair<double, std::string>> ranked;
  ranked.reserve(shares_.size());
  for (auto& [share, jobs] : shares_)
    ranked.emplace_back(usage.dispatch_usage(share, now_ms), share);
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> result;
  result.reserve(ranked.size());
  for (auto& [value, share] : ranked)
    result.push_back(share);
  return result;
}

const fair_share_order::entry*
fair_share_order::head_of(const std::string& share) const {
  auto i = shares_.find(share);
  if (i == shares_.end() || i->second.jobs.empty())
    return nullptr;
  return &i->second.jobs.begin()->second;
}

std::vector<std::string> fair_share_order::front(size_t limit,
                                                 const share_usage& usage,
                                                 int64_t now_ms) const {
  // Without dispatching, usage does not move: shares take turns in usage
  // order, one job each per round.
  std::vector<std::string> result;
  auto order = shares_by_usage(usage, now_ms);
  std::vector<std::map<order_key, entry>::const_iterator> cursors;
  for (auto& share : order)
    cursors.push_back(shares_.at(share).jobs.begin());
  while (result.size() < limit) {
    bool progressed = false;
    for (size_t i = 0; i < order.size() && result.size() < limit; ++i) {
      if (cursors[i] == shares_.at(order[i]).jobs.end())
        continue;
      result.push_back(cursors[i]->second.job_id);
      ++cursors[i];
      progressed = true;
    }
    if (!progressed)
      break;
  }
  return result;
}

} // namespace batch
