#include "actors/fair_share.hpp"

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <queue>

namespace batch {

namespace {

/// Returns a RUNNABLE 1-vCPU job of `share` with `priority`, submitted
/// `sequence`-th, queued at `queued_at`.
queued_job queued(const std::string& share, int64_t priority, uint64_t sequence,
                  int64_t queued_at = 0) {
  auto spec = std::make_shared<job_spec>();
  spec->id = share + "-" + std::to_string(sequence);
  spec->share_identifier = share;
  spec->scheduling_priority = priority;
  spec->sequence = sequence;
  return {std::move(spec), {}, queued_at};
}

std::string id_of(const queued_job* job) {
  return job ? job->spec->id : "<none>";
}

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
    order.push(queued(share, 0, sequence++));
  };
  for (auto& share : shares) {
    usage.set_active(share, true, now);
    for (int i = 0; i < capacity; ++i)
      refill(share);
  }
  using running = std::pair<int64_t, std::string>;
  std::priority_queue<running, std::vector<running>, std::greater<>> ends;
  std::map<std::string, double> received;
  auto dispatch = [&] {
    usage.advance(now);
    auto share = *order.next_share(usage, now);
    order.pop(share, now);
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
  usage.set_active("a", true, 0);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.5));
  usage.set_active("b", true, 0);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.25));
  usage.set_active("a", false, 0);
  CHECK(usage.reserved_fraction() == doctest::Approx(0.5));
}

TEST_CASE("a prefix identifier splits its weight among its members") {
  share_usage usage;
  usage.configure(policy({{"team*", 1.0}, {"teamlead", 0.5}}), 0);
  usage.set_active("team1", true, 0);
  CHECK(usage.weight_of("team1") == doctest::Approx(1.0));
  usage.set_active("team2", true, 0);
  CHECK(usage.weight_of("team1") == doctest::Approx(2.0));
  CHECK(usage.weight_of("team2") == doctest::Approx(2.0));
  CHECK(usage.weight_of("teamlead") == doctest::Approx(0.5));
  CHECK(usage.weight_of("other") == doctest::Approx(1.0));
}

TEST_CASE("a share's dispatch usage counts the work of its running jobs") {
  share_usage usage;
  usage.configure(policy({{"light", 0.25}}), 0);
  usage.started("heavy", 2, 0);
  usage.started("light", 2, 0);
  auto default_cost = share_usage::default_runtime_seconds / 2;
  CHECK(usage.dispatch_usage("heavy", 0) == doctest::Approx(2 * default_cost));
  CHECK(usage.dispatch_usage("light", 0)
        == doctest::Approx(0.5 * default_cost));
  usage.finished("heavy", 1, 60'000, 60'000);
  CHECK(usage.dispatch_cost("heavy", 1) == doctest::Approx(30.0));
  CHECK(usage.dispatch_usage("heavy", 60'000)
        == doctest::Approx(usage.usage("heavy", 60'000) + 30.0));
}

TEST_CASE("priority orders jobs within a share only") {
  share_usage usage;
  usage.configure(policy({}), 0);
  fair_share_order order;
  order.push(queued("a", 1, 0));
  order.push(queued("a", 9, 1));
  order.push(queued("b", 0, 2));
  CHECK(id_of(order.head_of("a")) == "a-1");
  usage.started("b", 1, 0);
  usage.finished("b", 1, 10'000, 10'000);
  usage.advance(10'000);
  CHECK(*order.next_share(usage, 10'000) == "a");
  auto front = order.front(3, usage, 10'000);
  REQUIRE(front.size() == 3);
  CHECK(id_of(front[0]) == "a-1");
  CHECK(id_of(front[1]) == "a-0");
  CHECK(id_of(front[2]) == "b-2");
}

TEST_CASE("the front interleaves shares by their weighted cost") {
  share_usage usage;
  usage.configure(policy({{"light", 0.25}}), 0);
  fair_share_order order;
  uint64_t sequence = 0;
  for (int i = 0; i < 5; ++i) {
    order.push(queued("heavy", 0, sequence++));
    order.push(queued("light", 0, sequence++));
  }
  std::string shares;
  for (auto* job : order.front(6, usage, 0))
    shares += job->spec->share_identifier.front();
  CHECK(shares == "hllllh");
}

TEST_CASE("removing a job removes it from its share") {
  fair_share_order order;
  auto first = queued("a", 0, 0);
  auto second = queued("a", 0, 1);
  order.push(first);
  order.push(second);
  CHECK(order.remove(*first.spec, 0));
  CHECK_FALSE(order.remove(*first.spec, 0));
  CHECK(id_of(order.head_of("a")) == "a-1");
  CHECK(order.remove(*second.spec, 0));
  CHECK(order.head_of("a") == nullptr);
  CHECK(order.empty());
}

TEST_CASE("a lane dates each position by the last departure ahead of it") {
  job_lane lane;
  auto first = queued("", 0, 1, 100);
  auto second = queued("", 0, 2, 200);
  auto third = queued("", 0, 3, 300);
  lane.push(first);
  lane.push(second);
  lane.push(third);
  CHECK(lane.position_since(third) == 300);
  lane.remove(*second.spec, 500);
  CHECK(lane.position_since(first) == 100);
  CHECK(lane.position_since(third) == 500);
  CHECK(id_of(lane.head()) == "-1");
  lane.pop(700);
  CHECK(lane.position_since(third) == 700);
}

} // namespace batch
