#include "actors/job_definitions.hpp"

#include "actors/resource_names.hpp"
#include "protocol/errors.hpp"
#include "protocol/pagination.hpp"
#include "runtime/logging.hpp"

#include <caf/all.hpp>

#include <cstdio>

namespace batch {

namespace {

constexpr size_t max_page_size = 100;

spdlog::logger& logger() {
  static auto& instance = component_logger("job_definitions");
  return instance;
}

/// Returns the positive revision number in `text`, or nothing.
std::optional<int64_t> parse_revision(std::string_view text) {
  if (text.empty() || text.size() > 9)
    return std::nullopt;
  int64_t value = 0;
  for (auto c : text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value == 0)
    return std::nullopt;
  return value;
}

/// AWS's refusal of a reference to no ACTIVE revision. A plain name is
/// called a name, as AWS does; an ARN or `name:revision` stands alone.
caf::error inactive_or_missing(const std::string& text, bool plain_name) {
  return client_error("JobDefinition " + std::string{plain_name ? "name " : ""}
                      + text + " does not exist or is not in ACTIVE status");
}

caf::error not_found(const std::string& text) {
  return client_error("JobDefinition " + text + " does not exist.");
}

} // namespace

std::optional<job_definition_reference>
parse_job_definition_reference(const resource_scope& scope,
                               const std::string& text) {
  auto id = resource_id_in(scope, "job-definition", text);
  if (!id || id->empty())
    return std::nullopt;
  auto colon = id->find(':');
  if (colon == std::string::npos)
    return job_definition_reference{std::move(*id), std::nullopt};
  auto revision = parse_revision(std::string_view{*id}.substr(colon + 1));
  if (!revision)
    return std::nullopt;
  return job_definition_reference{id->substr(0, colon), revision};
}

// -- lookup -------------------------------------------------------------------

std::string job_definitions_state::revision_key(const std::string& name,
                                                int64_t revision) {
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%010lld",
                static_cast<long long>(revision));
  return name + ":" + digits;
}

job_definition_record*
job_definitions_state::find_revision(const std::string& text) {
  auto ref = parse_job_definition_reference(services.scope, text);
  if (!ref || !ref->revision)
    return nullptr;
  auto i = revisions.find(revision_key(ref->name, *ref->revision));
  return i == revisions.end() ? nullptr : &i->second;
}

job_definition_record*
job_definitions_state::latest_active(const std::string& name) {
  auto first = revisions.lower_bound(name + ":");
  auto last = revisions.lower_bound(name + ";");
  for (auto i = last; i != first;) {
    --i;
    if (i->second.status == "ACTIVE")
      return &i->second;
  }
  return nullptr;
}

bool job_definitions_state::matches(const describe_job_definitions& request,
                                    const job_definition_record& record) {
  if (request.status && record.status != *request.status)
    return false;
  return !request.job_definition_name
         || record.name == *request.job_definition_name;
}

// -- handlers -----------------------------------------------------------------

job_definition_ref
job_definitions_state::on_register(register_job_definition& request) {
  auto& record = request.record;
  record.revision = ++last_revision[record.name];
  record.arn = services.scope.arn(
    "job-definition", record.name + ":" + std::to_string(record.revision));
  record.status = "ACTIVE";
  job_definition_ref ref{record.name, record.arn, record.revision};
  logger().info("name={} revision={} type={} registered", record.name,
                record.revision, record.type);
  revisions.emplace(revision_key(record.name, record.revision),
                    std::move(record));
  return ref;
}

caf::result<ack>
job_definitions_state::on_deregister(const deregister_job_definition& request) {
  auto ref
    = parse_job_definition_reference(services.scope, request.job_definition);
  if (ref && !ref->revision)
    return client_error("jobDefinition must name a revision: use "
                        "name:revision or the ARN of the revision");
  auto record = find_revision(request.job_definition);
  if (!record)
    return not_found(request.job_definition);
  if (record->status == "INACTIVE")
    return ack{};
  record->status = "INACTIVE";
  logger().info("name={} revision={} from=ACTIVE to=INACTIVE", record->name,
                record->revision);
  return ack{};
}

caf::result<job_definition_page>
job_definitions_state::on_describe(const describe_job_definitions& request) {
  auto limit = page_size(request.max_results, max_page_size);
  if (!limit)
    return std::move(limit.error());
  job_definition_page page;
  if (!request.job_definitions.empty()) {
    for (auto& text : request.job_definitions) {
      auto record = find_revision(text);
      if (record && (!request.status || record->status == *request.status))
        page.items.push_back(*record);
    }
    return page;
  }
  std::string start;
  if (!request.next_token.empty()) {
    auto key = read_page_token(request.next_token);
    if (!key)
      return std::move(key.error());
    start = std::move(*key);
  }
  if (request.job_definition_name && start < *request.job_definition_name + ":")
    start = *request.job_definition_name + ":";
  page.next_token = paginate(
    revisions, start, *limit,
    [&request](const job_definition_record& record) {
      return matches(request, record);
    },
    [&page](const job_definition_record& record) {
      page.items.push_back(record);
    });
  return page;
}

caf::result<job_definition_record>
job_definitions_state::on_resolve(const resolve_job_definition& request) {
  auto ref
    = parse_job_definition_reference(services.scope, request.job_definition);
  if (!ref)
    return inactive_or_missing(request.job_definition, false);
  auto record = ref->revision ? find_revision(request.job_definition)
                              : latest_active(ref->name);
  auto plain_name = !ref->revision && !is_arn(request.job_definition);
  if (!record || record->status != "ACTIVE")
    return inactive_or_missing(request.job_definition, plain_name);
  return *record;
}

caf::result<ack> job_definitions_state::on_tag(const tag_resource& request) {
  auto record = find_revision(request.arn);
  if (!record)
    return not_found(request.arn);
  if (auto err = merge_tags(record->tags, request.tags))
    return err;
  return ack{};
}

caf::result<ack>
job_definitions_state::on_untag(const untag_resource& request) {
  auto record = find_revision(request.arn);
  if (!record)
    return not_found(request.arn);
  for (auto& key : request.keys)
    record->tags.erase(key);
  return ack{};
}

caf::result<tag_map>
job_definitions_state::on_list_tags(const list_tags& request) {
  auto record = find_revision(request.arn);
  if (!record)
    return not_found(request.arn);
  return record->tags;
}

job_definitions_actor::behavior_type
job_definitions_directory(job_definitions_state::pointer self,
                          region_services services) {
  self->state.self = self;
  self->state.services = std::move(services);
  return {
    [self](register_job_definition& request) {
      return self->state.on_register(request);
    },
    [self](const deregister_job_definition& request) {
      return self->state.on_deregister(request);
    },
    [self](const describe_job_definitions& request) {
      return self->state.on_describe(request);
    },
    [self](const resolve_job_definition& request) {
      return self->state.on_resolve(request);
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
