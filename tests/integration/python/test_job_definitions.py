"""Job definitions through boto3 and the AWS CLI: register, describe,
deregister, tag and untag, with the rules AWS Batch applies to them:
revisions 1, 2, 3... that are never reused, deregistering makes a revision
INACTIVE, describe by name, ARN, name:revision and status, environment
variable names starting with AWS_BATCH are reserved, the members a container
or a multinode definition needs, and pagination."""

import pytest

from conftest import arn, body_of, client_exception, client_for
from wire import assert_matches_output


def container(**extra):
    return dict(image="busybox", command=["true"],
                resourceRequirements=[{"type": "VCPU", "value": "1"},
                                      {"type": "MEMORY", "value": "64"}],
                **extra)


def register(batch, name, **extra):
    """Registers a container definition and returns the reply."""
    extra.setdefault("containerProperties", container())
    return batch.register_job_definition(jobDefinitionName=name,
                                         type="container", **extra)


def nodes(num_nodes=2, main_node=0, ranges=None):
    ranges = ranges or [{"targetNodes": f"0:{num_nodes - 1}",
                         "container": container()}]
    return {"numNodes": num_nodes, "mainNode": main_node,
            "nodeRangeProperties": ranges}


def revisions(batch, **filters):
    """Returns (revision, status) of every definition the filters match."""
    found = batch.describe_job_definitions(**filters)["jobDefinitions"]
    return sorted((d["revision"], d["status"]) for d in found)


def definition_arn(name, revision, region="us-east-1"):
    return arn("job-definition", f"{name}:{revision}", region=region)


# -- the whole flow -------------------------------------------------------------


def test_register_describe_deregister_tag_untag(batch):
    first = register(batch, "jd-flow", tags={"team": "a"},
                     parameters={"greeting": "hi"})
    assert body_of(first) == {"jobDefinitionName": "jd-flow",
                              "jobDefinitionArn": definition_arn("jd-flow", 1),
                              "revision": 1}
    assert register(batch, "jd-flow")["revision"] == 2
    third = register(batch, "jd-flow")
    assert third["revision"] == 3
    assert third["jobDefinitionArn"] == definition_arn("jd-flow", 3)

    described = batch.describe_job_definitions(jobDefinitionName="jd-flow")
    assert_matches_output("DescribeJobDefinitions", body_of(described))
    by_revision = {d["revision"]: d for d in described["jobDefinitions"]}
    assert sorted(by_revision) == [1, 2, 3]
    one = by_revision[1]
    assert one["jobDefinitionName"] == "jd-flow"
    assert one["jobDefinitionArn"] == definition_arn("jd-flow", 1)
    assert one["status"] == "ACTIVE" and one["type"] == "container"
    assert one["containerProperties"]["image"] == "busybox"
    assert one["containerProperties"]["command"] == ["true"]
    assert one["parameters"] == {"greeting": "hi"}
    assert one["tags"] == {"team": "a"}
    assert by_revision[2]["tags"] == {}

    batch.deregister_job_definition(jobDefinition="jd-flow:2")
    assert revisions(batch, jobDefinitionName="jd-flow") == [
        (1, "ACTIVE"), (2, "INACTIVE"), (3, "ACTIVE")]

    first_arn = first["jobDefinitionArn"]
    batch.tag_resource(resourceArn=first_arn, tags={"env": "test"})
    batch.untag_resource(resourceArn=first_arn, tagKeys=["team"])
    assert batch.list_tags_for_resource(resourceArn=first_arn)["tags"] == {
        "env": "test"}
    assert batch.describe_job_definitions(jobDefinitions=[first_arn])[
        "jobDefinitions"][0]["tags"] == {"env": "test"}


# -- revisions ------------------------------------------------------------------


def test_revisions_are_never_reused(batch):
    for expected in (1, 2, 3):
        assert register(batch, "jd-revs")["revision"] == expected
    batch.deregister_job_definition(jobDefinition="jd-revs:3")
    batch.deregister_job_definition(
        jobDefinition=definition_arn("jd-revs", 2))
    assert register(batch, "jd-revs")["revision"] == 4

    for revision in (1, 4):
        batch.deregister_job_definition(jobDefinition=f"jd-revs:{revision}")
    assert revisions(batch, jobDefinitionName="jd-revs",
                     status="ACTIVE") == []
    fifth = register(batch, "jd-revs")
    assert fifth["revision"] == 5
    assert fifth["jobDefinitionArn"] == definition_arn("jd-revs", 5)
    assert revisions(batch, jobDefinitionName="jd-revs") == [
        (1, "INACTIVE"), (2, "INACTIVE"), (3, "INACTIVE"), (4, "INACTIVE"),
        (5, "ACTIVE")]


