#include "actors/compute_environments.hpp"

#include "actors/compute_environment.hpp"
#include "actors/resource_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/pagination.hpp"
#include "runtime/ids.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

namespace batch {

namespace {

/// AWS allows 50 compute environments per region.
constexpr size_t max_compute_environments = 50;

constexpr auto internal_timeout = std::chrono::seconds{10};

spdlog::logger& logger() {
  static auto& instance = component_logger("compute_environments");
  return instance;
}

} // namespace

compute_environments_state::entry*
compute_environments_state::find(const std::string& name_or_arn) {
  auto name
    = resource_id_in(services.scope, "compute-environment", name_or_arn);
  if (!name)
    return nullptr;
  auto i = environments.find(*name);
  return i == environments.end() ? nullptr : &i->second;
}

void compute_environments_state::publish(
  const compute_environment_record& record) {
  if (services.events)
    caf::anon_send(services.events, compute_environment_changed{record});
}

caf::error compute_environments_state::not_found(const std::string& name) {
  return client_error("ComputeEnvironment " + name + " not found.");
}

caf::result<compute_environment_ref>
compute_environments_state::on_create(create_compute_environment& request) {
  auto& record = request.record;
  if (environments.count(record.name) > 0)
    return client_error("Object already exists: compute environment "
                        + record.name);
  if (environments.size() >= max_compute_environments)
    return client_error("A region can have at most 50 compute environments");
  record.arn = services.scope.arn("compute-environment", record.name);
  record.uuid = make_uuid();
  record.ecs_cluster_arn = "arn:aws:ecs:" + services.scope.region + ":"
                           + services.scope.account_id + ":cluster/"
                           + record.name + "_Batch_" + record.uuid;
  auto owner = self->spawn(compute_environment, record);
  compute_environment_ref ref{record.name, record.arn};
  logger().info("name={} type={} state={} vcpus={} created", record.name,
                record.type, record.state, record.vcpu_capacity());
  publish(record);
  auto name = record.name;
  environments.emplace(std::move(name), entry{owner, std::move(record)});
  return ref;
}

caf::result<compute_environment_ref> compute_environments_state::on_update(
  const update_compute_environment& request) {
  auto found = find(request.compute_environment);
  if (!found)
    return not_found(request.compute_environment);
  auto promise = self->make_response_promise<compute_environment_ref>();
  auto name = found->snapshot.name;
  self->request(found->owner, internal_timeout, request)
    .then(
      [this, promise, name](compute_environment_record& record) mutable {
        compute_environment_ref ref{record.name, record.arn};
        publish(record);
        if (auto i = environments.find(name); i != environments.end())
          i->second.snapshot = std::move(record);
        promise.deliver(std::move(ref));
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<ack> compute_environments_state::on_delete(
  const delete_compute_environment& request) {
  auto found = find(request.compute_environment);
  if (!found)
    return not_found(request.compute_environment);
  auto& record = found->snapshot;
  if (record.state != "DISABLED")
    return client_error("Cannot delete, compute environment " + record.name
                        + " must be DISABLED first");
  auto refs = queues_by_environment.find(record.arn);
  if (refs != queues_by_environment.end() && !refs->second.empty())
    return client_error("Cannot delete, found existing JobQueue relationship");
  self->send_exit(found->owner, caf::exit_reason::user_shutdown);
  if (services.events)
    caf::anon_send(services.events, compute_environment_removed{record.arn});
  logger().info("name={} deleted", record.name);
  environments.erase(record.name);
  return ack{};
}

caf::result<compute_environment_page> compute_environments_state::on_describe(
  const describe_compute_environments& request) {
  auto limit = page_size(request.max_results, 100);
  if (!limit)
    return std::move(limit.error());
  compute_environment_page page;
  if (!request.compute_environments.empty()) {
    for (auto& name : request.compute_environments)
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
    environments, start, *limit, [](const entry&) { return true; },
    [&page](const entry& e) { page.items.push_back(e.snapshot); });
  return page;
}

caf::result<compute_environment_records> compute_environments_state::on_resolve(
  const resolve_compute_environments& request) {
  compute_environment_records result;
  for (auto& name : request.compute_environments) {
    auto found = find(name);
    if (!found)
      return not_found(name);
    result.push_back(found->snapshot);
  }
  return result;
}

void compute_environments_state::on_references(
  const compute_environment_references& references) {
  for (auto& [environment, queues] : queues_by_environment)
    queues.erase(references.job_queue_arn);
  for (auto& environment : references.compute_environment_arns)
    queues_by_environment[environment].insert(references.job_queue_arn);
}

template <class Request>
caf::result<ack>
compute_environments_state::on_change_tags(const Request& request) {
  auto found = find(request.arn);
  if (!found)
    return not_found(request.arn);
  auto promise = self->make_response_promise<ack>();
  auto name = found->snapshot.name;
  self->request(found->owner, internal_timeout, request)
    .then(
      [this, promise, name](compute_environment_record& record) mutable {
        if (auto i = environments.find(name); i != environments.end())
          i->second.snapshot = std::move(record);
        promise.deliver(ack{});
      },
      [promise](caf::error& err) mutable { promise.deliver(std::move(err)); });
  return promise;
}

caf::result<tag_map>
compute_environments_state::on_list_tags(const list_tags& request) {
  auto found = find(request.arn);
  if (!found)
    return not_found(request.arn);
  return found->snapshot.tags;
}

compute_environments_actor::behavior_type
compute_environments_directory(compute_environments_state::pointer self,
                               region_services services) {
  self->state.self = self;
  self->state.services = std::move(services);
  return {
    [self](create_compute_environment& request) {
      return self->state.on_create(request);
    },
    [self](const update_compute_environment& request) {
      return self->state.on_update(request);
    },
    [self](const delete_compute_environment& request) {
      return self->state.on_delete(request);
    },
    [self](const describe_compute_environments& request) {
      return self->state.on_describe(request);
    },
    [self](const resolve_compute_environments& request) {
      return self->state.on_resolve(request);
    },
    [self](const compute_environment_references& references) {
      self->state.on_references(references);
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
