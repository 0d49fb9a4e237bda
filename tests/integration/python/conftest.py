"""Fixtures that start a real batchd on a free loopback port and hand out
real clients for it: boto3 and the AWS CLI (Debian's packages)."""

import json
import os
import socket
import subprocess
import time
import urllib.request

import boto3
import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
BINARY = os.environ.get("BATCHD_BINARY", os.path.join(ROOT, "build/batchd"))
ACCOUNT = "000000000000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A batchd process serving on 127.0.0.1:<port>."""

    def __init__(self, *extra_args):
        self.port = free_port()
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
def cli(server):
    """Runs `aws batch ...` and returns (exit code, parsed JSON or stderr)."""

    def run(*args):
        result = subprocess.run(
            ["/usr/bin/aws", "--endpoint-url", server.endpoint,
             "--region", "us-east-1", "--output", "json", "batch", *args],
            capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            return result.returncode, result.stderr
        return 0, json.loads(result.stdout) if result.stdout.strip() else {}

    return run


def arn(kind, name, region="us-east-1"):
    return f"arn:aws:batch:{region}:{ACCOUNT}:{kind}/{name}"