def test_each_name_counts_its_own_revisions(server, batch):
    assert register(batch, "jd-count-a")["revision"] == 1
    assert register(batch, "jd-count-a")["revision"] == 2
    assert register(batch, "jd-count-b")["revision"] == 1
    west = client_for(server, region="us-west-2")
    reply = register(west, "jd-count-a")
    assert reply["revision"] == 1
    assert reply["jobDefinitionArn"] == definition_arn("jd-count-a", 1,
                                                       region="us-west-2")


def test_deregister_makes_a_revision_inactive_for_good(batch):
    register(batch, "jd-inactive")
    batch.deregister_job_definition(jobDefinition="jd-inactive:1")
    inactive = batch.describe_job_definitions(
        jobDefinitions=["jd-inactive:1"])["jobDefinitions"]
    assert [d["status"] for d in inactive] == ["INACTIVE"]
    assert revisions(batch, jobDefinitionName="jd-inactive",
                     status="INACTIVE") == [(1, "INACTIVE")]
    assert revisions(batch, jobDefinitionName="jd-inactive",
                     status="ACTIVE") == []


def test_deregister_needs_an_existing_revision(batch):
    register(batch, "jd-dereg")
    message = client_exception(batch.deregister_job_definition,
                       jobDefinition="jd-dereg:7")
    assert "jd-dereg:7" in message
    client_exception(batch.deregister_job_definition, jobDefinition="jd-missing:1")
    client_exception(batch.deregister_job_definition,
             jobDefinition=definition_arn("jd-dereg", 1, region="eu-west-1"))
    message = client_exception(batch.deregister_job_definition,
                       jobDefinition="jd-dereg")
    assert "revision" in message
    assert revisions(batch, jobDefinitionName="jd-dereg") == [(1, "ACTIVE")]


# -- describe -------------------------------------------------------------------


def test_describe_by_arn_and_name_revision(batch):
    register(batch, "jd-find")
    register(batch, "jd-find")
    found = batch.describe_job_definitions(
        jobDefinitions=[definition_arn("jd-find", 2), "jd-find:1",
                        "jd-find:9", "jd-nobody:1"])["jobDefinitions"]
    assert sorted(d["jobDefinitionArn"] for d in found) == [
        definition_arn("jd-find", 1), definition_arn("jd-find", 2)]


def test_describe_list_entries_must_name_a_revision(batch):
    register(batch, "jd-bare")
    assert batch.describe_job_definitions(
        jobDefinitions=["jd-bare"])["jobDefinitions"] == []


def test_describe_filters_by_status(batch):
    for _ in range(3):
        register(batch, "jd-status")
    batch.deregister_job_definition(jobDefinition="jd-status:1")
    assert revisions(batch, jobDefinitionName="jd-status",
                     status="ACTIVE") == [(2, "ACTIVE"), (3, "ACTIVE")]
    assert revisions(batch, jobDefinitionName="jd-status",
                     status="INACTIVE") == [(1, "INACTIVE")]
    all_inactive = revisions(batch, status="INACTIVE")
    assert (1, "INACTIVE") in all_inactive
    assert all(status == "INACTIVE" for _, status in all_inactive)
    assert "status" in client_exception(batch.describe_job_definitions,
                                jobDefinitionName="jd-status",
                                status="DELETED")


def test_describe_by_name_matches_that_name_only(batch):
    register(batch, "jd-prefix")
    register(batch, "jd-prefix-longer")
    names = {d["jobDefinitionName"] for d in batch.describe_job_definitions(
        jobDefinitionName="jd-prefix")["jobDefinitions"]}
    assert names == {"jd-prefix"}
    assert batch.describe_job_definitions(
        jobDefinitionName="jd-never-registered")["jobDefinitions"] == []


# -- validation -----------------------------------------------------------------


@pytest.mark.parametrize("variable", [
    "AWS_BATCH_JOB_ID", "AWS_BATCH", "AWS_BATCHX", "AWS_BATCH_CE_NAME"])
