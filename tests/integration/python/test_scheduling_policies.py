"""Scheduling policies through boto3 and the AWS CLI: create, describe by
ARN, list, update, tag, untag and delete, with the rules AWS Batch applies to
a fairsharePolicy: computeReservation 0..99, shareDecaySeconds 0..604800,
weightFactor 0.0001..999.9999, share identifiers of up to 255 alphanumeric
characters that must not overlap, and no delete while a job queue uses the
policy."""

import pytest

from conftest import arn, body_of, client_exception, client_for
from wire import assert_matches_output


def fairshare(decay=0, reservation=0, *shares):
    """A fairsharePolicy; each share is (identifier, weight)."""
    return {"shareDecaySeconds": decay, "computeReservation": reservation,
            "shareDistribution": [{"shareIdentifier": s, "weightFactor": w}
                                  for s, w in shares]}


def describe(batch, policy_arn):
    """Returns the SchedulingPolicyDetail of one policy, or None."""
    found = batch.describe_scheduling_policies(
        arns=[policy_arn])["schedulingPolicies"]
    assert len(found) <= 1
    return found[0] if found else None


def queue_with_policy(batch, name, policy_arn):
    ce = batch.create_compute_environment(
        computeEnvironmentName=name + "-ce", type="UNMANAGED",
        unmanagedvCpus=2)["computeEnvironmentArn"]
    batch.create_job_queue(
        jobQueueName=name, priority=1, schedulingPolicyArn=policy_arn,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}])


# -- the whole flow -------------------------------------------------------------


def test_create_describe_update_tag_untag_delete(batch):
    policy = fairshare(3600, 25, ("UserA", 0.5), ("team*", 2.0))
    created = batch.create_scheduling_policy(name="sp-flow",
                                             fairsharePolicy=policy,
                                             tags={"team": "a"})
    policy_arn = arn("scheduling-policy", "sp-flow")
    assert body_of(created) == {"name": "sp-flow", "arn": policy_arn}

    described = batch.describe_scheduling_policies(arns=[policy_arn])
    assert_matches_output("DescribeSchedulingPolicies", body_of(described))
    detail = described["schedulingPolicies"][0]
    assert detail["name"] == "sp-flow" and detail["arn"] == policy_arn
    assert detail["fairsharePolicy"] == policy
    assert detail["tags"] == {"team": "a"}

    changed = fairshare(0, 99, ("UserB", 0.0001))
    reply = batch.update_scheduling_policy(arn=policy_arn,
                                           fairsharePolicy=changed)
    assert body_of(reply) == {}
    assert describe(batch, policy_arn)["fairsharePolicy"] == changed

    batch.tag_resource(resourceArn=policy_arn, tags={"env": "test"})
    batch.untag_resource(resourceArn=policy_arn, tagKeys=["team"])
    assert batch.list_tags_for_resource(resourceArn=policy_arn)["tags"] == {
        "env": "test"}
    assert describe(batch, policy_arn)["tags"] == {"env": "test"}

    assert body_of(batch.delete_scheduling_policy(arn=policy_arn)) == {}
    assert describe(batch, policy_arn) is None
    message = client_exception(batch.delete_scheduling_policy, arn=policy_arn)
    assert "not found" in message


def test_describe_takes_arns_and_leaves_unknown_ones_out(batch):
    a = batch.create_scheduling_policy(name="sp-find-a")["arn"]
    b = batch.create_scheduling_policy(name="sp-find-b")["arn"]
    found = batch.describe_scheduling_policies(arns=[
        b, arn("scheduling-policy", "sp-missing"), "sp-find-a", a,
        arn("scheduling-policy", "sp-find-a", region="eu-west-1")])
    assert [p["name"] for p in found["schedulingPolicies"]] == [
        "sp-find-b", "sp-find-a"]
    assert "nextToken" not in found


def test_a_name_is_used_once_and_must_match_the_pattern(batch):
    batch.create_scheduling_policy(name="sp-dup")
    assert "already exists" in client_exception(batch.create_scheduling_policy,
                                        name="sp-dup")
    assert "name" in client_exception(batch.create_scheduling_policy,
                              name="bad name")
    assert "name" in client_exception(batch.create_scheduling_policy,
                              name="p" * 129)


# -- fairsharePolicy ranges -------------------------------------------------------


