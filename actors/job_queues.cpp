#include "actors/job_queues.hpp"

#include "actors/job_queue.hpp"
#include "actors/resource_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/pagination.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace batch {

namespace {

/// AWS allows 50 job queues per region.
constexpr size_t max_job_queues = 50;

constexpr size_t max_page_size = 100;

constexpr auto internal_timeout = std::chrono::seconds{10};

spdlog::logger& logger() {
  static auto& instance = component_logger("job_queues");
  return instance;
}

std::vector<std::string> policies_of(const job_queue_record& record) {
  if (!record.scheduling_policy_arn)
    return {};
  return {*record.scheduling_policy_arn};
}

job_queues_state::references references_of(const job_queue_record& record) {
  return {record.compute_environment_arns(), policies_of(record)};
}

/// Returns the elements of `a` followed by those of `b` not in `a`.
std::vector<std::string> merged(std::vector<std::string> a,
                                const std::vector<std::string>& b) {
  for (auto& x : b)
    if (std::find(a.begin(), a.end(), x) == a.end())
      a.push_back(x);
  return a;
}

} // namespace

// -- references ---------------------------------------------------------------

void job_queues_state::to_environment_arns(
  std::vector<compute_environment_order_entry>& order) const {
  for (auto& entry : order)
    if (!is_arn(entry.compute_environment))
      entry.compute_environment
        = services.scope.arn("compute-environment", entry.compute_environment);
  sort_by_order(order);
}

void job_queues_state::claim(const std::string& queue_arn,
                             const references& refs) {
  self->send(compute_environments,
             compute_environment_references{queue_arn, refs.environments});
  self->send(scheduling_policies,
             scheduling_policy_references{queue_arn, refs.policies});
}

void job_queues_state::check(std::vector<std::string> environments,
                             std::optional<std::string> policy,
                             checked_callback on_checked,
                             failed_callback on_failed) {
  auto check_policy = [this, policy, on_checked, on_failed](std::string type) {
    if (!policy) {
      on_checked(std::move(type));
      return;
    }
    self
      ->request(scheduling_policies, internal_timeout,
                resolve_scheduling_policy{*policy})
      .await(
        [on_checked, type](scheduling_policy_record&) { on_checked(type); },
        [on_failed](caf::error& err) { on_failed(std::move(err)); });
  };
  if (environments.empty()) {
    check_policy({});
    return;
  }
  self
    ->request(compute_environments, internal_timeout,
              resolve_compute_environments{std::move(environments)})
    .await(
      [check_policy, on_failed](compute_environment_records& records) {
        auto type = job_queue_type_of(records);
        if (!type) {
          on_failed(std::move(type.error()));
          return;
        }
        check_policy(std::move(*type));
      },
      [on_failed](caf::error& err) { on_failed(std::move(err)); });
}

// -- lookup -------------------------------------------------------------------

job_queues_state::entry*
job_queues_state::find(const std::string& name_or_arn) {
  auto name = resource_id_in(services.scope, "job-queue", name_or_arn);
  if (!name)
    return nullptr;
  auto i = queues.find(*name);
  return i == queues.end() ? nullptr : &i->second;
}

void job_queues_state::publish(const job_queue_record& record) {
  if (services.events)
    caf::anon_send(services.events, job_queue_changed{record});
}

caf::error job_queues_state::not_found(const std::string& name_or_arn) {
  return client_error("JobQueue " + name_or_arn + " not found.");
}

// -- handlers -----------------------------------------------------------------

caf::result<job_queue_ref>
job_queues_state::on_create(create_job_queue& request) {
  auto record = std::move(request.record);
  if (queues.count(record.name) > 0)
    return client_error("Object already exists: job queue " + record.name);
  if (queues.size() >= max_job_queues)
    return client_error("A region can have at most 50 job queues");
  to_environment_arns(record.compute_environment_order);
  if (auto err
      = check_compute_environment_order(record.compute_environment_order))
    return err;
  record.arn = services.scope.arn("job-queue", record.name);
  auto refs = references_of(record);
  // Claim first: an environment or policy deleted while the check runs
  // then fails the check instead of leaving a dangling reference.
  claim(record.arn, refs);
  auto promise = self->make_response_promise<job_queue_ref>();
  auto fail = [this, promise, arn = record.arn](caf::error err) mutable {
    claim(arn, {});
    promise.deliver(std::move(err));
  };
  auto finish = [this, promise, record, fail](std::string type) mutable {
    if (record.job_queue_type && *record.job_queue_type != type)
      return fail(client_error("jobQueueType " + *record.job_queue_type
                               + " does not match the queue's compute "
                                 "environments ("
                               + type + ")"));
    record.job_queue_type = std::move(type);
    auto owner = self->spawn(job_queue, record);
    logger().info("name={} priority={} environments={} policy={} created",
                  record.name, record.priority,
                  record.compute_environment_order.size(),
                  record.scheduling_policy_arn.value_or("none"));
    publish(record);
    promise.deliver(job_queue_ref{record.name, record.arn});
    queues.emplace(record.name, entry{owner, record});
  };
  check(refs.environments, record.scheduling_policy_arn, finish, fail);
  return promise;
}

