#include "protocol/operations.hpp"

namespace batch {

namespace {

constexpr std::string_view tags_prefix = "/v1/tags/";

} // namespace

const std::vector<operation>& all_operations() {
  static const std::vector<operation> operations = {
    {"CancelJob", "POST", "/v1/canceljob"},
    {"CreateComputeEnvironment", "POST", "/v1/createcomputeenvironment"},
    {"CreateConsumableResource", "POST", "/v1/createconsumableresource"},
    {"CreateJobQueue", "POST", "/v1/createjobqueue"},
    {"CreateQuotaShare", "POST", "/v1/createquotashare"},
    {"CreateSchedulingPolicy", "POST", "/v1/createschedulingpolicy"},
    {"CreateServiceEnvironment", "POST", "/v1/createserviceenvironment"},
    {"DeleteComputeEnvironment", "POST", "/v1/deletecomputeenvironment"},
    {"DeleteConsumableResource", "POST", "/v1/deleteconsumableresource"},
    {"DeleteJobQueue", "POST", "/v1/deletejobqueue"},
    {"DeleteQuotaShare", "POST", "/v1/deletequotashare"},
    {"DeleteSchedulingPolicy", "POST", "/v1/deleteschedulingpolicy"},
    {"DeleteServiceEnvironment", "POST", "/v1/deleteserviceenvironment"},
    {"DeregisterJobDefinition", "POST", "/v1/deregisterjobdefinition"},
    {"DescribeComputeEnvironments", "POST", "/v1/describecomputeenvironments"},
    {"DescribeConsumableResource", "POST", "/v1/describeconsumableresource"},
    {"DescribeJobDefinitions", "POST", "/v1/describejobdefinitions"},
    {"DescribeJobQueues", "POST", "/v1/describejobqueues"},
    {"DescribeJobs", "POST", "/v1/describejobs"},
    {"DescribeQuotaShare", "POST", "/v1/describequotashare"},
    {"DescribeSchedulingPolicies", "POST", "/v1/describeschedulingpolicies"},
    {"DescribeServiceEnvironments", "POST", "/v1/describeserviceenvironments"},
    {"DescribeServiceJob", "POST", "/v1/describeservicejob"},
    {"GetJobQueueSnapshot", "POST", "/v1/getjobqueuesnapshot"},
    {"ListConsumableResources", "POST", "/v1/listconsumableresources"},
    {"ListJobs", "POST", "/v1/listjobs"},
    {"ListJobsByConsumableResource", "POST",
     "/v1/listjobsbyconsumableresource"},
    {"ListQuotaShares", "POST", "/v1/listquotashares"},
    {"ListSchedulingPolicies", "POST", "/v1/listschedulingpolicies"},
    {"ListServiceJobs", "POST", "/v1/listservicejobs"},
    {"ListTagsForResource", "GET", "/v1/tags/{resourceArn}"},
    {"RegisterJobDefinition", "POST", "/v1/registerjobdefinition"},
    {"SubmitJob", "POST", "/v1/submitjob"},
    {"SubmitServiceJob", "POST", "/v1/submitservicejob"},
    {"TagResource", "POST", "/v1/tags/{resourceArn}"},
    {"TerminateJob", "POST", "/v1/terminatejob"},
    {"TerminateServiceJob", "POST", "/v1/terminateservicejob"},
    {"UntagResource", "DELETE", "/v1/tags/{resourceArn}"},
    {"UpdateComputeEnvironment", "POST", "/v1/updatecomputeenvironment"},
    {"UpdateConsumableResource", "POST", "/v1/updateconsumableresource"},
    {"UpdateJobQueue", "POST", "/v1/updatejobqueue"},
    {"UpdateQuotaShare", "POST", "/v1/updatequotashare"},
    {"UpdateSchedulingPolicy", "POST", "/v1/updateschedulingpolicy"},
    {"UpdateServiceEnvironment", "POST", "/v1/updateserviceenvironment"},
    {"UpdateServiceJob", "POST", "/v1/updateservicejob"},
  };
  return operations;
}

const operation* find_operation(std::string_view method,
                                std::string_view path) {
  bool is_tags = path.substr(0, tags_prefix.size()) == tags_prefix
                 && path.size() > tags_prefix.size();
  for (auto& op : all_operations()) {
    if (op.method != method)
      continue;
    if (is_tags ? op.request_uri == "/v1/tags/{resourceArn}"
                : op.request_uri == path)
      return &op;
  }
  return nullptr;
}

} // namespace batch
