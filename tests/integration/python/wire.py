"""Raw HTTP helpers for tests that check batchd's wire format directly,
without an SDK in between: sending a request, reading the reply, and checking
a JSON value against a shape of the Batch model."""

import http.client
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

MODEL_PATH = os.path.join(os.path.dirname(__file__),
                          "../../models/batch/2016-08-10/service-2.json")


@lru_cache(maxsize=1)
def model():
    """The Batch service model batchd serves."""
    with open(MODEL_PATH) as f:
        return json.load(f)


def authorization(region, service="batch"):
    """A SigV4 Authorization header whose credential scope names `region`.
    batchd reads the scope and does not verify the signature."""
    return ("AWS4-HMAC-SHA256 Credential=test/20240101/" + region + "/"
            + service + "/aws4_request, SignedHeaders=host;x-amz-date, "
            "Signature=" + "0" * 64)


def encode_arn(arn):
    """Percent-encodes an ARN for the {resourceArn} label of a tag URI."""
    return quote(arn, safe="")


@dataclass
class Reply:
    status: int
    headers: dict  # lower-cased names
    raw: bytes

    @property
    def body(self):
        return json.loads(self.raw)

    def header(self, name):
        return self.headers.get(name.lower())


def call(port, method, path, body=b"{}", headers=None, conn=None):
    """Sends one request to batchd on 127.0.0.1:`port` and returns its reply.
    `body` may be bytes, str or a JSON-able value; pass `conn` to reuse a
    keep-alive connection."""
    if not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        raw = response.read()
        names = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, names, raw)
    finally:
        if own:
            conn.close()


def assert_json_reply(reply):
    """Every reply: a request id, a JSON content type, a JSON object body,
    never HTML."""
    assert reply.header("x-amzn-RequestId"), reply
    content_type = reply.header("Content-Type") or ""
    assert content_type.startswith("application/json"), reply
    assert not reply.raw.lstrip().startswith(b"<"), reply.raw[:200]
    assert isinstance(reply.body, dict), reply.raw[:200]


def assert_error_reply(reply, status=400, error_type="ClientException"):
    """An AWS error: the status, x-amzn-ErrorType equal to the body's
    __type, and a non-empty message. Returns the message."""
    assert_json_reply(reply)
    assert reply.status == status, (reply.status, reply.raw[:300])
    body = reply.body
    assert body.get("__type") == error_type, body
    assert reply.header("x-amzn-ErrorType") == body["__type"], reply.headers
    assert isinstance(body.get("message"), str) and body["message"], body
    return body["message"]


def shape_problems(shape_name, value, path="$"):
    """Returns how `value` departs from the model's shape `shape_name`: unknown
    or missing required members, wrong types, values outside an enum, and
    nulls (absent fields must be omitted)."""
    shape = model()["shapes"][shape_name]
    kind = shape["type"]
    if value is None:
        return [f"{path}: null"]
    if kind == "structure":
        return structure_problems(shape, value, path)
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        member = shape["member"]["shape"]
        return [p for i, item in enumerate(value)
                for p in shape_problems(member, item, f"{path}[{i}]")]
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        member = shape["value"]["shape"]
        return [p for k, item in value.items()
                for p in shape_problems(member, item, f"{path}.{k}")]
    return scalar_problems(shape, value, path)


def structure_problems(shape, value, path):
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {value!r}"]
    members = {name: m for name, m in shape["members"].items()
               if m.get("location") is None}
    problems = [f"{path}.{name}: not a member of the shape"
                for name in value if name not in members]
    problems += [f"{path}.{name}: required but missing"
                 for name in shape.get("required", [])
                 if name in members and name not in value]
    for name, item in value.items():
        if name in members:
            problems += shape_problems(members[name]["shape"], item,
                                       f"{path}.{name}")
    return problems


def scalar_problems(shape, value, path):
    kind = shape["type"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        if "enum" in shape and value not in shape["enum"]:
            return [f"{path}: {value!r} is not one of {shape['enum']}"]
        return []
    if kind == "boolean":
        ok = isinstance(value, bool)
    elif kind in ("integer", "long"):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind in ("float", "double"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        return [f"{path}: the model's type {kind} is not checked here"]
    return [] if ok else [f"{path}: expected {kind}, got {value!r}"]


def assert_matches_output(operation_name, body):
    """Asserts that a success body fits the operation's output shape."""
    output = model()["operations"][operation_name].get("output")
    if output is None:
        assert body == {}, body
        return
    problems = shape_problems(output["shape"], body)
    assert not problems, f"{operation_name}: " + "; ".join(problems)