caf::result<job_queue_ref>
job_queues_state::on_update(update_job_queue& request) {
  auto found = find(request.job_queue);
  if (!found)
    return not_found(request.job_queue);
  if (request.compute_environment_order)
    to_environment_arns(*request.compute_environment_order);
  auto preview = found->snapshot;
  if (auto err = apply_update(preview, request))
    return err;
  auto before = references_of(found->snapshot);
  auto after = references_of(preview);
  auto arn = preview.arn;
  claim(arn, {merged(before.environments, after.environments),
              merged(before.policies, after.policies)});
  std::vector<std::string> environments;
  if (request.compute_environment_order)
    environments = after.environments;
  std::optional<std::string> policy;
  if (preview.scheduling_policy_arn != found->snapshot.scheduling_policy_arn)
    policy = preview.scheduling_policy_arn;
  auto promise = self->make_response_promise<job_queue_ref>();
  auto fail = [this, promise, arn, before](caf::error err) mutable {
    claim(arn, before);
    promise.deliver(std::move(err));
  };
  auto apply = [this, promise, request, owner = found->owner, arn, after,
                fail](std::string type) mutable {
    if (!type.empty())
      request.job_queue_type = std::move(type);
    self->request(owner, internal_timeout, request)
      .await(
        [this, promise, arn, after](job_queue_record& record) mutable {
          claim(arn, after);
          publish(record);
          promise.deliver(job_queue_ref{record.name, record.arn});
          if (auto i = queues.find(record.name); i != queues.end())
            i->second.snapshot = std::move(record);
        },
        [fail](caf::error& err) mutable { fail(std::move(err)); });
  };
  check(std::move(environments), std::move(policy), apply, fail);
  return promise;
}

caf::result<ack> job_queues_state::on_delete(const delete_job_queue& request) {
  auto found = find(request.job_queue);
  if (!found)
    return not_found(request.job_queue);
  auto& record = found->snapshot;
  if (record.state != "DISABLED")
    return client_error("Cannot delete, job queue " + record.name
                        + " must be DISABLED first");
  self->send_exit(found->owner, caf::exit_reason::user_shutdown);
  claim(record.arn, {});
  if (services.events)
    caf::anon_send(services.events, job_queue_removed{record.arn});
  logger().info("name={} deleted", record.name);
  queues.erase(record.name);
  return ack{};
}

caf::result<job_queue_page>
job_queues_state::on_describe(const describe_job_queues& request) {
  auto limit = page_size(request.max_results, max_page_size);
  if (!limit)
    return std::move(limit.error());
  job_queue_page page;
  if (!request.job_queues.empty()) {
    for (auto& name : request.job_queues)
      if (auto found = find(name))
        page.items.push_back(found->snapshot);
    return page;
  }
  std::string start;
  if (!request.next_token.empty()) {
    auto key = read_page_token(request.next_token);
    if (!key)
      return std::move(key.error());
    start = std::move(*key);
  }
  page.next_token = paginate(
    queues, start, *limit, [](const entry&) { return true; },
    [&page](const entry& e) { page.items.push_back(e.snapshot); });
  return page;
}

caf::result<job_queue_record>
job_queues_state::on_resolve(const resolve_job_queue& request) {
  auto found = find(request.job_queue);
  if (!found)
    return not_found(request.job_queue);
  return found->snapshot;
}

template <class Request>
caf::result<ack> job_queues_state::on_change_tags(const Request& request) {
  auto found = find(request.arn);
  if (!found)
    return not_found(request.arn);
  auto promise = self->make_response_promise<ack>();
  auto name = found->snapshot.name;
  self->request(found->owner, internal_timeout, request)
    .then(
      [this, promise, name](job_queue_record& record) mutable {
        if (auto i = queues.find(name); i != queues.end())
          i->second.snapshot = std::move(record);
        promise.deliver(ack{});
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<tag_map> job_queues_state::on_list_tags(const list_tags& request) {
  auto found = find(request.arn);
  if (!found)
    return not_found(request.arn);
  return found->snapshot.tags;
}

job_queues_actor::behavior_type
job_queues_directory(job_queues_state::pointer self, region_services services,
                     compute_environments_actor compute_environments,
                     scheduling_policies_actor scheduling_policies) {
  self->state.self = self;
  self->state.services = std::move(services);
  self->state.compute_environments = std::move(compute_environments);
  self->state.scheduling_policies = std::move(scheduling_policies);
  return {
    [self](create_job_queue& request) {
      return self->state.on_create(request);
    },
    [self](update_job_queue& request) {
      return self->state.on_update(request);
    },
    [self](const delete_job_queue& request) {
      return self->state.on_delete(request);
    },
    [self](const describe_job_queues& request) {
      return self->state.on_describe(request);
    },
    [self](const resolve_job_queue& request) {
      return self->state.on_resolve(request);
    },
    [self](const tag_resource& request) {
      return self->state.on_change_tags(request);
    },
    [self](const untag_resource& request) {
      return self->state.on_change_tags(request);
    },
    [self](const list_tags& request) {
      return self->state.on_list_tags(request);
    },
  };
}

} // namespace batch
