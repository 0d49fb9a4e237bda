"""Walks all 45 operations of the Batch model over raw HTTP: each is routed
at its modeled method and URI and answers in the modeled shape. An operation
batchd does not build yet answers 400 ClientException saying so; a built one
rejects a body that lacks required members and answers success with only
members of its output shape."""

import pytest

from conftest import arn
from wire import (assert_error_reply, assert_json_reply,
                  assert_matches_output, call, encode_arn, model)

OPERATIONS = sorted(model()["operations"])

# Operations that must be served (not answer "not supported"). Extend it as
# families land; the walk below checks every other operation either way.
BUILT = {
    "CreateComputeEnvironment", "DescribeComputeEnvironments",
    "UpdateComputeEnvironment", "DeleteComputeEnvironment",
    "TagResource", "ListTagsForResource", "UntagResource",
}

TAGGED_CE = "model-walk-ce"


def required_inputs(operation):
    """Required input members that a minimal `{}` request leaves out: every
    required member except the {resourceArn} label, which the walk fills."""
    shapes = model()["shapes"]
    shape = shapes[model()["operations"][operation]["input"]["shape"]]
    return [name for name in shape.get("required", [])
            if shape["members"][name].get("location") != "uri"]


def request_line(operation, resource_arn):
    http = model()["operations"][operation]["http"]
    uri = http["requestUri"].replace("{resourceArn}", encode_arn(resource_arn))
    return http["method"], uri


def is_unsupported(reply):
    return (reply.status == 400
            and "does not support" in reply.body.get("message", ""))


@pytest.fixture(scope="module")
def tagged_arn(server):
    reply = call(server.port, "POST", "/v1/createcomputeenvironment",
                 {"computeEnvironmentName": TAGGED_CE, "type": "UNMANAGED",
                  "unmanagedvCpus": 1, "tags": {"walk": "yes"}})
    assert reply.status == 200, reply.raw
    return arn("compute-environment", TAGGED_CE)


def test_the_model_has_45_operations():
    assert len(OPERATIONS) == 45
    assert BUILT <= set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_operation_is_routed_and_answers_in_the_model_shape(
        server, tagged_arn, operation):
    method, uri = request_line(operation, tagged_arn)
    reply = call(server.port, method, uri, b"{}")

    assert reply.status not in (404, 405), (operation, reply.raw)
    assert reply.status < 500, (operation, reply.raw)
    assert_json_reply(reply)

    if is_unsupported(reply):
        message = assert_error_reply(reply)
        assert operation not in BUILT, message
        assert operation in message and "yet" in message, message
        return
    if reply.status != 200:
        assert_error_reply(reply)
        return
    assert not required_inputs(operation), (
        f"{operation} accepted a body without {required_inputs(operation)}")
    assert_matches_output(operation, reply.body)


@pytest.mark.parametrize("operation", sorted(BUILT))
def test_built_operation_rejects_missing_required_members(
        server, tagged_arn, operation):
    missing = required_inputs(operation)
    if not missing:
        pytest.skip(f"{operation} has no required members to leave out")
    method, uri = request_line(operation, tagged_arn)
    message = assert_error_reply(call(server.port, method, uri, b"{}"))
    assert "does not support" not in message
    assert any(name in message for name in missing), (missing, message)


# Calls that must succeed, in order; each success body is checked against the
# operation's output shape, so every field batchd writes is a modeled one.
FLOW = [
    ("CreateComputeEnvironment", {
        "computeEnvironmentName": "model-flow", "type": "MANAGED",
        "state": "ENABLED", "serviceRole": "arn:aws:iam::0:role/batch",
        "computeResources": {
            "type": "EC2", "allocationStrategy": "BEST_FIT_PROGRESSIVE",
            "minvCpus": 0, "maxvCpus": 16, "desiredvCpus": 2,
            "instanceTypes": ["optimal"], "subnets": ["subnet-1"],
            "securityGroupIds": ["sg-1"], "instanceRole": "ecsInstanceRole",
            "tags": {"k": "v"}, "ec2Configuration": [
                {"imageType": "ECS_AL2"}]},
        "tags": {"team": "a"}}),
    ("CreateComputeEnvironment", {
        "computeEnvironmentName": "model-flow-unmanaged",
        "type": "UNMANAGED", "unmanagedvCpus": 4}),
    ("DescribeComputeEnvironments", {}),
    ("DescribeComputeEnvironments", {"computeEnvironments": ["model-flow"]}),
    ("DescribeComputeEnvironments", {"maxResults": 1}),
    ("UpdateComputeEnvironment", {
        "computeEnvironment": "model-flow", "state": "DISABLED",
        "computeResources": {"maxvCpus": 8}}),
    ("TagResource", {"tags": {"env": "test"}}),
    ("ListTagsForResource", {}),
    ("DeleteComputeEnvironment", {"computeEnvironment": "model-flow"}),
]

FLOW_ARN = arn("compute-environment", "model-flow-unmanaged")


def test_successful_answers_contain_only_modeled_members(server):
    for operation, body in FLOW:
        method, uri = request_line(operation, FLOW_ARN)
        reply = call(server.port, method, uri, body)
        assert reply.status == 200, (operation, reply.raw)
        assert_json_reply(reply)
        assert_matches_output(operation, reply.body)
