"""Job queues through boto3 and the AWS CLI: create, describe, update, tag,
untag and delete, with the rules AWS Batch applies to them: a priority, one
to three existing compute environments returned as ARNs in ascending order,
ENABLED/DISABLED state and delete only when DISABLED, a scheduling policy
that can be replaced but neither removed nor added to a FIFO queue,
jobStateTimeLimitActions, the JobQueue relationship that keeps a compute
environment from being deleted, and pagination."""

import pytest

from conftest import ACCOUNT, arn, body_of, client_exception, client_for
from wire import assert_error_reply, assert_matches_output, call

TIME_LIMIT_REASON = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY"


def environment(batch, name, vcpus=4):
    """Creates an UNMANAGED compute environment and returns its ARN."""
    return batch.create_compute_environment(
        computeEnvironmentName=name, type="UNMANAGED",
        unmanagedvCpus=vcpus)["computeEnvironmentArn"]


def fargate_environment(batch, name):
    return batch.create_compute_environment(
        computeEnvironmentName=name, type="MANAGED",
        computeResources={"type": "FARGATE", "maxvCpus": 4,
                          "subnets": ["subnet-1"]})["computeEnvironmentArn"]


def policy(batch, name):
    """Creates a fair-share scheduling policy and returns its ARN."""
    return batch.create_scheduling_policy(
        name=name, fairsharePolicy={"shareDecaySeconds": 0})["arn"]


def order_of(*environments):
    return [{"order": i + 1, "computeEnvironment": e}
            for i, e in enumerate(environments)]


def queue(batch, name, *environments, **extra):
    """Creates a job queue of priority 1 on `environments`, returns its ARN."""
    return batch.create_job_queue(
        jobQueueName=name, priority=extra.pop("priority", 1),
        computeEnvironmentOrder=order_of(*environments),
        **extra)["jobQueueArn"]


def describe(batch, name_or_arn):
    """Returns the JobQueueDetail of one queue, or None."""
    queues = batch.describe_job_queues(jobQueues=[name_or_arn])["jobQueues"]
    assert len(queues) <= 1
    return queues[0] if queues else None


def delete_queue(batch, name):
    batch.update_job_queue(jobQueue=name, state="DISABLED")
    batch.delete_job_queue(jobQueue=name)


def time_limit(seconds=600, state="RUNNABLE", action="CANCEL",
               reason=TIME_LIMIT_REASON):
    return {"reason": reason, "state": state, "maxTimeSeconds": seconds,
            "action": action}


# -- the whole flow -------------------------------------------------------------


def test_create_describe_update_tag_untag_delete(batch):
    first = environment(batch, "jq-flow-a")
    second = environment(batch, "jq-flow-b")
    third = environment(batch, "jq-flow-c")
    created = batch.create_job_queue(
        jobQueueName="jq-flow", priority=10,
        computeEnvironmentOrder=[
            {"order": 5, "computeEnvironment": "jq-flow-b"},
            {"order": 1, "computeEnvironment": first}],
        tags={"team": "a"})
    queue_arn = arn("job-queue", "jq-flow")
    assert body_of(created) == {"jobQueueName": "jq-flow",
                                "jobQueueArn": queue_arn}
    assert created["ResponseMetadata"]["RequestId"]

    described = batch.describe_job_queues(jobQueues=["jq-flow"])
    assert_matches_output("DescribeJobQueues", body_of(described))
    detail = described["jobQueues"][0]
    assert detail["jobQueueName"] == "jq-flow"
    assert detail["jobQueueArn"] == queue_arn
    assert detail["state"] == "ENABLED" and detail["status"] == "VALID"
    assert detail["priority"] == 10
    assert detail["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": first},
        {"order": 5, "computeEnvironment": second}]
    assert detail["tags"] == {"team": "a"}
    assert detail["jobQueueType"] == "ECS"
    assert "schedulingPolicyArn" not in detail

    updated = batch.update_job_queue(
        jobQueue=queue_arn, priority=3, state="DISABLED",
        computeEnvironmentOrder=[
            {"order": 3, "computeEnvironment": first},
            {"order": 2, "computeEnvironment": "jq-flow-c"},
            {"order": 1, "computeEnvironment": second}])
    assert body_of(updated) == {"jobQueueName": "jq-flow",
                                "jobQueueArn": queue_arn}
    detail = describe(batch, queue_arn)
    assert detail["priority"] == 3 and detail["state"] == "DISABLED"
    assert detail["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": second},
        {"order": 2, "computeEnvironment": third},
        {"order": 3, "computeEnvironment": first}]

    batch.tag_resource(resourceArn=queue_arn, tags={"env": "test"})
    assert batch.list_tags_for_resource(resourceArn=queue_arn)["tags"] == {
        "team": "a", "env": "test"}
    batch.untag_resource(resourceArn=queue_arn, tagKeys=["team"])
    assert describe(batch, "jq-flow")["tags"] == {"env": "test"}

    batch.delete_job_queue(jobQueue="jq-flow")
    assert describe(batch, "jq-flow") is None
    assert describe(batch, queue_arn) is None


