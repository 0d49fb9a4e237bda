#include "actors/fair_share.hpp"

#include <doctest/doctest.h>

#include <map>
#include <queue>

namespace batch {

namespace {

scheduling_policy_record policy(std::vector<share_attributes> shares,
                                int64_t reservation = 0) {
  scheduling_policy_record result;
  result.name = "policy";
  result.has_fairshare_policy = true;
  result.compute_reservation = reservation;
  result.share_distribution = std::move(shares);
  return result;
}

/// Runs `capacity` one-vCPU slots for `hours` of server time, always
/// refilling a free slot with a 60-second job of the share the ordering
/// picks, and returns the vCPU-seconds each share received.
std::map<std::string, double> saturate(share_usage& usage,
                                       const std::vector<std::string>& shares,
                                       int capacity, int hours) {
  constexpr int64_t job_ms = 60'000;
  int64_t now = 1'000'000;
  fair_share_order order;
  uint64_t sequence = 0;
  auto refill = [&](const std::string& share) {
    order.push({"job-" + std::to_string(sequence), share, 0, sequence});
    ++sequence;
  };
  for (auto& share : shares) {
    usage.set_active(share, true);
    for (int i = 0; i < capacity; ++i)
      refill(share);
  }
  using running = std::pair<int64_t, std::string>;
  std::priority_queue<running, std::vector<running>, std::greater<>> ends;
  std::map<std::string, double> received;
  auto dispatch = [&] {
    auto share = order.shares_by_usage(usage, now).front();
    order.erase(order.head_of(share)->job_id);
    refill(share);
    usage.started(share, 1, now);
    ends.emplace(now + job_ms, share);
    received[share] += job_ms / 1000.0;
  };
  for (int i = 0; i < capacity; ++i)
    dispatch();
  auto end = now + int64_t{hours} * 3'600'000;
  while (now < end) {
    auto [when, share] = ends.top();
    ends.pop();
    now = when;
    usage.finished(share, 1, job_ms, now);
    dispatch();
  }
  return received;
}

} // namespace

TEST_CASE("weights 1 and 0.25 split saturated capacity 1:4") {
  share_usage usage;
  usage.configure(policy({{"heavy", 1.0}, {"light", 0.25}}), 0);
  auto received = saturate(usage, {"heavy", "light"}, 8, 6);
  auto ratio = received["light"] / received["heavy"];
  CHECK(ratio == doctest::Approx(4.0).epsilon(0.05));
}

TEST_CASE("equal weights split saturated capacity evenly") {
  share_usage usage;
  usage.configure(policy({}), 0);
  auto received = saturate(usage, {"a", "b", "c"}, 6, 2);
  CHECK(received["a"] == doctest::Approx(received["b"]).epsilon(0.05));
  CHECK(received["b"] == doctest::Approx(received["c"]).epsilon(0.05));
}

TEST_CASE("an idle share's usage decays with the window") {
  share_usage usage;
  auto p = policy({});
  p.share_decay_seconds = 1000;
  usage.configure(p, 0);
  usage.started("a", 2, 0);
  usage.finished("a", 2, 100'000, 100'000);
  auto at_stop = usage.usage("a", 100'000);
  CHECK(at_stop > 0);
  CHECK(usage.usage("a", 1'100'000) == doctest::Approx(at_stop / M_E));
}

TEST_CASE("a zero decay window means the ten-minute minimum") {
  share_usage usage;
  usage.configure(policy({}), 0);
  usage.started("a", 1, 0);
  usage.finished("a", 1, 1000, 1000);
  auto at_stop = usage.usage("a", 1000);
  CHECK(usage.usage("a", 601'000) == doctest::Approx(at_stop / M_E));
}

TEST_CASE("the reservation shrinks with each active share") {
  share_usage usage;
  usage.configure(policy({}, 50), 0);
  CHECK(usage.reserved_fraction() == 0);
  usage.set_active("a", true);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.5));
  usage.set_active("b", true);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.25));
  usage.set_active("a", false);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.5));
}

TEST_CASE("a prefix identifier splits its weight among its members") {
  share_usage usage;
  usage.configure(policy({{"team*", 1.0}, {"teamlead", 0.5}}), 0);
  usage.set_active("team1", true);
  CHECK(usage.weight_of("team1") == doctest::Approx(1.0));
  usage.set_active("team2", true);
  CHECK(usage.weight_of("team1") == doctest::Approx(2.0));
  CHECK(usage.weight_of("team2") == doctest::Approx(2.0));
  CHECK(usage.weight_of("teamlead") == doctest::Approx(0.5));
  CHECK(usage.weight_of("other") == doctest::Approx(1.0));
}

TEST_CASE("priority orders jobs within a share only") {
  share_usage usage;
  usage.configure(policy({}), 0);
  fair_share_order order;
  order.push({"a-low", "a", 1, 0});
  order.push({"a-high", "a", 9, 1});
  order.push({"b-low", "b", 0, 2});
  CHECK(order.head_of("a")->job_id == "a-high");
  usage.started("b", 1, 0);
  usage.finished("b", 1, 10'000, 10'000);
  CHECK(order.shares_by_usage(usage, 10'000).front() == "a");
  auto front = order.front(3, usage, 10'000);
  CHECK(front == std::vector<std::string>{"a-high", "b-low", "a-low"});
}

TEST_CASE("erasing a job removes it from its share") {
  fair_share_order order;
  order.push({"j1", "a", 0, 0});
  order.push({"j2", "a", 0, 1});
  CHECK(order.erase("j1"));
  CHECK_FALSE(order.erase("j1"));
  CHECK(order.head_of("a")->job_id == "j2");
  CHECK(order.erase("j2"));
  CHECK(order.head_of("a") == nullptr);
  CHECK(order.size() == 0);
}

} // namespace batch