def test_reserved_environment_names_are_refused(batch, variable):
    environment = [{"name": variable, "value": "x"}]
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-reserved", type="container",
                       containerProperties=container(environment=environment))
    assert variable in message and "AWS_BATCH" in message

    ranges = [{"targetNodes": "0:1",
               "container": container(environment=environment)}]
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-reserved", type="multinode",
                       nodeProperties=nodes(ranges=ranges))
    assert variable in message

    task = {"taskProperties": [{"containers": [
        {"image": "busybox", "environment": environment}]}]}
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-reserved", type="container",
                       ecsProperties=task)
    assert variable in message
    assert revisions(batch, jobDefinitionName="jd-reserved") == []


def test_other_environment_names_are_kept(batch):
    environment = [{"name": "MY_AWS_BATCH", "value": "1"},
                   {"name": "aws_batch_lower", "value": "2"}]
    register(batch, "jd-env", containerProperties=container(
        environment=environment))
    described = batch.describe_job_definitions(
        jobDefinitions=["jd-env:1"])["jobDefinitions"][0]
    assert described["containerProperties"]["environment"] == environment


def test_a_multinode_definition_needs_node_properties(batch):
    reply = batch.register_job_definition(
        jobDefinitionName="jd-multi", type="multinode",
        nodeProperties=nodes(num_nodes=3, main_node=2, ranges=[
            {"targetNodes": "0:1", "container": container()},
            {"targetNodes": "2:", "container": container()}]))
    assert reply["revision"] == 1
    described = batch.describe_job_definitions(
        jobDefinitions=["jd-multi:1"])["jobDefinitions"][0]
    assert described["type"] == "multinode"
    assert described["nodeProperties"]["numNodes"] == 3
    assert described["nodeProperties"]["mainNode"] == 2
    assert [r["targetNodes"] for r in
            described["nodeProperties"]["nodeRangeProperties"]] == [
        "0:1", "2:"]
    assert "containerProperties" not in described

    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-multi-bad", type="multinode")
    assert "nodeProperties" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-multi-bad", type="multinode",
                       containerProperties=container())
    assert "nodeProperties" in message or "containerProperties" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-multi-bad", type="multinode",
                       nodeProperties=nodes(), containerProperties=container())
    assert "containerProperties" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-multi-bad", type="multinode",
                       nodeProperties=nodes(),
                       platformCapabilities=["FARGATE"])
    assert "FARGATE" in message


@pytest.mark.parametrize("properties,words", [
    (nodes(num_nodes=2, main_node=2), ["mainNode"]),
    (nodes(num_nodes=0, main_node=0), ["numNodes"]),
    (nodes(num_nodes=3, ranges=[{"targetNodes": "0:1",
                                 "container": container()}]), ["cover"]),
    (nodes(num_nodes=2, ranges=[{"targetNodes": "0:5",
                                 "container": container()}]),
     ["targetNodes"]),
    (nodes(num_nodes=2, ranges=[{"targetNodes": "0:1"}]), ["container"]),
])
def test_bad_node_properties_are_refused(batch, properties, words):
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-nodes-bad", type="multinode",
                       nodeProperties=properties)
    for word in words:
        assert word in message


def test_a_container_definition_needs_exactly_one_workload(batch):
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-empty", type="container")
    assert "containerProperties" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-both", type="container",
                       containerProperties=container(),
                       ecsProperties={"taskProperties": [{"containers": [
                           {"image": "busybox"}]}]})
    assert "exactly one" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-nodes", type="container",
                       containerProperties=container(),
                       nodeProperties=nodes())
    assert "nodeProperties" in message
    message = client_exception(batch.register_job_definition,
                       jobDefinitionName="jd-no-image", type="container",
                       containerProperties={"command": ["true"]})
    assert "image" in message
    assert "type" in client_exception(batch.register_job_definition,
                              jobDefinitionName="jd-type", type="lambda",
                              containerProperties=container())
    for name in ("jd-empty", "jd-both", "jd-nodes", "jd-no-image", "jd-type"):
        assert revisions(batch, jobDefinitionName=name) == []


@pytest.mark.parametrize("extra,member", [
    ({"timeout": {"attemptDurationSeconds": 59}}, "attemptDurationSeconds"),
    ({"retryStrategy": {"attempts": 11}}, "attempts"),
    ({"retryStrategy": {"attempts": 0}}, "attempts"),
    ({"schedulingPriority": 10000}, "schedulingPriority"),
    ({"schedulingPriority": -1}, "schedulingPriority"),
    ({"platformCapabilities": ["LAMBDA"]}, "platformCapabilities"),
    ({"containerProperties": container(vcpus=0)}, "vcpus"),
    ({"containerProperties": {"image": "busybox", "resourceRequirements": [
        {"type": "MEMORY", "value": "lots"}]}}, "MiB"),
])
def test_bad_definition_members_are_refused(batch, extra, member):
    message = client_exception(register, batch=batch, name="jd-members", **extra)
    assert member in message
    assert revisions(batch, jobDefinitionName="jd-members") == []