def test_describe_finds_queues_by_name_and_arn_and_omits_unknown_ones(batch):
    ce = environment(batch, "jq-find")
    a = queue(batch, "jq-find-a", ce)
    queue(batch, "jq-find-b", ce)
    found = batch.describe_job_queues(
        jobQueues=[a, "jq-find-b", "jq-missing",
                   arn("job-queue", "jq-find-a", region="eu-west-1")]
    )["jobQueues"]
    assert [q["jobQueueName"] for q in found] == ["jq-find-a", "jq-find-b"]

    all_names = [q["jobQueueName"] for q in
                 batch.describe_job_queues()["jobQueues"]]
    assert {"jq-find-a", "jq-find-b"} <= set(all_names)


def test_unknown_queues_are_not_found(batch):
    message = client_exception(batch.update_job_queue, jobQueue="jq-missing",
                       priority=2)
    assert message == "JobQueue jq-missing not found."
    message = client_exception(batch.delete_job_queue, jobQueue="jq-missing")
    assert message == "JobQueue jq-missing not found."


def test_a_name_is_used_once_and_must_match_the_pattern(batch):
    ce = environment(batch, "jq-names")
    queue(batch, "jq-dup", ce)
    assert "already exists" in client_exception(
        batch.create_job_queue, jobQueueName="jq-dup", priority=1,
        computeEnvironmentOrder=order_of(ce))
    assert "jobQueueName" in client_exception(
        batch.create_job_queue, jobQueueName="bad name!", priority=1,
        computeEnvironmentOrder=order_of(ce))
    assert "jobQueueName" in client_exception(
        batch.create_job_queue, jobQueueName="q" * 129, priority=1,
        computeEnvironmentOrder=order_of(ce))
    queue(batch, "q" * 128, ce)


# -- priority -------------------------------------------------------------------


def test_priority_is_required_and_not_negative(server, batch):
    ce = environment(batch, "jq-priority")
    reply = call(server.port, "POST", "/v1/createjobqueue",
                 {"jobQueueName": "jq-no-priority",
                  "computeEnvironmentOrder": order_of(ce)})
    assert "priority" in assert_error_reply(reply)

    assert "priority" in client_exception(
        batch.create_job_queue, jobQueueName="jq-negative", priority=-1,
        computeEnvironmentOrder=order_of(ce))
    queue(batch, "jq-high", ce, priority=1000)
    assert describe(batch, "jq-high")["priority"] == 1000
    queue(batch, "jq-zero", ce, priority=0)
    assert describe(batch, "jq-zero")["priority"] == 0

    assert "priority" in client_exception(batch.update_job_queue, jobQueue="jq-zero",
                                  priority=-5)
    assert describe(batch, "jq-zero")["priority"] == 0
    assert describe(batch, "jq-no-priority") is None


