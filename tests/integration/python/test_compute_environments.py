"""Compute environments through boto3 and the AWS CLI: create, describe,
update, tag and delete, with the errors AWS Batch gives for bad calls."""

import pytest
from botocore.exceptions import ClientError

from conftest import arn, client_for


def managed(name, max_vcpus=4):
    return dict(computeEnvironmentName=name, type="MANAGED",
                computeResources={"type": "EC2", "maxvCpus": max_vcpus,
                                  "minvCpus": 0, "subnets": ["subnet-1"],
                                  "instanceRole": "ecsInstanceRole"})


def error_of(call, **kwargs):
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Code"], error["Message"]


def test_create_describe_update_tag_delete(batch):
    created = batch.create_compute_environment(**managed("ce-flow"),
                                               tags={"team": "a"})
    assert created["computeEnvironmentArn"] == arn("compute-environment",
                                                   "ce-flow")
    assert created["ResponseMetadata"]["RequestId"]

    described = batch.describe_compute_environments(
        computeEnvironments=["ce-flow"])["computeEnvironments"]
    assert len(described) == 1
    ce = described[0]
    assert ce["state"] == "ENABLED" and ce["status"] == "VALID"
    assert ce["computeResources"]["maxvCpus"] == 4
    assert ce["tags"] == {"team": "a"}

    batch.update_compute_environment(computeEnvironment="ce-flow",
                                     state="DISABLED",
                                     computeResources={"maxvCpus": 8})
    ce = batch.describe_compute_environments(
        computeEnvironments=[created["computeEnvironmentArn"]]
    )["computeEnvironments"][0]
    assert ce["state"] == "DISABLED"
    assert ce["computeResources"]["maxvCpus"] == 8

    ce_arn = created["computeEnvironmentArn"]
    batch.tag_resource(resourceArn=ce_arn, tags={"env": "test"})
    batch.untag_resource(resourceArn=ce_arn, tagKeys=["team"])
    assert batch.list_tags_for_resource(resourceArn=ce_arn)["tags"] == {
        "env": "test"}

    batch.delete_compute_environment(computeEnvironment="ce-flow")
    assert batch.describe_compute_environments(
        computeEnvironments=["ce-flow"])["computeEnvironments"] == []


def test_bad_calls_are_client_exceptions(batch):
    code, message = error_of(batch.create_compute_environment,
                             computeEnvironmentName="bad name!",
                             type="UNMANAGED")
    assert code == "ClientException" and "computeEnvironmentName" in message

    code, message = error_of(batch.create_compute_environment,
                             computeEnvironmentName="no-resources",
                             type="MANAGED")
    assert "computeResources" in message

    batch.create_compute_environment(**managed("ce-dup"))
    code, message = error_of(batch.create_compute_environment,
                             **managed("ce-dup"))
    assert "already exists" in message

    code, message = error_of(batch.delete_compute_environment,
                             computeEnvironment="ce-dup")
    assert "DISABLED" in message

    code, message = error_of(batch.update_compute_environment,
                             computeEnvironment="missing", state="DISABLED")
    assert message == "ComputeEnvironment missing not found."


def test_regions_are_kept_apart(server, batch):
    west = client_for(server, region="us-west-2")
    created = west.create_compute_environment(**managed("ce-west"))
    assert ":us-west-2:" in created["computeEnvironmentArn"]
    names = [ce["computeEnvironmentName"] for ce in
             batch.describe_compute_environments()["computeEnvironments"]]
    assert "ce-west" not in names


def test_describe_paginates_with_stable_tokens(batch):
    for i in range(5):
        batch.create_compute_environment(
            computeEnvironmentName=f"page-{i}", type="UNMANAGED",
            unmanagedvCpus=2)
    paginator = batch.get_paginator("describe_compute_environments")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    names = [ce["computeEnvironmentName"] for page in pages
             for ce in page["computeEnvironments"]]
    assert [n for n in names if n.startswith("page-")] == [
        f"page-{i}" for i in range(5)]
    assert len(pages) >= 3


def test_cli_flow(cli):
    code, out = cli("create-compute-environment",
                    "--compute-environment-name", "ce-cli",
                    "--type", "UNMANAGED", "--unmanagedv-cpus", "4")
    assert code == 0 and out["computeEnvironmentName"] == "ce-cli"
    code, out = cli("describe-compute-environments",
                    "--compute-environments", "ce-cli")
    assert out["computeEnvironments"][0]["unmanagedvCpus"] == 4
    code, err = cli("delete-compute-environment",
                    "--compute-environment", "ce-cli")
    assert code != 0 and "ClientException" in err
