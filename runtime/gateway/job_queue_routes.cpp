// The routes of the job queue operations: each decodes its body and asks the
// region's job queue directory; GetJobQueueSnapshot then asks the scheduler,
// which knows the dispatch order.
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

job_queues_actor directory(const region& r) {
  return r.job_queues;
}

/// Resolves the queue, so that an unknown one is refused as AWS refuses it,
/// and asks the scheduler for the front of the queue.
caf::expected<json> get_snapshot(call_context& ctx,
                                 simdjson::dom::object body) {
  auto request = decode_get_job_queue_snapshot(body);
  if (!request)
    return std::move(request.error());
  auto queue = ctx.ask<job_queue_record>(
    ctx.target().job_queues, resolve_job_queue{std::move(request->job_queue)});
  if (!queue)
    return std::move(queue.error());
  auto snapshot = ctx.ask<job_queue_snapshot>(
    ctx.target().scheduler, get_job_queue_snapshot{queue->arn});
  if (!snapshot)
    return std::move(snapshot.error());
  return encode(*snapshot);
}

} // namespace

void add_job_queue_routes(route_table& routes) {
  routes["CreateJobQueue"]
    = make_route<job_queue_ref>(decode_create_job_queue, directory);
  routes["UpdateJobQueue"]
    = make_route<job_queue_ref>(decode_update_job_queue, directory);
  routes["DeleteJobQueue"]
    = make_route<ack>(decode_delete_job_queue, directory);
  routes["DescribeJobQueues"]
    = make_route<job_queue_page>(decode_describe_job_queues, directory);
  routes["GetJobQueueSnapshot"] = get_snapshot;
}

} // namespace batch
