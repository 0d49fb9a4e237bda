"""TagResource, ListTagsForResource and UntagResource through boto3 and the
AWS CLI on every kind of taggable resource batchd keeps without running a
job: compute environments, job queues, job definitions and scheduling
policies. Covers the tags given at create time, the limits (50 tags, keys
of 1 to 128 characters, values of at most 256) and the refusal of ARNs that
name nothing batchd has."""

import pytest

from conftest import ACCOUNT, arn, client_exception
from wire import assert_error_reply, call, encode_arn

KINDS = ["compute-environment", "job-queue", "job-definition",
         "scheduling-policy"]

CREATED_WITH = {"created": "yes", "empty": ""}


def create(batch, kind, name, tags):
    """Creates a resource of `kind` named `name` with `tags` and returns its
    ARN."""
    if kind == "compute-environment":
        return batch.create_compute_environment(
            computeEnvironmentName=name, type="UNMANAGED", unmanagedvCpus=1,
            tags=tags)["computeEnvironmentArn"]
    if kind == "job-queue":
        ce = create(batch, "compute-environment", name + "-ce", {})
        return batch.create_job_queue(
            jobQueueName=name, priority=1, tags=tags,
            computeEnvironmentOrder=[{"order": 1, "computeEnvironment": ce}]
        )["jobQueueArn"]
    if kind == "job-definition":
        return batch.register_job_definition(
            jobDefinitionName=name, type="container", tags=tags,
            containerProperties={"image": "busybox"})["jobDefinitionArn"]
    return batch.create_scheduling_policy(name=name, tags=tags)["arn"]


def described_tags(batch, kind, resource_arn):
    """The tags the kind's Describe operation reports."""
    if kind == "compute-environment":
        found = batch.describe_compute_environments(
            computeEnvironments=[resource_arn])["computeEnvironments"]
    elif kind == "job-queue":
        found = batch.describe_job_queues(
            jobQueues=[resource_arn])["jobQueues"]
    elif kind == "job-definition":
        found = batch.describe_job_definitions(
            jobDefinitions=[resource_arn])["jobDefinitions"]
    else:
        found = batch.describe_scheduling_policies(
            arns=[resource_arn])["schedulingPolicies"]
    assert len(found) == 1
    return found[0]["tags"]


def listed(batch, resource_arn):
    return batch.list_tags_for_resource(resourceArn=resource_arn)["tags"]


def many_tags(count, prefix="k"):
    return {f"{prefix}{i}": str(i) for i in range(count)}


@pytest.fixture(scope="module")
def resources(batch):
    """One resource of each kind, created with CREATED_WITH as its tags."""
    return {kind: create(batch, kind, f"tags-{kind}", CREATED_WITH)
            for kind in KINDS}


# -- the whole flow -------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_tags_given_at_create_time_are_listed(batch, resources, kind):
    assert listed(batch, resources[kind]) == CREATED_WITH
    assert described_tags(batch, kind, resources[kind]) == CREATED_WITH


@pytest.mark.parametrize("kind", KINDS)
def test_tag_list_untag(batch, kind):
    resource_arn = create(batch, kind, f"tags-flow-{kind}", {})
    assert listed(batch, resource_arn) == {}

    reply = batch.tag_resource(resourceArn=resource_arn,
                               tags={"team": "a", "env": "test"})
    assert {k: v for k, v in reply.items() if k != "ResponseMetadata"} == {}
    assert listed(batch, resource_arn) == {"team": "a", "env": "test"}

    batch.tag_resource(resourceArn=resource_arn, tags={"team": "b"})
    assert listed(batch, resource_arn) == {"team": "b", "env": "test"}

    reply = batch.untag_resource(resourceArn=resource_arn,
                                 tagKeys=["team", "never-set"])
    assert {k: v for k, v in reply.items() if k != "ResponseMetadata"} == {}
    assert listed(batch, resource_arn) == {"env": "test"}
    assert described_tags(batch, kind, resource_arn) == {"env": "test"}

    batch.untag_resource(resourceArn=resource_arn, tagKeys=["env"])
    assert listed(batch, resource_arn) == {}


def test_a_job_definition_revision_has_its_own_tags(batch):
    first = create(batch, "job-definition", "tags-revisions", {"rev": "1"})
    second = create(batch, "job-definition", "tags-revisions", {"rev": "2"})
    batch.tag_resource(resourceArn=first, tags={"only": "first"})
    assert listed(batch, first) == {"rev": "1", "only": "first"}
    assert listed(batch, second) == {"rev": "2"}


# -- limits -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_resource_holds_at_most_50_tags(batch, kind):
    resource_arn = create(batch, kind, f"tags-full-{kind}", many_tags(48))
    batch.tag_resource(resourceArn=resource_arn, tags=many_tags(2, "x"))
    assert len(listed(batch, resource_arn)) == 50

    message = client_exception(batch.tag_resource, resourceArn=resource_arn,
                       tags={"one-too-many": "v"})
    assert "50" in message
    # Replacing the value of a tag it already has is fine.
    batch.tag_resource(resourceArn=resource_arn, tags={"k0": "new"})
    tags = listed(batch, resource_arn)
    assert len(tags) == 50 and tags["k0"] == "new"
    assert "one-too-many" not in tags


@pytest.mark.parametrize("kind", KINDS)
def test_more_than_50_tags_at_create_time_are_refused(batch, kind):
    message = client_exception(create, batch=batch, kind=kind,
                       name=f"tags-crowded-{kind}", tags=many_tags(51))
    assert "50" in message


