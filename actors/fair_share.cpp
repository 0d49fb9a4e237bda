#include "actors/fair_share.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <tuple>

namespace batch {

namespace {

/// Usage below this many weighted vCPU-seconds counts as none: the account
/// of an inactive share that decayed this far is dropped.
constexpr double negligible_usage = 1e-6;

bool is_prefix_entry(const share_attributes& share) {
  return !share.share_identifier.empty()
         && share.share_identifier.back() == '*';
}

bool matches_prefix(const share_attributes& prefix, const std::string& share) {
  auto stem_size = prefix.share_identifier.size() - 1;
  return share.compare(0, stem_size, prefix.share_identifier, 0, stem_size)
         == 0;
}

/// Returns how much of the usage a window of `window_seconds` keeps after
/// `elapsed_ms`.
double decay_factor(int64_t elapsed_ms, double window_seconds) {
  return std::exp(-static_cast<double>(elapsed_ms) / 1000.0 / window_seconds);
}

} // namespace

// -- share_usage --------------------------------------------------------------

void share_usage::configure(const scheduling_policy_record& policy,
                            int64_t now_ms) {
  // Settle every account under the old weights before they change.
  advance(now_ms);

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

  prefix_members_.clear();
  for (auto& share : active_)
    if (auto prefix = prefix_entry(share))
      ++prefix_members_[prefix->share_identifier];
}

const share_attributes*
share_usage::prefix_entry(const std::string& share) const {
  if (exact_weights_.count(share) > 0)
    return nullptr;
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
  auto members = prefix_members_.find(prefix->share_identifier);
  auto count = members == prefix_members_.end() ? size_t{0} : members->second;
  return prefix->weight_factor
         * static_cast<double>(std::max<size_t>(count, 1));
}

double share_usage::decayed(const std::string& share, const account& acc,
                            int64_t elapsed_ms) const {
  if (elapsed_ms <= 0)
    return acc.usage;
  auto keep = decay_factor(elapsed_ms, window_seconds_);
  auto rate = acc.running_vcpus * weight_of(share);
  return acc.usage * keep + rate * window_seconds_ * (1.0 - keep);
}

void share_usage::advance(int64_t now_ms) {
  if (now_ms <= updated_ms_)
    return;
  auto keep = decay_factor(now_ms - updated_ms_, window_seconds_);
  updated_ms_ = now_ms;
  for (auto i = accounts_.begin(); i != accounts_.end();) {
    auto& [share, acc] = *i;
    auto rate = acc.running_vcpus * weight_of(share);
    acc.usage = acc.usage * keep + rate * window_seconds_ * (1.0 - keep);
    auto forgotten = acc.running_vcpus == 0 && acc.usage < negligible_usage
                     && !is_active(share);
    i = forgotten ? accounts_.erase(i) : std::next(i);
  }
}

share_usage::account& share_usage::account_of(const std::string& share,
                                              int64_t now_ms) {
  advance(now_ms);
  return accounts_[share];
}

double share_usage::expected_runtime(const account& acc) {
  return acc.mean_runtime_seconds > 0 ? acc.mean_runtime_seconds
                                      : default_runtime_seconds;
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
  return decayed(share, i->second, now_ms - updated_ms_);
}

double share_usage::dispatch_usage(const std::string& share,
                                   int64_t now_ms) const {
  auto i = accounts_.find(share);
  if (i == accounts_.end())
    return 0;
  auto& acc = i->second;
  // A running job is on average half-way through its run.
  auto remaining = acc.running_vcpus * expected_runtime(acc) / 2.0;
  return decayed(share, acc, now_ms - updated_ms_)
         + remaining * weight_of(share);
}

double share_usage::dispatch_cost(const std::string& share,
                                  double vcpus) const {
  auto i = accounts_.find(share);
  auto runtime = i == accounts_.end() ? default_runtime_seconds
                                      : expected_runtime(i->second);
  return vcpus * runtime / 2.0 * weight_of(share);
}

double share_usage::running_vcpus(const std::string& share) const {
  auto i = accounts_.find(share);
  return i == accounts_.end() ? 0 : i->second.running_vcpus;
}

std::vector<std::pair<std::string, double>>
share_usage::busiest_shares(size_t limit) const {
  std::vector<std::pair<std::string, double>> result;
  for (auto& [share, acc] : accounts_)
    if (acc.running_vcpus > 0)
      result.emplace_back(share, acc.running_vcpus);
  auto busier = [](const auto& a, const auto& b) {
    return std::tie(b.second, a.first) < std::tie(a.second, b.first);
  };
  auto kept = std::min(limit, result.size());
  std::partial_sort(result.begin(), result.begin() + kept, result.end(),
                    busier);
  result.resize(kept);
  return result;
}

void share_usage::set_active(const std::string& share, bool active,
                             int64_t now_ms) {
  if (is_active(share) == active)
    return;

  // A prefix member changes the weight of its peers from now on.
  advance(now_ms);

  if (active)
    active_.insert(share);
  else
    active_.erase(share);
  if (auto prefix = prefix_entry(share)) {
    auto& members = prefix_members_[prefix->share_identifier];
    members = active ? members + 1 : members - 1;
  }
}

double share_usage::reserved_fraction() const {
  if (compute_reservation_ <= 0 || active_.empty())
    return 0;
  return std::pow(static_cast<double>(compute_reservation_) / 100.0,
                  static_cast<double>(active_.size()));
}

// -- fair_share_order ---------------------------------------------------------

void fair_share_order::push(queued_job job) {
  auto& share = job.spec->share_identifier;
  shares_.try_emplace(share, true).first->second.push(std::move(job));
  ++size_;
}

bool fair_share_order::remove(const job_spec& spec, int64_t now_ms) {
  auto lane = shares_.find(spec.share_identifier);
  if (lane == shares_.end() || !lane->second.remove(spec, now_ms))
    return false;
  --size_;
  if (lane->second.empty())
    shares_.erase(lane);
  return true;
}

const std::string* fair_share_order::next_share(const share_usage& usage,
                                                int64_t now_ms) const {
  const std::string* best = nullptr;
  double lowest = 0;
  for (auto& [share, lane] : shares_) {
    auto value = usage.dispatch_usage(share, now_ms);
    if (!best || value < lowest) {
      best = &share;
      lowest = value;
    }
  }
  return best;
}

const queued_job* fair_share_order::head_of(const std::string& share) const {
  auto lane = shares_.find(share);
  return lane == shares_.end() ? nullptr : lane->second.head();
}

queued_job fair_share_order::pop(const std::string& share, int64_t now_ms) {
  auto lane = shares_.find(share);
  auto result = lane->second.pop(now_ms);
  --size_;
  if (lane->second.empty())
    shares_.erase(lane);
  return result;
}

std::vector<const queued_job*> fair_share_order::front(size_t limit,
                                                       const share_usage& usage,
                                                       int64_t now_ms) const {
  // Each share's turn: its dispatch usage so far, its name (for ties) and
  // the next of its jobs.
  using turn = std::tuple<double, const std::string*, job_lane::const_iterator>;
  auto later = [](const turn& a, const turn& b) {
    auto& [usage_a, share_a, job_a] = a;
    auto& [usage_b, share_b, job_b] = b;
    return std::tie(usage_a, *share_a) > std::tie(usage_b, *share_b);
  };
  std::priority_queue<turn, std::vector<turn>, decltype(later)> turns{later};
  for (auto& [share, lane] : shares_)
    turns.emplace(usage.dispatch_usage(share, now_ms), &share, lane.begin());

  std::vector<const queued_job*> result;
  while (result.size() < limit && !turns.empty()) {
    auto [value, share, next] = turns.top();
    turns.pop();
    auto& job = next->second;
    result.push_back(&job);
    if (++next != shares_.at(*share).end())
      turns.emplace(value + usage.dispatch_cost(*share, job.spec->needs.vcpus),
                    share, next);
  }
  return result;
}

int64_t fair_share_order::position_since(const queued_job& job) const {
  auto lane = shares_.find(job.spec->share_identifier);
  return lane == shares_.end() ? job.queued_at
                               : lane->second.position_since(job);
}

} // namespace batch
