#include "protocol/validation.hpp"
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

/// Asks the directory that owns the resource named by `request.arn`.
template <class Result, class Request>
caf::expected<Result> ask_owner(call_context& ctx, Request request) {
  auto parts = parse_arn(request.arn);
  if (!parts || parts->region != ctx.target().services.scope.region)
    return client_error("Invalid resource ARN: " + request.arn);
  auto& r = ctx.target();
  if (parts->resource_type == "compute-environment")
    return ctx.ask<Result>(r.compute_environments, std::move(request));
  if (parts->resource_type == "job-queue")
    return ctx.ask<Result>(r.job_queues, std::move(request));
  if (parts->resource_type == "job-definition")
    return ctx.ask<Result>(r.job_definitions, std::move(request));
  if (parts->resource_type == "scheduling-policy")
    return ctx.ask<Result>(r.scheduling_policies, std::move(request));
  if (parts->resource_type == "job")
    return ctx.ask<Result>(r.jobs, std::move(request));
  return client_error("Resource type " + parts->resource_type
                      + " can't be tagged: " + request.arn);
}

caf::expected<json> on_list_tags(call_context& ctx, simdjson::dom::object) {
  auto tags = ask_owner<tag_map>(ctx, list_tags{ctx.resource_arn()});
  if (!tags)
    return std::move(tags.error());
  return json{{"tags", *tags}};
}

caf::expected<json> on_tag(call_context& ctx, simdjson::dom::object body) {
  object_reader in{body};
  auto tags = in.string_map("tags");
  if (!in.ok())
    return in.error();
  if (!tags || tags->empty())
    return client_error("tags is required");
  if (auto err = check_tags(*tags))
    return err;
  auto done = ask_owner<ack>(ctx, tag_resource{ctx.resource_arn(), *tags});
  if (!done)
    return std::move(done.error());
  return json::object();
}

caf::expected<json> on_untag(call_context& ctx, simdjson::dom::object) {
  auto keys = ctx.query_values("tagKeys");
  if (auto err = check_tag_keys(keys))
    return err;
  auto done = ask_owner<ack>(ctx, untag_resource{ctx.resource_arn(), keys});
  if (!done)
    return std::move(done.error());
  return json::object();
}

} // namespace

void add_tag_routes(route_table& routes) {
  routes["ListTagsForResource"] = on_list_tags;
  routes["TagResource"] = on_tag;
  routes["UntagResource"] = on_untag;
}

} // namespace batch
