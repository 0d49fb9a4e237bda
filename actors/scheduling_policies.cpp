#include "actors/scheduling_policies.hpp"

#include "actors/resource_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/pagination.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

namespace batch {

namespace {

constexpr size_t max_page_size = 100;

spdlog::logger& logger() {
  static auto& instance = component_logger("scheduling_policies");
  return instance;
}

/// Checks that `update` keeps the policy's type: once a policy is fair-share
/// or quota-share it stays so.
caf::error check_same_type(const scheduling_policy_record& record,
                           const scheduling_policy_record& update) {
  if (record.quota_share_policy && update.has_fairshare_policy)
    return client_error("A quotaSharePolicy can't be changed to a "
                        "fairsharePolicy");
  if (record.has_fairshare_policy && update.quota_share_policy)
    return client_error("A fairsharePolicy can't be changed to a "
                        "quotaSharePolicy");
  return {};
}

} // namespace

scheduling_policy_record*
scheduling_policies_state::find(const std::string& arn) {
  if (!is_arn(arn))
    return nullptr;
  auto name = resource_id_in(services.scope, "scheduling-policy", arn);
  if (!name)
    return nullptr;
  auto i = policies.find(*name);
  return i == policies.end() ? nullptr : &i->second;
}

bool scheduling_policies_state::in_use(const std::string& arn) const {
  auto i = queues_by_policy.find(arn);
  return i != queues_by_policy.end() && !i->second.empty();
}

void scheduling_policies_state::publish(
  const scheduling_policy_record& record) {
  if (services.events)
    caf::anon_send(services.events, scheduling_policy_changed{record});
}

caf::error scheduling_policies_state::not_found(const std::string& arn) {
  return client_error("SchedulingPolicy " + arn + " not found.");
}

caf::result<scheduling_policy_ref>
scheduling_policies_state::on_create(create_scheduling_policy& request) {
  auto& record = request.record;
  if (policies.count(record.name) > 0)
    return client_error("Object already exists: scheduling policy "
                        + record.name);
  record.arn = services.scope.arn("scheduling-policy", record.name);
  scheduling_policy_ref ref{record.name, record.arn};
  logger().info("name={} fairshare={} shares={} created", record.name,
                record.has_fairshare_policy, record.share_distribution.size());
  publish(record);
  auto name = record.name;
  policies.emplace(std::move(name), std::move(record));
  return ref;
}

caf::result<ack>
scheduling_policies_state::on_update(const update_scheduling_policy& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  auto& changes = request.changes;
  if (auto err = check_same_type(*record, changes))
    return err;
  if (changes.has_fairshare_policy) {
    record->has_fairshare_policy = true;
    record->share_decay_seconds = changes.share_decay_seconds;
    record->compute_reservation = changes.compute_reservation;
    record->share_distribution = changes.share_distribution;
  }
  if (changes.quota_share_policy)
    record->quota_share_policy = changes.quota_share_policy;
  logger().info("name={} shares={} updated", record->name,
                record->share_distribution.size());
  publish(*record);
  return ack{};
}

caf::result<ack>
scheduling_policies_state::on_delete(const delete_scheduling_policy& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  // AWS words this refusal as it does for compute environments.
  if (in_use(record->arn))
    return client_error("Cannot delete, found existing JobQueue relationship");
  logger().info("name={} deleted", record->name);
  queues_by_policy.erase(record->arn);
  policies.erase(record->name);
  return ack{};
}

scheduling_policy_records scheduling_policies_state::on_describe(
  const describe_scheduling_policies& request) {
  scheduling_policy_records result;
  for (auto& arn : request.arns)
    if (auto record = find(arn))
      result.push_back(*record);
  return result;
}

caf::result<scheduling_policy_arn_page>
scheduling_policies_state::on_list(const list_scheduling_policies& request) {
  auto limit = page_size(request.max_results, max_page_size);
  if (!limit)
    return std::move(limit.error());
  std::string start;
  if (!request.next_token.empty()) {
    auto key = read_page_token(request.next_token);
    if (!key)
      return std::move(key.error());
    start = std::move(*key);
  }
  scheduling_policy_arn_page page;
  page.next_token = paginate(
    policies, start, *limit,
    [](const scheduling_policy_record&) { return true; },
    [&page](const scheduling_policy_record& record) {
      page.arns.push_back(record.arn);
    });
  return page;
}

caf::result<scheduling_policy_record> scheduling_policies_state::on_resolve(
  const resolve_scheduling_policy& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  return *record;
}

void scheduling_policies_state::on_references(
  const scheduling_policy_references& references) {
  for (auto& [policy, queues] : queues_by_policy)
    queues.erase(references.job_queue_arn);
  for (auto& policy : references.scheduling_policy_arns)
    queues_by_policy[policy].insert(references.job_queue_arn);
}

caf::result<ack>
scheduling_policies_state::on_tag(const tag_resource& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  if (auto err = merge_tags(record->tags, request.tags))
    return err;
  return ack{};
}

caf::result<ack>
scheduling_policies_state::on_untag(const untag_resource& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  for (auto& key : request.keys)
    record->tags.erase(key);
  return ack{};
}

caf::result<tag_map>
scheduling_policies_state::on_list_tags(const list_tags& request) {
  auto record = find(request.arn);
  if (!record)
    return not_found(request.arn);
  return record->tags;
}

scheduling_policies_actor::behavior_type
scheduling_policies_directory(scheduling_policies_state::pointer self,
                              region_services services) {
  self->state.self = self;
  self->state.services = std::move(services);
  return {
    [self](create_scheduling_policy& request) {
      return self->state.on_create(request);
    },
    [self](const update_scheduling_policy& request) {
      return self->state.on_update(request);
    },
    [self](const delete_scheduling_policy& request) {
      return self->state.on_delete(request);
    },
    [self](const describe_scheduling_policies& request) {
      return self->state.on_describe(request);
    },
    [self](const list_scheduling_policies& request) {
      return self->state.on_list(request);
    },
    [self](const resolve_scheduling_policy& request) {
      return self->state.on_resolve(request);
    },
    [self](const scheduling_policy_references& references) {
      self->state.on_references(references);
    },
    [self](const tag_resource& request) { return self->state.on_tag(request); },
    [self](const untag_resource& request) {
      return self->state.on_untag(request);
    },
    [self](const list_tags& request) {
      return self->state.on_list_tags(request);
    },
  };
}

} // namespace batch
