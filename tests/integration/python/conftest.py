"""Fixtures that start a real batchd on a free loopback port and hand out
real clients for it: boto3 and the AWS CLI (Debian's packages). Every
server the suite starts is remembered, and at the end of the session no
container labelled with one of their endpoints may be left."""

import json
import os
import socket
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
BINARY = os.environ.get("BATCHD_BINARY", os.path.join(ROOT, "build/batchd"))
ACCOUNT = "000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The endpoint label (`batchd.endpoint=127.0.0.1:<port>`) of every server
# the session started.
ENDPOINTS = []


class Server:
    """A batchd process serving on 127.0.0.1:<port>."""

    def __init__(self, *extra_args, port=None):
        self.port = port or free_port()
        ENDPOINTS.append(f"127.0.0.1:{self.port}")
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log_path = f"/tmp/batchd-test-{self.port}.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", str(self.port), *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + "/_batchd/health"):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("batchd did not start; see " + self.log_path)

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


def client_for(server, service="batch", region="us-east-1"):
    return boto3.client(service, endpoint_url=server.endpoint,
                        region_name=region, aws_access_key_id="test",
                        aws_secret_access_key="test")


@pytest.fixture(scope="module")
def batch(server):
    return client_for(server)


@pytest.fixture(scope="module")
def logs(server):
    return client_for(server, service="logs")


def labelled_containers(endpoint):
    """Returns the ids of every container, running or not, that the batchd
    serving `endpoint` labelled."""
    result = subprocess.run(
        ["docker", "ps", "-a", "-q", "--filter", "label=batchd.managed=true",
         "--filter", f"label=batchd.endpoint={endpoint}"],
        capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        return []
    return result.stdout.split()


@pytest.fixture(scope="session", autouse=True)
def no_container_left():
    """Fails the session if a server of the suite left a container behind.
    Only this suite's endpoints count: other batchd instances may share the
    Docker engine."""
    yield
    left = {e: labelled_containers(e) for e in ENDPOINTS}
    left = {e: ids for e, ids in left.items() if ids}
    assert not left, f"containers left behind: {left}"


def cli_for(server):
    """Returns a function that runs `aws batch ...` against `server` and
    returns (exit code, parsed JSON or stderr)."""

    def run(*args):
        result = subprocess.run(
            ["/usr/bin/aws", "--endpoint-url", server.endpoint,
             "--region", "us-east-1", "--output", "json", "batch", *args],
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            return result.returncode, result.stderr
        return 0, json.loads(result.stdout) if result.stdout.strip() else {}

    return run


@pytest.fixture(scope="module")
def cli(server):
    return cli_for(server)


def arn(kind, name, region="us-east-1"):
    return f"arn:aws:batch:{region}:{ACCOUNT}:{kind}/{name}"


def client_exception(call, **kwargs):
    """Calls `call` and returns the message of the ClientException (HTTP 400)
    that it must raise."""
    with pytest.raises(ClientError) as caught:
        call(**kwargs)
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "ClientException", error
    return error["Message"]


def body_of(response):
    """`response` without boto3's ResponseMetadata: what the server sent."""
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}
