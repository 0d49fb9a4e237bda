// The routes of the scheduling policy operations: each decodes its body and
// asks the region's scheduling policy owner.
#include "runtime/gateway/routes.hpp"

namespace batch {

namespace {

scheduling_policies_actor owner(const region& r) {
  return r.scheduling_policies;
}

} // namespace

void add_scheduling_policy_routes(route_table& routes) {
  routes["CreateSchedulingPolicy"]
    = make_route<scheduling_policy_ref>(decode_create_scheduling_policy, owner);
  routes["UpdateSchedulingPolicy"]
    = make_route<ack>(decode_update_scheduling_policy, owner);
  routes["DeleteSchedulingPolicy"]
    = make_route<ack>(decode_delete_scheduling_policy, owner);
  routes["DescribeSchedulingPolicies"] = make_route<scheduling_policy_records>(
    decode_describe_scheduling_policies, owner);
  routes["ListSchedulingPolicies"] = make_route<scheduling_policy_arn_page>(
    decode_list_scheduling_policies, owner);
}

} // namespace batch