# -- compute environments ---------------------------------------------------------


def test_a_queue_has_one_to_three_compute_environments(batch):
    ces = [environment(batch, f"jq-count-{i}") for i in range(4)]
    assert "computeEnvironmentOrder" in client_exception(
        batch.create_job_queue, jobQueueName="jq-none", priority=1,
        computeEnvironmentOrder=[])
    assert "computeEnvironmentOrder" in client_exception(
        batch.create_job_queue, jobQueueName="jq-four", priority=1,
        computeEnvironmentOrder=order_of(*ces))
    queue(batch, "jq-three", *ces[:3])
    assert len(describe(batch, "jq-three")["computeEnvironmentOrder"]) == 3

    assert "computeEnvironmentOrder" in client_exception(
        batch.update_job_queue, jobQueue="jq-three",
        computeEnvironmentOrder=order_of(*ces))
    assert [e["computeEnvironment"] for e in
            describe(batch, "jq-three")["computeEnvironmentOrder"]] == ces[:3]
    assert describe(batch, "jq-none") is None
    assert describe(batch, "jq-four") is None


def test_orders_and_environments_may_not_repeat(batch):
    a = environment(batch, "jq-repeat-a")
    b = environment(batch, "jq-repeat-b")
    message = client_exception(
        batch.create_job_queue, jobQueueName="jq-same-order", priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": a},
                                 {"order": 1, "computeEnvironment": b}])
    assert "order" in message
    # The same environment, once by name and once by ARN.
    message = client_exception(
        batch.create_job_queue, jobQueueName="jq-same-ce", priority=1,
        computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": "jq-repeat-a"},
            {"order": 2, "computeEnvironment": a}])
    assert a in message


def test_the_compute_environments_must_exist(batch):
    ce = environment(batch, "jq-exists")
    message = client_exception(
        batch.create_job_queue, jobQueueName="jq-ghost", priority=1,
        computeEnvironmentOrder=[
            {"order": 1, "computeEnvironment": ce},
            {"order": 2, "computeEnvironment": "jq-no-such-ce"}])
    assert "jq-no-such-ce" in message and "not found" in message
    assert describe(batch, "jq-ghost") is None

    other_region = arn("compute-environment", "jq-exists",
                       region="eu-west-1")
    message = client_exception(batch.create_job_queue, jobQueueName="jq-ghost",
                       priority=1,
                       computeEnvironmentOrder=order_of(other_region))
    assert "not found" in message

    other_account = ce.replace(ACCOUNT, "111111111111")
    message = client_exception(batch.create_job_queue, jobQueueName="jq-ghost",
                       priority=1,
                       computeEnvironmentOrder=order_of(other_account))
    assert "not found" in message
    assert describe(batch, "jq-ghost") is None

    queue(batch, "jq-real", ce)
    message = client_exception(batch.update_job_queue, jobQueue="jq-real",
                       computeEnvironmentOrder=order_of("jq-no-such-ce"))
    assert "jq-no-such-ce" in message and "not found" in message
    assert [e["computeEnvironment"] for e in
            describe(batch, "jq-real")["computeEnvironmentOrder"]] == [ce]


def test_ec2_and_fargate_environments_do_not_mix(batch):
    ec2 = environment(batch, "jq-mix-ec2")
    fargate = fargate_environment(batch, "jq-mix-fargate")
    assert "mix" in client_exception(
        batch.create_job_queue, jobQueueName="jq-mixed", priority=1,
        computeEnvironmentOrder=order_of(ec2, fargate))
    queue(batch, "jq-fargate", fargate)
    assert describe(batch, "jq-fargate")["jobQueueType"] == "ECS_FARGATE"
    assert "mix" in client_exception(batch.update_job_queue, jobQueue="jq-fargate",
                             computeEnvironmentOrder=order_of(fargate, ec2))


