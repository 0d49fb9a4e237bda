"""The restJson1 wire rules over raw HTTP: bad bodies are clear 400
ClientExceptions (never a crash, a 5xx or HTML), oversized bodies are
refused, the SigV4 credential scope picks the region, tag ARNs are decoded
once, and unknown paths answer JSON."""

import json
import socket

import pytest

from conftest import arn
from wire import (assert_error_reply, assert_json_reply, authorization,
                  call, encode_arn)

DESCRIBE = "/v1/describecomputeenvironments"
CREATE = "/v1/createcomputeenvironment"
LIMIT = 1024 * 1024


def unmanaged(name):
    return {"computeEnvironmentName": name, "type": "UNMANAGED",
            "unmanagedvCpus": 1}


def names_in(port, region=None):
    headers = {"Authorization": authorization(region)} if region else {}
    reply = call(port, "POST", DESCRIBE, {}, headers)
    assert reply.status == 200, reply.raw
    return [ce["computeEnvironmentName"]
            for ce in reply.body["computeEnvironments"]]


@pytest.mark.parametrize("body", [
    b"{", b"{bad json}", b'{"a": 1,}', b"nul", b'{"a": "\xff\xfe"}',
    b"[" * 5000 + b"]" * 5000,
])
def test_malformed_json_is_a_client_exception(server, body):
    message = assert_error_reply(call(server.port, "POST", DESCRIBE, body))
    assert "JSON" in message or "json" in message


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"true"])
def test_a_body_that_is_not_an_object_is_refused(server, body):
    assert_error_reply(call(server.port, "POST", DESCRIBE, body))


def test_an_empty_body_counts_as_an_empty_object(server):
    reply = call(server.port, "POST", DESCRIBE, b"")
    assert reply.status == 200, reply.raw
    assert_json_reply(reply)


@pytest.mark.parametrize("path,body,member", [
    (CREATE, {"computeEnvironmentName": 5, "type": "UNMANAGED"},
     "computeEnvironmentName"),
    (CREATE, {"computeEnvironmentName": "x", "type": ["UNMANAGED"]}, "type"),
    (CREATE, dict(unmanaged("wrong-vcpus"), unmanagedvCpus="1"),
     "unmanagedvCpus"),
    (CREATE, dict(unmanaged("wrong-tags"), tags=["a"]), "tags"),
    (CREATE, dict(unmanaged("wrong-tag-value"), tags={"a": 1}), "tags"),
    (DESCRIBE, {"computeEnvironments": "ce"}, "computeEnvironments"),
    (DESCRIBE, {"computeEnvironments": [1]}, "computeEnvironments"),
    (DESCRIBE, {"maxResults": "10"}, "maxResults"),
    (DESCRIBE, {"maxResults": 1.5}, "maxResults"),
    (DESCRIBE, {"maxResults": 10 ** 30}, "maxResults"),
    (DESCRIBE, {"nextToken": 7}, "nextToken"),
])
def test_wrong_member_types_are_client_exceptions(server, path, body,
                                                   member):
    message = assert_error_reply(call(server.port, "POST", path, body))
    assert member in message or "number" in message


def test_missing_required_members_are_named(server):
    message = assert_error_reply(
        call(server.port, "POST", CREATE, {"type": "UNMANAGED"}))
    assert "computeEnvironmentName" in message


def test_refused_calls_change_nothing(server):
    assert_error_reply(call(server.port, "POST", CREATE,
                            dict(unmanaged("refused"), unmanagedvCpus="x")))
    assert "refused" not in names_in(server.port)


def oversized_body():
    return b'{"computeEnvironments": ["' + b"a" * LIMIT + b'"]}'


def test_an_oversized_body_is_a_client_exception(server):
    message = assert_error_reply(
        call(server.port, "POST", DESCRIBE, oversized_body()))
    assert str(LIMIT) in message or "large" in message


def test_an_oversized_chunked_body_is_a_client_exception(server):
    def chunks():
        body = oversized_body()
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request("POST", DESCRIBE, body=chunks(),
                     headers={"Content-Type": "application/json"},
                     encode_chunked=True)
        response = conn.getresponse()
        raw = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    from wire import Reply
    assert_error_reply(Reply(response.status, headers, raw))


