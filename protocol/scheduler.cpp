#include "protocol/scheduler.hpp"

namespace batch {

namespace {

/// The capacity unit of jobs on ECS compute environments.
constexpr const char* vcpu_unit = "VCPU";

json capacity_usage(double vcpus) {
  return json::array({{{"capacityUnit", vcpu_unit}, {"quantity", vcpus}}});
}

json fairshare_utilization(const job_queue_snapshot& snapshot) {
  auto top = json::array();
  for (auto& share : snapshot.busiest_shares)
    top.push_back({{"shareIdentifier", share.share_identifier},
                   {"capacityUsage", capacity_usage(share.vcpus)}});
  return {{"activeShareCount", snapshot.active_share_count},
          {"topCapacityUtilization", std::move(top)}};
}

} // namespace

caf::expected<get_job_queue_snapshot>
decode_get_job_queue_snapshot(simdjson::dom::object body) {
  object_reader in{body};
  get_job_queue_snapshot result;
  result.job_queue = in.required_string("jobQueue");
  if (!in.ok())
    return in.error();
  return result;
}

json encode(const job_queue_snapshot& snapshot) {
  auto jobs = json::array();
  for (auto& job : snapshot.jobs)
    jobs.push_back({{"jobArn", job.job_arn},
                    {"earliestTimeAtPosition", job.earliest_time_at_position}});
  json utilization{{"totalCapacityUsage", capacity_usage(snapshot.used_vcpus)},
                   {"lastUpdatedAt", snapshot.last_updated_at}};
  if (snapshot.fair_share)
    utilization["fairshareUtilization"] = fairshare_utilization(snapshot);
  return {
    {"frontOfQueue",
     {{"jobs", std::move(jobs)}, {"lastUpdatedAt", snapshot.last_updated_at}}},
    {"queueUtilization", std::move(utilization)}};
}

} // namespace batch