def test_an_environment_in_use_cannot_be_deleted(batch):
    used = environment(batch, "jq-used")
    spare = environment(batch, "jq-spare")
    queue(batch, "jq-user", used)
    batch.update_compute_environment(computeEnvironment="jq-used",
                                     state="DISABLED")
    message = client_exception(batch.delete_compute_environment,
                       computeEnvironment="jq-used")
    assert message == "Cannot delete, found existing JobQueue relationship"

    # A refused update keeps the relationship.
    client_exception(batch.update_job_queue, jobQueue="jq-user",
             computeEnvironmentOrder=order_of(used, "jq-no-such-ce"))
    message = client_exception(batch.delete_compute_environment,
                       computeEnvironment=used)
    assert message == "Cannot delete, found existing JobQueue relationship"

    # Moving the queue to another environment releases the first one.
    batch.update_job_queue(jobQueue="jq-user",
                           computeEnvironmentOrder=order_of(spare))
    batch.delete_compute_environment(computeEnvironment="jq-used")
    assert batch.describe_compute_environments(
        computeEnvironments=["jq-used"])["computeEnvironments"] == []

    batch.update_compute_environment(computeEnvironment=spare,
                                     state="DISABLED")
    message = client_exception(batch.delete_compute_environment,
                       computeEnvironment=spare)
    assert message == "Cannot delete, found existing JobQueue relationship"
    delete_queue(batch, "jq-user")
    batch.delete_compute_environment(computeEnvironment=spare)


def test_a_refused_create_leaves_no_relationship(batch):
    ce = environment(batch, "jq-refused")
    client_exception(batch.create_job_queue, jobQueueName="jq-refused", priority=1,
             computeEnvironmentOrder=order_of(ce, "jq-no-such-ce"))
    batch.update_compute_environment(computeEnvironment=ce, state="DISABLED")
    batch.delete_compute_environment(computeEnvironment=ce)


# -- state ----------------------------------------------------------------------


def test_state_is_enabled_or_disabled_and_delete_needs_disabled(batch):
    ce = environment(batch, "jq-state")
    queue(batch, "jq-born-disabled", ce, state="DISABLED")
    assert describe(batch, "jq-born-disabled")["state"] == "DISABLED"
    batch.delete_job_queue(jobQueue="jq-born-disabled")
    assert describe(batch, "jq-born-disabled") is None

    assert "state" in client_exception(
        batch.create_job_queue, jobQueueName="jq-paused", priority=1,
        state="PAUSED", computeEnvironmentOrder=order_of(ce))

    queue_arn = queue(batch, "jq-enabled", ce)
    assert "state" in client_exception(batch.update_job_queue, jobQueue="jq-enabled",
                               state="STOPPED")
    message = client_exception(batch.delete_job_queue, jobQueue=queue_arn)
    assert "DISABLED" in message
    assert describe(batch, "jq-enabled")["state"] == "ENABLED"

    batch.update_job_queue(jobQueue="jq-enabled", state="DISABLED")
    batch.update_job_queue(jobQueue="jq-enabled", state="ENABLED")
    assert describe(batch, "jq-enabled")["state"] == "ENABLED"
    delete_queue(batch, queue_arn)
    assert describe(batch, "jq-enabled") is None


# -- scheduling policies ----------------------------------------------------------


def test_a_scheduling_policy_can_be_replaced_but_not_removed(batch):
    ce = environment(batch, "jq-fair")
    first = policy(batch, "jq-policy-1")
    second = policy(batch, "jq-policy-2")
    queue(batch, "jq-fair", ce, schedulingPolicyArn=first)
    assert describe(batch, "jq-fair")["schedulingPolicyArn"] == first

    batch.update_job_queue(jobQueue="jq-fair", schedulingPolicyArn=second)
    assert describe(batch, "jq-fair")["schedulingPolicyArn"] == second

    message = client_exception(batch.update_job_queue, jobQueue="jq-fair",
                       schedulingPolicyArn="")
    assert "can be replaced but not removed" in message
    missing = arn("scheduling-policy", "jq-no-such-policy")
    message = client_exception(batch.update_job_queue, jobQueue="jq-fair",
                       schedulingPolicyArn=missing)
    assert missing in message and "not found" in message
    assert describe(batch, "jq-fair")["schedulingPolicyArn"] == second

    # The replaced policy is free again, the current one is not.
    batch.delete_scheduling_policy(arn=first)
    message = client_exception(batch.delete_scheduling_policy, arn=second)
    assert "JobQueue relationship" in message