def test_a_body_just_under_the_limit_is_served(server):
    body = b"{}" + b" " * (LIMIT - 2)
    reply = call(server.port, "POST", DESCRIBE, body)
    assert reply.status == 200, reply.raw[:300]


def test_the_credential_scope_picks_the_region(server):
    west = {"Authorization": authorization("eu-west-1")}
    reply = call(server.port, "POST", CREATE, unmanaged("wire-west"), west)
    assert reply.status == 200, reply.raw
    assert reply.body["computeEnvironmentArn"] == arn(
        "compute-environment", "wire-west", region="eu-west-1")

    assert "wire-west" in names_in(server.port, "eu-west-1")
    assert "wire-west" not in names_in(server.port, "us-east-1")
    assert "wire-west" not in names_in(server.port)  # default region
    assert "wire-west" not in names_in(server.port, "ap-south-1")


def test_without_a_credential_scope_the_default_region_serves(server):
    reply = call(server.port, "POST", CREATE, unmanaged("wire-default"))
    assert reply.status == 200, reply.raw
    assert ":us-east-1:" in reply.body["computeEnvironmentArn"]
    assert "wire-default" in names_in(server.port, "us-east-1")


def test_a_tag_arn_is_decoded_exactly_once(server):
    call(server.port, "POST", CREATE, unmanaged("wire-tags"))
    ce_arn = arn("compute-environment", "wire-tags")
    reply = call(server.port, "POST", "/v1/tags/" + encode_arn(ce_arn),
                 {"tags": {"a": "b"}})
    assert reply.status == 200, reply.raw
    reply = call(server.port, "GET", "/v1/tags/" + encode_arn(ce_arn), b"")
    assert reply.status == 200 and reply.body["tags"] == {"a": "b"}

    twice = encode_arn(encode_arn(ce_arn))
    assert_error_reply(call(server.port, "GET", "/v1/tags/" + twice, b""))


def test_a_tag_arn_of_another_region_is_refused(server):
    call(server.port, "POST", CREATE, unmanaged("wire-home"))
    ce_arn = arn("compute-environment", "wire-home")
    west = {"Authorization": authorization("eu-west-1")}
    reply = call(server.port, "GET", "/v1/tags/" + encode_arn(ce_arn), b"",
                 west)
    assert_error_reply(reply)


@pytest.mark.parametrize("method,path", [
    ("GET", "/"), ("GET", "/nope"), ("POST", "/v1/nosuchoperation"),
    ("POST", "/v2/describecomputeenvironments"),
    ("GET", DESCRIBE), ("PUT", DESCRIBE), ("PATCH", DESCRIBE),
    ("OPTIONS", DESCRIBE), ("POST", "/v1/tags/"),
])
def test_unknown_paths_answer_json_errors(server, method, path):
    reply = call(server.port, method, path, b"{}")
    assert 400 <= reply.status < 500, (reply.status, reply.raw)
    assert_json_reply(reply)
    body = reply.body
    assert body.get("__type") and body.get("message"), body
    assert reply.header("x-amzn-ErrorType") == body["__type"]


def test_a_malformed_http_request_answers_json(server):
    with socket.create_connection(("127.0.0.1", server.port), 10) as s:
        s.sendall(b"NOT A REQUEST\r\n\r\n")
        s.settimeout(10)
        raw = b""
        while b"\r\n\r\n" not in raw or not raw.rstrip().endswith(b"}"):
            chunk = s.recv(65536)
            if not chunk:
                break
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 4"), head
    assert b"x-amzn-RequestId" in head
    assert json.loads(body)["__type"] == "ClientException"


def test_keep_alive_connections_serve_many_calls(server):
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        ids = set()
        for _ in range(50):
            reply = call(server.port, "POST", DESCRIBE, {}, conn=conn)
            assert reply.status == 200
            ids.add(reply.header("x-amzn-RequestId"))
        assert len(ids) == 50
    finally:
        conn.close()