def test_names_must_match_the_pattern(batch):
    for name in ("bad name", "bad/name", "n" * 129):
        assert "jobDefinitionName" in client_exception(register, batch=batch,
                                               name=name)
    assert register(batch, "N_-9" + "n" * 124)["revision"] == 1


# -- pagination -------------------------------------------------------------------


def test_describe_paginates_with_max_results_and_next_token(server):
    batch = client_for(server, region="ap-northeast-1")
    for i in range(4):
        register(batch, f"jd-page-{i}")
    for _ in range(2):
        register(batch, "jd-page-1")

    seen, token, pages = [], None, 0
    while True:
        kwargs = {"maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = batch.describe_job_definitions(**kwargs)
        pages += 1
        assert len(page["jobDefinitions"]) <= 2
        seen += [(d["jobDefinitionName"], d["revision"])
                 for d in page["jobDefinitions"]]
        token = page.get("nextToken")
        if not token:
            break
    assert sorted(seen) == sorted(
        [(f"jd-page-{i}", 1) for i in range(4)]
        + [("jd-page-1", 2), ("jd-page-1", 3)])
    assert len(set(seen)) == 6 and pages == 3

    paginator = batch.get_paginator("describe_job_definitions")
    named = [d["revision"] for page in paginator.paginate(
        jobDefinitionName="jd-page-1", PaginationConfig={"PageSize": 1})
        for d in page["jobDefinitions"]]
    assert sorted(named) == [1, 2, 3]

    assert "maxResults" in client_exception(batch.describe_job_definitions,
                                    maxResults=0)
    assert "maxResults" in client_exception(batch.describe_job_definitions,
                                    maxResults=101)
    assert "nextToken" in client_exception(batch.describe_job_definitions,
                                   nextToken="garbage")


# -- the CLI ----------------------------------------------------------------------


def test_cli_flow(cli):
    properties = ('{"image": "busybox", "command": ["echo", "hi"], '
                  '"resourceRequirements": [{"type": "VCPU", "value": "1"}, '
                  '{"type": "MEMORY", "value": "32"}]}')
    code, out = cli("register-job-definition", "--job-definition-name",
                    "jd-cli", "--type", "container",
                    "--container-properties", properties,
                    "--tags", "team=cli")
    assert code == 0
    assert out == {"jobDefinitionName": "jd-cli",
                   "jobDefinitionArn": definition_arn("jd-cli", 1),
                   "revision": 1}
    code, out = cli("register-job-definition", "--job-definition-name",
                    "jd-cli", "--type", "container",
                    "--container-properties", properties)
    assert code == 0 and out["revision"] == 2

    code, out = cli("describe-job-definitions", "--job-definition-name",
                    "jd-cli", "--status", "ACTIVE")
    assert code == 0
    assert sorted(d["revision"] for d in out["jobDefinitions"]) == [1, 2]
    first = [d for d in out["jobDefinitions"] if d["revision"] == 1][0]
    assert first["containerProperties"]["command"] == ["echo", "hi"]
    assert first["tags"] == {"team": "cli"}

    code, out = cli("deregister-job-definition", "--job-definition",
                    definition_arn("jd-cli", 1))
    assert code == 0
    code, out = cli("describe-job-definitions", "--job-definitions",
                    "jd-cli:1", "jd-cli:2")
    assert code == 0
    assert sorted((d["revision"], d["status"])
                  for d in out["jobDefinitions"]) == [
        (1, "INACTIVE"), (2, "ACTIVE")]

    code, err = cli("deregister-job-definition", "--job-definition",
                    "jd-cli:3")
    assert code != 0 and "ClientException" in err

    environment = ('{"image": "busybox", "environment": '
                   '[{"name": "AWS_BATCH_JOB_ID", "value": "x"}]}')
    code, err = cli("register-job-definition", "--job-definition-name",
                    "jd-cli", "--type", "container",
                    "--container-properties", environment)
    assert code != 0 and "ClientException" in err and "AWS_BATCH" in err