def test_a_fifo_queue_cannot_have_a_policy_added(batch):
    ce = environment(batch, "jq-fifo")
    fair = policy(batch, "jq-fifo-policy")
    queue(batch, "jq-fifo", ce)
    message = client_exception(batch.update_job_queue, jobQueue="jq-fifo",
                       schedulingPolicyArn=fair)
    assert "FIFO" in message
    assert "schedulingPolicyArn" not in describe(batch, "jq-fifo")
    # The refused update did not tie the policy to the queue.
    batch.delete_scheduling_policy(arn=fair)


def test_the_scheduling_policy_must_exist_and_be_an_arn(batch):
    ce = environment(batch, "jq-policy-ref")
    message = client_exception(
        batch.create_job_queue, jobQueueName="jq-bad-policy", priority=1,
        computeEnvironmentOrder=order_of(ce),
        schedulingPolicyArn=arn("scheduling-policy", "jq-nope"))
    assert "not found" in message
    policy(batch, "jq-by-name")
    message = client_exception(
        batch.create_job_queue, jobQueueName="jq-bad-policy", priority=1,
        computeEnvironmentOrder=order_of(ce), schedulingPolicyArn="jq-by-name")
    assert "schedulingPolicyArn" in message
    assert describe(batch, "jq-bad-policy") is None


# -- jobStateTimeLimitActions -------------------------------------------------------


def test_time_limit_actions_are_stored_and_described(batch):
    ce = environment(batch, "jq-limits")
    actions = [time_limit(600),
               time_limit(86400,
                          reason="MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")]
    queue(batch, "jq-limits", ce, jobStateTimeLimitActions=actions)
    assert describe(batch, "jq-limits")["jobStateTimeLimitActions"] == actions

    replaced = [time_limit(3600)]
    batch.update_job_queue(jobQueue="jq-limits",
                           jobStateTimeLimitActions=replaced)
    assert describe(batch, "jq-limits")["jobStateTimeLimitActions"] == replaced


@pytest.fixture(scope="module")
def limited_queue(batch):
    """A queue without time limit actions that refused updates leave so."""
    queue(batch, "jq-limit-target", environment(batch, "jq-limit-ce"))
    return "jq-limit-target"


@pytest.mark.parametrize("action,member", [
    (time_limit(599), "maxTimeSeconds"),
    (time_limit(86401), "maxTimeSeconds"),
    (time_limit(0), "maxTimeSeconds"),
    (time_limit(state="RUNNING"), "state"),
    (time_limit(state="STARTING"), "state"),
    (time_limit(action="TERMINATE"), "action"),
    (time_limit(action="RETRY"), "action"),
    (time_limit(reason="because"), "reason"),
])
def test_bad_time_limit_actions_are_refused(batch, limited_queue, action,
                                           member):
    ce = describe(batch, limited_queue)["computeEnvironmentOrder"]
    message = client_exception(batch.create_job_queue, jobQueueName="jq-limit-bad",
                       priority=1, computeEnvironmentOrder=ce,
                       jobStateTimeLimitActions=[action])
    assert member in message
    assert describe(batch, "jq-limit-bad") is None

    message = client_exception(batch.update_job_queue, jobQueue=limited_queue,
                       jobStateTimeLimitActions=[action])
    assert member in message
    assert "jobStateTimeLimitActions" not in describe(batch, limited_queue)