@pytest.mark.parametrize("policy", [
    fairshare(0, 0), fairshare(604800, 99),
    fairshare(1, 50, ("A", 0.0001), ("B", 999.9999), ("C*", 1)),
])
def test_policies_at_the_limits_are_accepted(batch, policy):
    name = "sp-ok-{}-{}-{}".format(policy["shareDecaySeconds"],
                                   policy["computeReservation"],
                                   len(policy["shareDistribution"]))
    policy_arn = batch.create_scheduling_policy(
        name=name, fairsharePolicy=policy)["arn"]
    assert describe(batch, policy_arn)["fairsharePolicy"] == policy


@pytest.mark.parametrize("policy,member", [
    (fairshare(0, 100), "computeReservation"),
    (fairshare(0, -1), "computeReservation"),
    (fairshare(604801, 0), "shareDecaySeconds"),
    (fairshare(-1, 0), "shareDecaySeconds"),
    (fairshare(0, 0, ("A", 0.00009)), "weightFactor"),
    (fairshare(0, 0, ("A", 0)), "weightFactor"),
    (fairshare(0, 0, ("A", 1000)), "weightFactor"),
    (fairshare(0, 0, ("A", -1)), "weightFactor"),
])
def test_values_out_of_range_are_refused(batch, policy, member):
    message = client_exception(batch.create_scheduling_policy, name="sp-range",
                       fairsharePolicy=policy)
    assert member in message
    assert batch.describe_scheduling_policies(
        arns=[arn("scheduling-policy", "sp-range")]
    )["schedulingPolicies"] == []


@pytest.mark.parametrize("identifiers", [
    ["UserA*", "UserA1"], ["UserA1", "UserA*"], ["User*", "UserA*"],
    ["UserA", "UserA"], ["A*", "A*"], ["UserA*", "UserA"],
])
def test_overlapping_share_identifiers_are_refused(batch, identifiers):
    policy = fairshare(0, 0, *[(s, 1.0) for s in identifiers])
    message = client_exception(batch.create_scheduling_policy, name="sp-overlap",
                       fairsharePolicy=policy)
    assert "overlap" in message
    assert all(s in message for s in identifiers)


def test_identifiers_that_do_not_overlap_are_accepted(batch):
    policy = fairshare(0, 0, ("UserA*", 1.0), ("UserB*", 1.0),
                       ("UserC1", 1.0), ("UserC12", 1.0))
    policy_arn = batch.create_scheduling_policy(
        name="sp-apart", fairsharePolicy=policy)["arn"]
    assert describe(batch, policy_arn)["fairsharePolicy"] == policy


@pytest.mark.parametrize("identifier", [
    "User-A", "*", "A*B", "user a", "x" * 256, "",
])
def test_bad_share_identifiers_are_refused(server, batch, identifier):
    policy = fairshare(0, 0, (identifier, 1.0))
    message = client_exception(batch.create_scheduling_policy, name="sp-ident",
                       fairsharePolicy=policy)
    assert "shareIdentifier" in message


def test_an_identifier_may_have_255_characters(batch):
    policy = fairshare(0, 0, ("x" * 255, 1.0), ("y" * 255 + "*", 1.0))
    policy_arn = batch.create_scheduling_policy(
        name="sp-long", fairsharePolicy=policy)["arn"]
    assert describe(batch, policy_arn)["fairsharePolicy"] == policy


def test_a_weight_defaults_to_one(batch):
    policy_arn = batch.create_scheduling_policy(
        name="sp-default-weight",
        fairsharePolicy={"shareDistribution": [{"shareIdentifier": "A"}]}
    )["arn"]
    shares = describe(batch, policy_arn)["fairsharePolicy"][
        "shareDistribution"]
    assert shares == [{"shareIdentifier": "A", "weightFactor": 1.0}]


# -- update ---------------------------------------------------------------------


def test_a_refused_update_changes_nothing(batch):
    policy = fairshare(60, 10, ("A", 1.0))
    policy_arn = batch.create_scheduling_policy(
        name="sp-keep", fairsharePolicy=policy)["arn"]
    for bad in (fairshare(0, 100), fairshare(0, 0, ("A*", 1), ("A1", 1)),
                fairshare(0, 0, ("A", 1000))):
        client_exception(batch.update_scheduling_policy, arn=policy_arn,
                 fairsharePolicy=bad)
    assert describe(batch, policy_arn)["fairsharePolicy"] == policy


def test_update_needs_an_existing_policy(batch):
    missing = arn("scheduling-policy", "sp-nowhere")
    message = client_exception(batch.update_scheduling_policy, arn=missing,
                       fairsharePolicy=fairshare())
    assert missing in message and "not found" in message


