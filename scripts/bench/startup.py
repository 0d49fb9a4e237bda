#!/usr/bin/python3
"""Start-up time and idle memory of batchd, for scripts/bench/gateway.sh.

Start-up: from spawning `batchd serve` to the first successful answer of a
real API call (DescribeComputeEnvironments, which also spawns the region's
actors), polled every millisecond; the median and worst of several starts.
Idle memory: the resident set (VmRSS) of a server that has answered a call
and then sat idle for a second. Prints one RESULT line.

Usage: startup.py BATCHD [STARTS]"""

import http.client
import os
import socket
import statistics
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port):
    """True once DescribeComputeEnvironments answers 200."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("POST", "/v1/describecomputeenvironments", body=b"{}",
                     headers={"Content-Type": "application/json"})
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def start(binary, *extra):
    port = free_port()
    began = time.perf_counter()
    process = subprocess.Popen(
        [binary, "serve", "--port", str(port), "--log-level", "warn", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = began + 10
    while not answers(port):
        if process.poll() is not None or time.perf_counter() > deadline:
            process.kill()
            raise SystemExit(f"batchd did not answer on port {port}")
        time.sleep(0.001)
    return process, (time.perf_counter() - began) * 1000


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise SystemExit("no VmRSS")


def stop(process):
    process.terminate()
    process.wait(timeout=30)


def main():
    binary = sys.argv[1]
    starts = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    extra = sys.argv[3:]
    times = []
    for _ in range(starts):
        process, elapsed = start(binary, *extra)
        times.append(elapsed)
        stop(process)
    process, _ = start(binary, *extra)
    time.sleep(1)
    idle = rss_mib(process.pid)
    threads = len(os.listdir(f"/proc/{process.pid}/task"))
    stop(process)
    print(f"RESULT startup_median_ms={statistics.median(times):.1f} "
          f"startup_max_ms={max(times):.1f} idle_rss_mib={idle:.1f} "
          f"threads={threads}")


if __name__ == "__main__":
    main()