@pytest.mark.parametrize("tags,words", [
    ({"k" * 129: "v"}, ["128"]),
    ({"key": "v" * 257}, ["256"]),
    (many_tags(51), ["50"]),
    ({"aws:reserved": "v"}, ["aws:"]),
])
def test_tags_beyond_the_limits_are_refused(batch, resources, tags, words):
    for kind in KINDS:
        message = client_exception(batch.tag_resource, resourceArn=resources[kind],
                           tags=tags)
        assert all(word in message for word in words), message
        assert listed(batch, resources[kind]) == CREATED_WITH


def test_tags_at_the_limits_are_accepted(batch):
    tags = {"k" * 128: "v" * 256, "x": ""}
    resource_arn = create(batch, "scheduling-policy", "tags-edges", tags)
    assert listed(batch, resource_arn) == tags


def test_untag_takes_1_to_50_keys_of_1_to_128_characters(server, batch,
                                                         resources):
    resource_arn = resources["scheduling-policy"]
    message = client_exception(batch.untag_resource, resourceArn=resource_arn,
                       tagKeys=[f"k{i}" for i in range(51)])
    assert "50" in message
    message = client_exception(batch.untag_resource, resourceArn=resource_arn,
                       tagKeys=["k" * 129])
    assert "128" in message
    # botocore refuses an empty list itself; on the wire it is refused too.
    reply = call(server.port, "DELETE", "/v1/tags/" + encode_arn(resource_arn),
                 b"")
    assert "tagKeys" in assert_error_reply(reply)
    assert listed(batch, resource_arn) == CREATED_WITH


def test_tag_resource_needs_tags(server, resources):
    resource_arn = resources["job-queue"]
    for body in ({}, {"tags": {}}):
        reply = call(server.port, "POST",
                     "/v1/tags/" + encode_arn(resource_arn), body)
        assert "tags" in assert_error_reply(reply)


# -- ARNs that name nothing ------------------------------------------------------------


def unknown_arns():
    other_account = "111111111111"
    return [
        arn("compute-environment", "tags-nothing"),
        arn("job-queue", "tags-nothing"),
        arn("job-definition", "tags-nothing:1"),
        arn("job-definition", "tags-job-definition:9"),
        arn("scheduling-policy", "tags-nothing"),
        arn("job", "00000000-0000-4000-8000-000000000000"),
        # Resources that exist, named in another account or region.
        arn("compute-environment", "tags-compute-environment").replace(
            ACCOUNT, other_account),
        arn("job-queue", "tags-job-queue").replace(ACCOUNT, other_account),
        arn("job-definition", "tags-job-definition:1").replace(
            ACCOUNT, other_account),
        arn("scheduling-policy", "tags-scheduling-policy").replace(
            ACCOUNT, other_account),
        arn("job-queue", "tags-job-queue", region="eu-west-1"),
        # A job definition is tagged by revision.
        arn("job-definition", "tags-job-definition"),
        # Not a Batch resource that can be tagged.
        arn("service-environment-x", "tags-nothing"),
        "arn:aws:ecs:us-east-1:000000000000:cluster/tags",
        "not-an-arn",
    ]


@pytest.mark.parametrize("resource_arn", unknown_arns())
def test_arns_that_name_nothing_are_refused(batch, resources, resource_arn):
    client_exception(batch.list_tags_for_resource, resourceArn=resource_arn)
    client_exception(batch.tag_resource, resourceArn=resource_arn, tags={"a": "b"})
    client_exception(batch.untag_resource, resourceArn=resource_arn,
             tagKeys=["created"])
    for kind in KINDS:
        assert listed(batch, resources[kind]) == CREATED_WITH


def test_an_unknown_resource_is_named_in_the_message(batch):
    missing = arn("job-queue", "tags-nothing")
    assert client_exception(batch.list_tags_for_resource,
                    resourceArn=missing) == f"JobQueue {missing} not found."
    missing = arn("compute-environment", "tags-nothing")
    assert client_exception(batch.tag_resource, resourceArn=missing,
                    tags={"a": "b"}) == (
        f"ComputeEnvironment {missing} not found.")


def test_a_deleted_resource_has_no_tags(batch):
    policy_arn = create(batch, "scheduling-policy", "tags-gone", {"a": "b"})
    batch.delete_scheduling_policy(arn=policy_arn)
    assert "not found" in client_exception(batch.list_tags_for_resource,
                                   resourceArn=policy_arn)
    # A new policy of the same name starts without the old tags.
    assert create(batch, "scheduling-policy", "tags-gone", {}) == policy_arn
    assert listed(batch, policy_arn) == {}


# -- the CLI ----------------------------------------------------------------------


def test_cli_flow(cli):
    code, out = cli("create-scheduling-policy", "--name", "tags-cli",
                    "--tags", "team=cli,env=dev")
    assert code == 0
    policy_arn = out["arn"]
    code, out = cli("list-tags-for-resource", "--resource-arn", policy_arn)
    assert code == 0 and out == {"tags": {"team": "cli", "env": "dev"}}

    code, out = cli("tag-resource", "--resource-arn", policy_arn,
                    "--tags", "env=prod,owner=ops")
    assert code == 0
    code, out = cli("untag-resource", "--resource-arn", policy_arn,
                    "--tag-keys", "team", "owner")
    assert code == 0
    code, out = cli("list-tags-for-resource", "--resource-arn", policy_arn)
    assert out == {"tags": {"env": "prod"}}

    code, err = cli("tag-resource", "--resource-arn",
                    arn("job-queue", "tags-cli-missing"), "--tags", "a=b")
    assert code != 0 and "ClientException" in err and "not found" in err
    code, err = cli("tag-resource", "--resource-arn", policy_arn,
                    "--tags", "k" * 129 + "=v")
    assert code != 0 and "ClientException" in err
