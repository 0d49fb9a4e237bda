#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

compute_environments_actor directory(const region& r) {
  return r.compute_environments;
}

} // namespace

void add_compute_environment_routes(route_table& routes) {
  routes["CreateComputeEnvironment"] = make_route<compute_environment_ref>(
    decode_create_compute_environment, directory);
  routes["UpdateComputeEnvironment"] = make_route<compute_environment_ref>(
    decode_update_compute_environment, directory);
  routes["DeleteComputeEnvironment"]
    = make_route<ack>(decode_delete_compute_environment, directory);
  routes["DescribeComputeEnvironments"] = make_route<compute_environment_page>(
    decode_describe_compute_environments, directory);
}

} // namespace batch