# -- delete ---------------------------------------------------------------------


def test_a_policy_in_use_cannot_be_deleted(batch):
    policy_arn = batch.create_scheduling_policy(
        name="sp-used", fairsharePolicy=fairshare())["arn"]
    queue_with_policy(batch, "sp-user", policy_arn)
    message = client_exception(batch.delete_scheduling_policy, arn=policy_arn)
    assert message == "Cannot delete, found existing JobQueue relationship"
    assert describe(batch, policy_arn) is not None

    batch.update_job_queue(jobQueue="sp-user", state="DISABLED")
    message = client_exception(batch.delete_scheduling_policy, arn=policy_arn)
    assert message == "Cannot delete, found existing JobQueue relationship"
    batch.delete_job_queue(jobQueue="sp-user")
    batch.delete_scheduling_policy(arn=policy_arn)
    assert describe(batch, policy_arn) is None


# -- list -----------------------------------------------------------------------


def test_list_returns_arns_page_by_page(server):
    batch = client_for(server, region="eu-north-1")
    arns = [batch.create_scheduling_policy(name=f"sp-list-{i}")["arn"]
            for i in range(5)]

    listed = batch.list_scheduling_policies()
    assert_matches_output("ListSchedulingPolicies", body_of(listed))
    assert listed["schedulingPolicies"] == [{"arn": a} for a in arns]
    assert "nextToken" not in listed

    seen, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = batch.list_scheduling_policies(**kwargs)
        pages += 1
        assert len(page["schedulingPolicies"]) <= 2
        seen += [p["arn"] for p in page["schedulingPolicies"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == arns and pages == 3

    paginator = batch.get_paginator("list_scheduling_policies")
    assert [p["arn"] for page in paginator.paginate(
        PaginationConfig={"PageSize": 3})
        for p in page["schedulingPolicies"]] == arns

    assert "maxResults" in client_exception(batch.list_scheduling_policies,
                                    maxResults=0)
    assert "maxResults" in client_exception(batch.list_scheduling_policies,
                                    maxResults=101)
    assert "nextToken" in client_exception(batch.list_scheduling_policies,
                                   nextToken="garbage")


# -- the CLI ----------------------------------------------------------------------


def test_cli_flow(cli):
    code, out = cli("create-scheduling-policy", "--name", "sp-cli",
                    "--fairshare-policy",
                    "shareDecaySeconds=3600,computeReservation=10,"
                    "shareDistribution=[{shareIdentifier=teamA,"
                    "weightFactor=0.5}]",
                    "--tags", "team=cli")
    assert code == 0
    policy_arn = arn("scheduling-policy", "sp-cli")
    assert out == {"name": "sp-cli", "arn": policy_arn}

    code, out = cli("describe-scheduling-policies", "--arns", policy_arn)
    assert code == 0
    detail = out["schedulingPolicies"][0]
    assert detail["fairsharePolicy"] == {
        "shareDecaySeconds": 3600, "computeReservation": 10,
        "shareDistribution": [{"shareIdentifier": "teamA",
                               "weightFactor": 0.5}]}
    assert detail["tags"] == {"team": "cli"}

    code, out = cli("update-scheduling-policy", "--arn", policy_arn,
                    "--fairshare-policy", "computeReservation=100")
    assert code != 0 and "ClientException" in out
    assert "computeReservation" in out
    code, out = cli("update-scheduling-policy", "--arn", policy_arn,
                    "--fairshare-policy", "computeReservation=20")
    assert code == 0
    code, out = cli("describe-scheduling-policies", "--arns", policy_arn)
    assert out["schedulingPolicies"][0]["fairsharePolicy"][
        "computeReservation"] == 20

    code, out = cli("list-scheduling-policies")
    assert code == 0 and {"arn": policy_arn} in out["schedulingPolicies"]

    code, out = cli("create-scheduling-policy", "--name", "sp-cli-overlap",
                    "--fairshare-policy",
                    "shareDistribution=[{shareIdentifier=UserA*},"
                    "{shareIdentifier=UserA1}]")
    assert code != 0 and "ClientException" in out and "overlap" in out

    code, out = cli("delete-scheduling-policy", "--arn", policy_arn)
    assert code == 0
    code, out = cli("describe-scheduling-policies", "--arns", policy_arn)
    assert code == 0 and out["schedulingPolicies"] == []
