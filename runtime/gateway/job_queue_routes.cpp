// The routes of the job queue operations: each decodes its body and asks the
// region's job queue directory.
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

job_queues_actor directory(const region& r) {
  return r.job_queues;
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
}

} // namespace batch
