// The routes of the job operations: each decodes its body and asks the
// region's job directory.
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

jobs_actor directory(const region& r) {
  return r.jobs;
}

} // namespace

void add_job_routes(route_table& routes) {
  routes["SubmitJob"] = make_route<submitted_job>(decode_submit_job, directory);
  routes["DescribeJobs"]
    = make_route<job_records>(decode_describe_jobs, directory);
  routes["ListJobs"]
    = make_route<job_summary_page>(decode_list_jobs, directory);
  routes["CancelJob"] = make_route<ack>(decode_cancel_job, directory);
  routes["TerminateJob"] = make_route<ack>(decode_terminate_job, directory);
}

} // namespace batch
