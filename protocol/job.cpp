#include "protocol/job.hpp"

#include "protocol/errors.hpp"
#include "protocol/job_container.hpp"
#include "protocol/validation.hpp"

#include <array>
#include <cctype>
#include <cstdlib>

namespace batch {

namespace {

constexpr std::array<std::string_view, job_status_count> status_names = {
  "SUBMITTED", "PENDING",   "RUNNABLE", "STARTING",
  "RUNNING",   "SUCCEEDED", "FAILED",
};

constexpr size_t max_job_name_length = 128;
constexpr size_t max_share_identifier_length = 255;
constexpr int64_t max_scheduling_priority = 9999;
constexpr int64_t max_retry_attempts = 10;
constexpr size_t max_evaluate_on_exit = 5;
constexpr size_t max_exit_pattern_length = 512;
constexpr int64_t min_timeout_seconds = 60;
constexpr size_t max_dependencies = 20;
constexpr int64_t min_array_size = 2;
constexpr int64_t max_array_size = 10'000;
constexpr size_t max_describe_jobs = 100;
constexpr size_t max_cancel_reason = 1024;

bool is_alphanumeric(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

caf::error unsupported(std::string_view member, std::string_view feature) {
  return client_error("batchd does not support " + std::string{feature} + " ("
                      + std::string{member} + ") yet");
}

/// Returns true if `text` is a positive decimal number.
bool is_positive_number(const std::string& text) {
  char* end = nullptr;
  auto value = std::strtod(text.c_str(), &end);
  return !text.empty() && end == text.c_str() + text.size() && value > 0;
}

/// Returns true if `text` is a non-negative integer.
bool is_count(const std::string& text) {
  if (text.empty() || text.size() > 18)
    return false;
  for (auto c : text)
    if (c < '0' || c > '9')
      return false;
  return true;
}

void read_environment_entry(object_reader& entry) {
  auto name = entry.required_string("name");
  entry.string("value");
  if (entry.ok() && name.rfind("AWS_BATCH", 0) == 0)
    entry.fail("Environment variable " + name
               + " uses the reserved prefix AWS_BATCH");
}

void read_resource_requirement(object_reader& entry) {
  auto type = entry.required_string("type");
  auto value = entry.required_string("value");
  if (!entry.ok())
    return;
  auto ok = false;
  if (type == "VCPU")
    ok = is_positive_number(value);
  else if (type == "MEMORY" || type == "GPU")
    ok = is_count(value) && (type == "GPU" || std::stoll(value) >= 4);
  else
    return entry.fail(entry.name_of("type")
                      + " must be one of: VCPU, MEMORY, GPU");
  if (!ok)
    entry.fail(entry.name_of("value") + " " + value
               + " is not a valid amount of " + type);
}

void read_container_overrides(object_reader& in, submit_job& result) {
  auto members = in.object("containerOverrides");
  if (!members)
    return;
  object_reader overrides{*members, "containerOverrides."};
  overrides.integer("vcpus");
  overrides.integer("memory");
  overrides.string("instanceType");
  if (auto command = overrides.string_list("command"))
    for (auto& word : *command)
      if (word.empty())
        overrides.fail("containerOverrides.command must not contain empty "
                       "strings");
  if (auto environment = overrides.array("environment"))
    for_each_object(overrides, *environment, "environment",
                    read_environment_entry);
  if (auto requirements = overrides.array("resourceRequirements"))
    for_each_object(overrides, *requirements, "resourceRequirements",
                    read_resource_requirement);
  if (!overrides.ok())
    return in.fail(overrides.failure());
  result.container_overrides = in.document("containerOverrides").value_or("");
}

/// Checks an evaluateOnExit pattern: at most 512 characters of `allowed`,
/// optionally ending in `*`.
template <class Allowed>
void check_exit_pattern(object_reader& entry, std::string_view key,
                        Allowed allowed) {
  auto pattern = entry.string(key);
  if (!pattern)
    return;
  auto stem = std::string_view{*pattern};
  if (!stem.empty() && stem.back() == '*')
    stem.remove_suffix(1);
  auto ok = pattern->size() <= max_exit_pattern_length;
  for (auto c : stem)
    ok = ok && allowed(c);
  if (!ok)
    entry.fail(entry.name_of(key) + " is not a valid pattern");
}

void read_evaluate_on_exit(object_reader& entry) {
  auto action = entry.required_string("action");
  for (auto& c : action)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (entry.ok() && action != "RETRY" && action != "EXIT")
    entry.fail(entry.name_of("action") + " must be RETRY or EXIT");
  auto reason_char = [](char c) {
    return is_alphanumeric(c) || c == '.' || c == ':' || c == ' ' || c == '\t';
  };
  check_exit_pattern(entry, "onStatusReason", reason_char);
  check_exit_pattern(entry, "onReason", reason_char);
  check_exit_pattern(entry, "onExitCode",
                     [](char c) { return c >= '0' && c <= '9'; });
}

void read_retry_strategy(object_reader& in, submit_job& result) {
  auto members = in.object("retryStrategy");
  if (!members)
    return;
  object_reader strategy{*members, "retryStrategy."};
  auto attempts = strategy.integer("attempts");
  auto conditions = strategy.array("evaluateOnExit");
  if (attempts && (*attempts < 1 || *attempts > max_retry_attempts))
    strategy.fail("retryStrategy.attempts must be between 1 and 10");
  if (conditions) {
    if (conditions->size() > max_evaluate_on_exit)
      strategy.fail("retryStrategy.evaluateOnExit can have at most 5 "
                    "entries");
    if (!attempts)
      strategy.fail("retryStrategy.attempts is required with "
                    "evaluateOnExit");
    for_each_object(strategy, *conditions, "evaluateOnExit",
                    read_evaluate_on_exit);
  }
  if (!strategy.ok())
    return in.fail(strategy.failure());
  result.retry_strategy = in.document("retryStrategy").value_or("");
}

void read_timeout(object_reader& in, submit_job& result) {
  auto members = in.object("timeout");
  if (!members)
    return;
  object_reader timeout{*members, "timeout."};
  result.timeout_seconds = timeout.integer("attemptDurationSeconds");
  if (timeout.ok() && result.timeout_seconds
      && *result.timeout_seconds < min_timeout_seconds)
    timeout.fail("timeout.attemptDurationSeconds must be at least 60");
  if (!timeout.ok())
    in.fail(timeout.failure());
}

void read_depends_on(object_reader& in, submit_job& result) {
  auto entries = in.array("dependsOn");
  if (!entries)
    return;
  if (entries->size() > max_dependencies)
    return in.fail("A job can depend on at most 20 jobs");
  for_each_object(in, *entries, "dependsOn", [&](object_reader& entry) {
    job_dependency dependency;
    dependency.job_id = entry.string("jobId").value_or("");
    dependency.type = entry.string("type").value_or("");
    if (!dependency.type.empty() && dependency.type != "N_TO_N"
        && dependency.type != "SEQUENTIAL")
      entry.fail(entry.name_of("type") + " must be N_TO_N or SEQUENTIAL");
    result.depends_on.push_back(std::move(dependency));
  });
}

void read_array_properties(object_reader& in, submit_job& result) {
  auto members = in.object("arrayProperties");
  if (!members)
    return;
  object_reader properties{*members, "arrayProperties."};
  result.array_size = properties.integer("size");
  if (!properties.ok())
    in.fail(properties.failure());
}

/// Refuses the members of SubmitJob that batchd does not run yet.
caf::error refuse_unsupported(simdjson::dom::object body,
                              const submit_job& request) {
  struct feature {
    const char* member;
    const char* name;
  };
  static constexpr feature features[] = {
    {"nodeOverrides", "multi-node parallel jobs"},
    {"eksPropertiesOverride", "Amazon EKS jobs"},
    {"ecsPropertiesOverride", "Amazon ECS task properties"},
    {"consumableResourcePropertiesOverride", "consumable resources"},
  };
  for (auto& f : features) {
    simdjson::dom::element element;
    if (body.at_key(f.member).get(element) == simdjson::SUCCESS
        && !element.is_null())
      return unsupported(f.member, f.name);
  }
  if (request.array_size)
    return unsupported("arrayProperties", "array jobs");
  return {};
}

caf::error check_share_identifier(const std::string& identifier) {
  auto stem = std::string_view{identifier};
  if (!stem.empty() && stem.back() == '*')
    stem.remove_suffix(1);
  auto ok = !stem.empty() && stem.size() <= max_share_identifier_length;
  for (auto c : stem)
    ok = ok && is_alphanumeric(c);
  if (ok)
    return {};
  return client_error("shareIdentifier must be 1 to 255 alphanumeric "
                      "characters, optionally followed by an asterisk (*)");
}

caf::error check_submit(const submit_job& request) {
  if (!is_valid_job_name(request.job_name))
    return client_error("Job name should match valid pattern");
  if (request.job_queue.empty())
    return client_error("jobQueue must not be empty");
  if (request.job_definition.empty())
    return client_error("jobDefinition must not be empty");
  if (request.share_identifier)
    if (auto err = check_share_identifier(*request.share_identifier))
      return err;
  if (request.scheduling_priority_override)
    if (auto err
        = check_range(*request.scheduling_priority_override, 0,
                      max_scheduling_priority, "schedulingPriorityOverride"))
      return err;
  if (request.array_size)
    if (auto err = check_range(*request.array_size, min_array_size,
                               max_array_size, "arrayProperties.size"))
      return err;
  return check_tags(request.tags);
}

/// Reads a ListJobs filter.
void read_filter(object_reader& in, list_jobs& result) {
  auto entries = in.array("filters");
  if (!entries || entries->size() == 0)
    return;
  if (entries->size() > 1)
    return in.fail("Only one filter can be used at a time");
  for_each_object(in, *entries, "filters", [&](object_reader& entry) {
    list_jobs_filter filter;
    filter.name = entry.required_string("name");
    auto values = entry.string_list("values");
    if (entry.ok() && (!values || values->size() != 1))
      entry.fail(entry.name_of("values") + " must hold exactly one value");
    if (entry.ok())
      filter.value = values->front();
    result.filter = std::move(filter);
  });
}

caf::error check_filter(const list_jobs_filter& filter) {
  if (auto err = check_enum(filter.name,
                            {"JOB_NAME", "JOB_DEFINITION", "BEFORE_CREATED_AT",
                             "AFTER_CREATED_AT", "SHARE_IDENTIFIER"},
                            "filters.name"))
    return err;
  if (filter.name == "BEFORE_CREATED_AT" || filter.name == "AFTER_CREATED_AT")
    if (!is_count(filter.value))
      return client_error("The value of filter " + filter.name
                          + " must be a time in epoch milliseconds");
  if (filter.name == "JOB_DEFINITION" && is_arn(filter.value)
      && filter.value.find('*') != std::string::npos)
    return client_error("An asterisk (*) can't be used with a job "
                        "definition ARN in filter JOB_DEFINITION");
  return {};
}

/// Decodes a request that names a job and gives a reason.
template <class Request>
caf::expected<Request> decode_job_reason(simdjson::dom::object body) {
  object_reader in{body};
  Request result;
  result.job_id = in.required_string("jobId");
  result.reason = in.required_string("reason");
  if (!in.ok())
    return in.error();
  if (result.reason.size() > max_cancel_reason)
    return client_error("reason must be at most 1024 characters");
  return result;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

/// JOB_NAME: case-insensitive, a trailing `*` matches a prefix.
bool matches_name(std::string_view pattern, std::string_view name) {
  auto prefix = !pattern.empty() && pattern.back() == '*';
  if (prefix)
    pattern.remove_suffix(1);
  if (prefix ? name.size() < pattern.size() : name.size() != pattern.size())
    return false;
  for (size_t i = 0; i < pattern.size(); ++i)
    if (lower(pattern[i]) != lower(name[i]))
      return false;
  return true;
}

/// JOB_DEFINITION: a name (every revision, a trailing `*` matches a
/// prefix), `name:revision`, or an ARN (with a revision: that one only).
bool matches_definition(const std::string& pattern,
                        const job_definition_record& definition) {
  if (is_arn(pattern)) {
    auto parts = parse_arn(pattern);
    if (pattern == definition.arn)
      return true;
    return parts && parts->resource_id == definition.name;
  }
  if (!pattern.empty() && pattern.back() == '*')
    return definition.name.compare(0, pattern.size() - 1, pattern, 0,
                                   pattern.size() - 1)
           == 0;
  if (pattern == definition.name)
    return true;
  return pattern == definition.name + ":" + std::to_string(definition.revision);
}

json encode_attempt(const attempt_record& attempt) {
  json container = json::object();
  if (attempt.exit_code)
    container["exitCode"] = *attempt.exit_code;
  if (!attempt.reason.empty())
    container["reason"] = attempt.reason;
  if (!attempt.log_stream_name.empty())
    container["logStreamName"] = attempt.log_stream_name;
  if (!attempt.task_arn.empty())
    container["taskArn"] = attempt.task_arn;
  json out = {{"container", std::move(container)}};
  if (attempt.started_at > 0)
    out["startedAt"] = attempt.started_at;
  if (attempt.stopped_at > 0)
    out["stoppedAt"] = attempt.stopped_at;
  if (!attempt.status_reason.empty())
    out["statusReason"] = attempt.status_reason;
  return out;
}

/// Returns the job's container as DescribeJobs shows it: the effective
/// container plus what its latest attempt reported.
json encode_container(const job_record& record) {
  auto& spec = *record.spec;
  auto& inputs = spec.inputs();
  auto parameters = merged_parameters(*spec.definition, inputs.parameters);
  auto container = effective_container(*spec.definition,
                                       inputs.container_overrides, parameters);
  auto out = container ? std::move(*container) : json::object();
  if (record.attempts.empty())
    return out;
  auto& last = record.attempts.back();
  if (last.exit_code)
    out["exitCode"] = *last.exit_code;
  if (!last.reason.empty())
    out["reason"] = last.reason;
  if (!last.log_stream_name.empty())
    out["logStreamName"] = last.log_stream_name;
  if (!last.task_arn.empty())
    out["taskArn"] = last.task_arn;
  return out;
}

/// Adds the members that JobDetail and JobSummary share.
void encode_common(json& out, const job_spec& spec, job_status status,
                   const std::string& status_reason, int64_t started_at,
                   int64_t stopped_at) {
  out["jobArn"] = spec.arn();
  out["jobId"] = spec.id;
  out["jobName"] = spec.name;
  out["jobDefinition"] = spec.definition->arn;
  out["status"] = std::string{to_string(status)};
  out["createdAt"] = spec.created_at;
  if (!status_reason.empty())
    out["statusReason"] = status_reason;
  if (started_at > 0)
    out["startedAt"] = started_at;
  if (stopped_at > 0)
    out["stoppedAt"] = stopped_at;
  if (!spec.share_identifier.empty())
    out["shareIdentifier"] = spec.share_identifier;
}

} // namespace

std::string_view to_string(job_status status) {
  return status_names[static_cast<size_t>(status)];
}

std::optional<job_status> parse_job_status(std::string_view name) {
  for (size_t i = 0; i < status_names.size(); ++i)
    if (status_names[i] == name)
      return static_cast<job_status>(i);
  return std::nullopt;
}

bool is_final(job_status status) {
  return status == job_status::succeeded || status == job_status::failed;
}

std::string job_spec::arn() const {
  static constexpr std::string_view marker = ":job-queue/";
  if (!queue)
    return id;
  auto at = queue->arn.find(marker);
  if (at == std::string::npos)
    return id;
  return queue->arn.substr(0, at) + ":job/" + id;
}

const job_inputs& job_spec::inputs() const {
  static const job_inputs none;
  return submitted ? *submitted : none;
}

const tag_map& job_record::tag_list() const {
  static const tag_map none;
  return tags ? *tags : none;
}

bool is_valid_job_name(std::string_view name) {
  if (name.empty() || name.size() > max_job_name_length
      || !is_alphanumeric(name.front()))
    return false;
  return is_valid_name(name);
}

caf::expected<submit_job> decode_submit_job(simdjson::dom::object body) {
  if (simdjson::minify(body).size() > max_submit_payload)
    return client_error("The SubmitJob payload exceeds the limit of 30 KiB");
  object_reader in{body};
  submit_job result;
  result.job_name = in.required_string("jobName");
  result.job_queue = in.required_string("jobQueue");
  result.job_definition = in.required_string("jobDefinition");
  result.share_identifier = in.string("shareIdentifier");
  result.scheduling_priority_override
    = in.integer("schedulingPriorityOverride");
  result.parameters = in.string_map("parameters").value_or(tag_map{});
  read_container_overrides(in, result);
  read_retry_strategy(in, result);
  read_timeout(in, result);
  result.propagate_tags = in.boolean("propagateTags");
  result.tags = in.string_map("tags").value_or(tag_map{});
  read_depends_on(in, result);
  read_array_properties(in, result);
  if (!in.ok())
    return in.error();
  if (auto err = check_submit(result))
    return err;
  if (auto err = refuse_unsupported(body, result))
    return err;
  return result;
}

caf::expected<describe_jobs> decode_describe_jobs(simdjson::dom::object body) {
  object_reader in{body};
  describe_jobs result;
  auto ids = in.string_list("jobs");
  if (in.ok() && !ids)
    in.fail("jobs is required");
  if (!in.ok())
    return in.error();
  if (ids->empty() || ids->size() > max_describe_jobs)
    return client_error("jobs must list 1 to 100 job IDs");
  result.job_ids = std::move(*ids);
  return result;
}

caf::expected<list_jobs> decode_list_jobs(simdjson::dom::object body) {
  object_reader in{body};
  list_jobs result;
  result.job_queue = in.string("jobQueue").value_or("");
  result.array_job_id = in.string("arrayJobId").value_or("");
  result.multi_node_job_id = in.string("multiNodeJobId").value_or("");
  auto status = in.string("jobStatus");
  read_filter(in, result);
  result.max_results = in.integer("maxResults");
  result.next_token = in.string("nextToken").value_or("");
  if (!in.ok())
    return in.error();
  auto selectors = int{!result.job_queue.empty()}
                   + int{!result.array_job_id.empty()}
                   + int{!result.multi_node_job_id.empty()};
  if (selectors != 1)
    return client_error("Exactly one of jobQueue, arrayJobId or "
                        "multiNodeJobId must be specified");
  if (status) {
    auto parsed = parse_job_status(*status);
    if (!parsed)
      return client_error("jobStatus must be one of: SUBMITTED, PENDING, "
                          "RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED");
    result.status = *parsed;
  }
  if (result.filter)
    if (auto err = check_filter(*result.filter))
      return err;
  if (result.max_results && *result.max_results < 1)
    return client_error("maxResults must be at least 1");
  return result;
}

caf::expected<cancel_job> decode_cancel_job(simdjson::dom::object body) {
  return decode_job_reason<cancel_job>(body);
}

caf::expected<terminate_job> decode_terminate_job(simdjson::dom::object body) {
  return decode_job_reason<terminate_job>(body);
}

bool matches(const list_jobs_filter& filter, const job_spec& spec) {
  auto& value = filter.value;
  if (filter.name == "JOB_NAME")
    return matches_name(value, spec.name);
  if (filter.name == "JOB_DEFINITION")
    return matches_definition(value, *spec.definition);
  if (filter.name == "BEFORE_CREATED_AT")
    return spec.created_at < std::stoll(value);
  if (filter.name == "AFTER_CREATED_AT")
    return spec.created_at > std::stoll(value);
  return spec.share_identifier == value;
}

json encode(const job_record& record) {
  auto& spec = *record.spec;
  json out = json::object();
  encode_common(out, spec, record.status, record.status_reason,
                record.started_at, record.stopped_at);
  out["jobQueue"] = spec.queue ? spec.queue->arn : std::string{};
  out["parameters"]
    = merged_parameters(*spec.definition, spec.inputs().parameters);
  out["container"] = encode_container(record);
  auto attempts = json::array();
  for (auto& attempt : record.attempts)
    attempts.push_back(encode_attempt(attempt));
  out["attempts"] = std::move(attempts);
  if (!spec.inputs().retry_strategy.empty())
    out["retryStrategy"] = parse_stored_json(spec.inputs().retry_strategy);
  if (spec.timeout_seconds)
    out["timeout"] = {{"attemptDurationSeconds", *spec.timeout_seconds}};
  if (spec.scheduling_priority)
    out["schedulingPriority"] = *spec.scheduling_priority;
  out["tags"] = record.tag_list();
  out["propagateTags"] = spec.propagate_tags;
  out["platformCapabilities"] = spec.definition->platform_capabilities;
  out["isCancelled"] = record.is_cancelled;
  out["isTerminated"] = record.is_terminated;
  out["dependsOn"] = json::array();
  return out;
}

json encode(const job_records& records) {
  auto jobs = json::array();
  for (auto& record : records)
    jobs.push_back(encode(record));
  return {{"jobs", std::move(jobs)}};
}

json encode(const submitted_job& reply) {
  return {{"jobArn", reply.arn}, {"jobName", reply.name}, {"jobId", reply.id}};
}

json encode(const job_summary& summary) {
  static const job_summary_details nothing;
  auto& details = summary.details ? *summary.details : nothing;
  json out = json::object();
  encode_common(out, *summary.spec, summary.status, details.status_reason,
                details.started_at, details.stopped_at);
  json container = json::object();
  if (details.exit_code)
    container["exitCode"] = *details.exit_code;
  if (!details.container_reason.empty())
    container["reason"] = details.container_reason;
  if (!container.empty())
    out["container"] = std::move(container);
  return out;
}

json encode(const job_summary_page& page) {
  auto items = json::array();
  for (auto& summary : page.items)
    items.push_back(encode(summary));
  json out = {{"jobSummaryList", std::move(items)}};
  if (!page.next_token.empty())
    out["nextToken"] = page.next_token;
  return out;
}

} // namespace batch
