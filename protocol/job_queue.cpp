#include "protocol/job_queue.hpp"

#include "protocol/errors.hpp"
#include "protocol/validation.hpp"

#include <algorithm>
#include <set>

namespace batch {

namespace {

/// AWS allows up to 3 compute environments per job queue.
constexpr size_t max_compute_environments = 3;

/// The model gives no range for priority; 0..1000 is the range the AWS
/// console and CloudFormation accept.
constexpr int64_t max_priority = 1000;

constexpr int64_t min_time_limit_seconds = 600;
constexpr int64_t max_time_limit_seconds = 86'400;

/// jobStateTimeLimitActions has one action per eligible reason at most.
constexpr size_t max_time_limit_actions = 5;

constexpr size_t max_described_queues = 100;

/// The RUNNABLE status reasons a time limit action may act on: the capacity
/// and misconfiguration reasons AWS Batch documents for jobs stuck at the
/// head of a queue.
constexpr std::string_view time_limit_reasons[] = {
  "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
  "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE",
  "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
  "MISCONFIGURATION:SERVICE_ROLE_PERMISSIONS",
  "MISCONFIGURATION:EC2_INSTANCE_CONFIGURATION_UNSUPPORTED",
};

bool is_time_limit_reason(std::string_view reason) {
  for (auto candidate : time_limit_reasons)
    if (candidate == reason)
      return true;
  return false;
}

std::vector<compute_environment_order_entry>
read_compute_environment_order(object_reader& in) {
  std::vector<compute_environment_order_entry> result;
  auto entries = in.array("computeEnvironmentOrder");
  if (!entries)
    return result;
  for_each_object(in, *entries, "computeEnvironmentOrder", [&](auto& entry) {
    compute_environment_order_entry item;
    auto order = entry.integer("order");
    if (!order && entry.ok())
      entry.fail(entry.name_of("order") + " is required");
    item.order = order.value_or(0);
    item.compute_environment = entry.required_string("computeEnvironment");
    result.push_back(std::move(item));
  });
  return result;
}

std::vector<job_state_time_limit_action>
read_time_limit_actions(object_reader& in) {
  std::vector<job_state_time_limit_action> result;
  auto entries = in.array("jobStateTimeLimitActions");
  if (!entries)
    return result;
  for_each_object(in, *entries, "jobStateTimeLimitActions", [&](auto& entry) {
    job_state_time_limit_action item;
    item.reason = entry.required_string("reason");
    item.state = entry.required_string("state");
    auto seconds = entry.integer("maxTimeSeconds");
    if (!seconds && entry.ok())
      entry.fail(entry.name_of("maxTimeSeconds") + " is required");
    item.max_time_seconds = seconds.value_or(0);
    item.action = entry.required_string("action");
    result.push_back(std::move(item));
  });
  return result;
}

/// Rejects the members that belong to features batchd does not have.
caf::error check_unsupported(object_reader& in) {
  if (in.array("serviceEnvironmentOrder"))
    return client_error("batchd does not support service environments "
                        "(serviceEnvironmentOrder) yet");
  return {};
}

caf::error check_state(const std::optional<std::string>& state) {
  if (!state)
    return {};
  return check_enum(*state, {"ENABLED", "DISABLED"}, "state");
}

caf::error check_priority(const std::optional<int64_t>& priority) {
  if (!priority)
    return {};
  return check_range(*priority, 0, max_priority, "priority");
}

caf::error check_job_queue_type(const std::optional<std::string>& type) {
  if (!type)
    return {};
  if (*type == "SAGEMAKER_TRAINING")
    return client_error("batchd does not support SAGEMAKER_TRAINING job "
                        "queues yet");
  return check_enum(*type, {"ECS", "ECS_FARGATE", "EKS"}, "jobQueueType");
}

caf::error check_policy_arn(const std::optional<std::string>& arn) {
  if (!arn || is_arn(*arn))
    return {};
  return client_error("schedulingPolicyArn must be the ARN of a scheduling "
                      "policy");
}

json encode_order(const std::vector<compute_environment_order_entry>& order) {
  auto out = json::array();
  for (auto& entry : order)
    out.push_back({{"order", entry.order},
                   {"computeEnvironment", entry.compute_environment}});
  return out;
}

json encode_actions(const std::vector<job_state_time_limit_action>& actions) {
  auto out = json::array();
  for (auto& action : actions)
    out.push_back({{"reason", action.reason},
                   {"state", action.state},
                   {"maxTimeSeconds", action.max_time_seconds},
                   {"action", action.action}});
  return out;
}

/// Returns the kind of queue `environment` can serve.
std::string queue_type_of(const compute_environment_record& environment) {
  if (environment.container_orchestration_type == "EKS")
    return "EKS";
  if (!environment.compute_resources)
    return "ECS";
  auto resources = parse_stored_json(*environment.compute_resources);
  auto type = resources.is_object() ? resources.value("type", "") : "";
  return type == "FARGATE" || type == "FARGATE_SPOT" ? "ECS_FARGATE" : "ECS";
}

} // namespace

caf::expected<std::string>
job_queue_type_of(const compute_environment_records& environments) {
  std::string result;
  for (auto& environment : environments) {
    if (environment.status != "VALID")
      return client_error("Compute environment " + environment.arn
                          + " is not VALID and can't be associated with a "
                            "job queue");
    auto type = queue_type_of(environment);
    if (!result.empty() && type != result)
      return client_error("The compute environments of a job queue can't mix "
                          "EC2, Fargate and EKS: found "
                          + result + " and " + type);
    result = std::move(type);
  }
  return result;
}

std::vector<std::string> job_queue_record::compute_environment_arns() const {
  std::vector<std::string> result;
  for (auto& entry : compute_environment_order)
    result.push_back(entry.compute_environment);
  return result;
}

caf::error check_compute_environment_order(
  const std::vector<compute_environment_order_entry>& order) {
  if (order.empty() || order.size() > max_compute_environments)
    return client_error("computeEnvironmentOrder must list 1 to 3 compute "
                        "environments");
  std::set<int64_t> orders;
  std::set<std::string> environments;
  for (auto& entry : order) {
    if (entry.order < 0)
      return client_error("computeEnvironmentOrder.order must not be "
                          "negative");
    if (!orders.insert(entry.order).second)
      return client_error("computeEnvironmentOrder lists order "
                          + std::to_string(entry.order) + " twice");
    if (!environments.insert(entry.compute_environment).second)
      return client_error("computeEnvironmentOrder lists compute environment "
                          + entry.compute_environment + " twice");
  }
  return {};
}

caf::error check_job_state_time_limit_actions(
  const std::vector<job_state_time_limit_action>& actions) {
  if (actions.size() > max_time_limit_actions)
    return client_error("jobStateTimeLimitActions can list at most 5 actions");
  std::set<std::string> reasons;
  for (auto& action : actions) {
    if (auto err = check_enum(action.state, {"RUNNABLE"},
                              "jobStateTimeLimitActions.state"))
      return err;
    if (auto err = check_enum(action.action, {"CANCEL"},
                              "jobStateTimeLimitActions.action"))
      return err;
    if (auto err = check_range(action.max_time_seconds, min_time_limit_seconds,
                               max_time_limit_seconds,
                               "jobStateTimeLimitActions.maxTimeSeconds"))
      return err;
    if (!is_time_limit_reason(action.reason))
      return client_error("jobStateTimeLimitActions.reason " + action.reason
                          + " is not a reason a time limit action can act "
                            "on");
    if (!reasons.insert(action.reason).second)
      return client_error("jobStateTimeLimitActions lists reason "
                          + action.reason + " twice");
  }
  return {};
}

caf::expected<create_job_queue>
decode_create_job_queue(simdjson::dom::object body) {
  object_reader in{body};
  job_queue_record record;
  record.name = in.required_string("jobQueueName");
  auto priority = in.integer("priority");
  if (!priority && in.ok())
    in.fail("priority is required");
  record.priority = priority.value_or(0);
  record.state = in.string("state").value_or("ENABLED");
  record.scheduling_policy_arn = in.string("schedulingPolicyArn");
  record.compute_environment_order = read_compute_environment_order(in);
  record.job_state_time_limit_actions = read_time_limit_actions(in);
  record.job_queue_type = in.string("jobQueueType");
  record.tags = in.string_map("tags").value_or(tag_map{});
  auto unsupported = check_unsupported(in);
  if (!in.ok())
    return in.error();
  for (auto err :
       {std::move(unsupported), check_name(record.name, "jobQueueName"),
        check_priority(record.priority), check_state(record.state),
        check_policy_arn(record.scheduling_policy_arn),
        check_compute_environment_order(record.compute_environment_order),
        check_job_state_time_limit_actions(record.job_state_time_limit_actions),
        check_job_queue_type(record.job_queue_type), check_tags(record.tags)})
    if (err)
      return err;
  sort_by_order(record.compute_environment_order);
  return create_job_queue{std::move(record)};
}

caf::expected<update_job_queue>
decode_update_job_queue(simdjson::dom::object body) {
  object_reader in{body};
  update_job_queue result;
  result.job_queue = in.required_string("jobQueue");
  result.state = in.string("state");
  result.priority = in.integer("priority");
  result.scheduling_policy_arn = in.string("schedulingPolicyArn");
  if (in.array("computeEnvironmentOrder"))
    result.compute_environment_order = read_compute_environment_order(in);
  if (in.array("jobStateTimeLimitActions"))
    result.job_state_time_limit_actions = read_time_limit_actions(in);
  auto unsupported = check_unsupported(in);
  if (!in.ok())
    return in.error();
  if (unsupported)
    return unsupported;
  if (auto err = check_state(result.state))
    return err;
  if (auto err = check_priority(result.priority))
    return err;
  if (result.compute_environment_order) {
    if (auto err
        = check_compute_environment_order(*result.compute_environment_order))
      return err;
    sort_by_order(*result.compute_environment_order);
  }
  if (result.job_state_time_limit_actions)
    if (auto err = check_job_state_time_limit_actions(
          *result.job_state_time_limit_actions))
      return err;
  return result;
}

caf::expected<delete_job_queue>
decode_delete_job_queue(simdjson::dom::object body) {
  object_reader in{body};
  delete_job_queue result;
  result.job_queue = in.required_string("jobQueue");
  if (!in.ok())
    return in.error();
  return result;
}

caf::expected<describe_job_queues>
decode_describe_job_queues(simdjson::dom::object body) {
  object_reader in{body};
  describe_job_queues result;
  auto names = in.string_list("jobQueues");
  result.job_queues = names.value_or(std::vector<std::string>{});
  result.max_results = in.integer("maxResults");
  result.next_token = in.string("nextToken").value_or("");
  if (!in.ok())
    return in.error();
  if (result.job_queues.size() > max_described_queues)
    return client_error("jobQueues can list at most 100 entries");
  return result;
}

caf::error apply_update(job_queue_record& record,
                        const update_job_queue& update) {
  auto updated = record;
  if (update.state)
    updated.state = *update.state;
  if (update.priority)
    updated.priority = *update.priority;
  if (update.scheduling_policy_arn) {
    if (!record.scheduling_policy_arn)
      return client_error("Job queue " + record.name
                          + " is a FIFO queue and can't have a scheduling "
                            "policy added");
    if (update.scheduling_policy_arn->empty())
      return client_error("The scheduling policy of job queue " + record.name
                          + " can be replaced but not removed");
    if (auto err = check_policy_arn(update.scheduling_policy_arn))
      return err;
    updated.scheduling_policy_arn = update.scheduling_policy_arn;
  }
  if (update.compute_environment_order) {
    if (auto err
        = check_compute_environment_order(*update.compute_environment_order))
      return err;
    updated.compute_environment_order = *update.compute_environment_order;
    sort_by_order(updated.compute_environment_order);
  }
  if (update.job_state_time_limit_actions)
    updated.job_state_time_limit_actions = *update.job_state_time_limit_actions;
  if (update.job_queue_type)
    updated.job_queue_type = update.job_queue_type;
  record = std::move(updated);
  return {};
}

json encode(const job_queue_record& record) {
  json out = {
    {"jobQueueName", record.name},
    {"jobQueueArn", record.arn},
    {"state", record.state},
    {"status", record.status},
    {"statusReason", record.status_reason},
    {"priority", record.priority},
    {"computeEnvironmentOrder", encode_order(record.compute_environment_order)},
    {"tags", record.tags},
  };
  if (record.scheduling_policy_arn)
    out["schedulingPolicyArn"] = *record.scheduling_policy_arn;
  if (record.job_queue_type)
    out["jobQueueType"] = *record.job_queue_type;
  if (!record.job_state_time_limit_actions.empty())
    out["jobStateTimeLimitActions"]
      = encode_actions(record.job_state_time_limit_actions);
  return out;
}

json encode(const job_queue_ref& ref) {
  return {{"jobQueueName", ref.name}, {"jobQueueArn", ref.arn}};
}

json encode(const job_queue_page& page) {
  auto items = json::array();
  for (auto& record : page.items)
    items.push_back(encode(record));
  json out = {{"jobQueues", std::move(items)}};
  if (!page.next_token.empty())
    out["nextToken"] = page.next_token;
  return out;
}

void sort_by_order(std::vector<compute_environment_order_entry>& order) {
  std::stable_sort(
    order.begin(), order.end(),
    [](const auto& a, const auto& b) { return a.order < b.order; });
}

} // namespace batch
