// The routes of the job definition operations: each decodes its body and
// asks the region's job definition owner.
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

job_definitions_actor owner(const region& r) {
  return r.job_definitions;
}

} // namespace

void add_job_definition_routes(route_table& routes) {
  routes["RegisterJobDefinition"]
    = make_route<job_definition_ref>(decode_register_job_definition, owner);
  routes["DeregisterJobDefinition"]
    = make_route<ack>(decode_deregister_job_definition, owner);
  routes["DescribeJobDefinitions"]
    = make_route<job_definition_page>(decode_describe_job_definitions, owner);
}

} // namespace batch