def test_a_reason_has_one_time_limit_action_at_most(batch, limited_queue):
    message = client_exception(batch.update_job_queue, jobQueue=limited_queue,
                       jobStateTimeLimitActions=[time_limit(600),
                                                 time_limit(700)])
    assert TIME_LIMIT_REASON in message


# -- pagination -------------------------------------------------------------------


def test_describe_paginates_with_max_results_and_next_token(server):
    # A region of its own, so that only these queues are listed.
    batch = client_for(server, region="ap-southeast-2")
    ce = environment(batch, "jq-page-ce")
    for i in range(5):
        queue(batch, f"jq-page-{i}", ce)

    names, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = batch.describe_job_queues(**kwargs)
        pages += 1
        assert len(page["jobQueues"]) <= 2
        names += [q["jobQueueName"] for q in page["jobQueues"]]
        token = page.get("nextToken")
        if not token:
            break
    assert names == [f"jq-page-{i}" for i in range(5)]
    assert pages == 3

    paginator = batch.get_paginator("describe_job_queues")
    paged = [q["jobQueueName"] for page in
             paginator.paginate(PaginationConfig={"PageSize": 4})
             for q in page["jobQueues"]]
    assert paged == names
    everything = batch.describe_job_queues()
    assert "nextToken" not in everything
    assert len(everything["jobQueues"]) == 5


def test_bad_page_arguments_are_refused(batch):
    assert "maxResults" in client_exception(batch.describe_job_queues, maxResults=0)
    assert "maxResults" in client_exception(batch.describe_job_queues,
                                    maxResults=101)
    assert "nextToken" in client_exception(batch.describe_job_queues,
                                   nextToken="not-a-token")


# -- the CLI ----------------------------------------------------------------------


def test_cli_flow(cli):
    code, out = cli("create-compute-environment",
                    "--compute-environment-name", "jq-cli-ce",
                    "--type", "UNMANAGED", "--unmanagedv-cpus", "2")
    assert code == 0
    ce_arn = out["computeEnvironmentArn"]

    code, out = cli("create-job-queue", "--job-queue-name", "jq-cli",
                    "--priority", "7", "--compute-environment-order",
                    "order=1,computeEnvironment=jq-cli-ce",
                    "--tags", "team=cli")
    assert code == 0
    assert out == {"jobQueueName": "jq-cli",
                   "jobQueueArn": arn("job-queue", "jq-cli")}

    code, out = cli("describe-job-queues", "--job-queues", "jq-cli")
    assert code == 0
    detail = out["jobQueues"][0]
    assert detail["priority"] == 7 and detail["state"] == "ENABLED"
    assert detail["computeEnvironmentOrder"] == [
        {"order": 1, "computeEnvironment": ce_arn}]
    assert detail["tags"] == {"team": "cli"}

    code, err = cli("delete-job-queue", "--job-queue", "jq-cli")
    assert code != 0 and "ClientException" in err and "DISABLED" in err

    code, err = cli("update-compute-environment", "--compute-environment",
                    "jq-cli-ce", "--state", "DISABLED")
    assert code == 0
    code, err = cli("delete-compute-environment", "--compute-environment",
                    "jq-cli-ce")
    assert code != 0
    assert "Cannot delete, found existing JobQueue relationship" in err

    code, out = cli("update-job-queue", "--job-queue", "jq-cli",
                    "--state", "DISABLED", "--priority", "8")
    assert code == 0 and out["jobQueueName"] == "jq-cli"
    code, out = cli("describe-job-queues", "--job-queues",
                    arn("job-queue", "jq-cli"))
    assert out["jobQueues"][0]["state"] == "DISABLED"
    assert out["jobQueues"][0]["priority"] == 8

    code, out = cli("delete-job-queue", "--job-queue", "jq-cli")
    assert code == 0
    code, out = cli("describe-job-queues", "--job-queues", "jq-cli")
    assert code == 0 and out["jobQueues"] == []
    code, out = cli("delete-compute-environment", "--compute-environment",
                    "jq-cli-ce")
    assert code == 0
