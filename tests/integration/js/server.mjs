// Starts a real batchd for the JavaScript suite: one process per test file on
// a free loopback port, ready once GET /_batchd/health answers. Also hands
// out @aws-sdk/client-batch clients for it and small assertion helpers.
import { spawn } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

import { BatchClient } from "@aws-sdk/client-batch";

const here = dirname(fileURLToPath(import.meta.url));

/** The binary under test: $BATCHD_BINARY, else the default build. */
export const binary =
  process.env.BATCHD_BINARY ?? resolve(here, "../../../build/batchd");

/** The account batchd puts in ARNs by default. */
export const account = "000000000000";

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
async function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Polls the health route until it answers 200 or `deadline` passes. */
async function waitReady(endpoint, child, deadline) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`batchd exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/_batchd/health`);
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("batchd did not become ready");
}

/**
 * Starts `batchd serve` on a free port with `extraArgs` and resolves once it
 * is ready. The result has `endpoint`, `port`, `logs()` and `stop()`.
 */
export async function startServer(...extraArgs) {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const logPath = `/tmp/batchd-js-test-${port}.log`;
  const log = openSync(logPath, "w");
  const child = spawn(binary, ["serve", "--port", String(port), ...extraArgs],
                      { stdio: ["ignore", log, log] });
  const server = {
    endpoint,
    port,
    logs: () => readFileSync(logPath, "utf8"),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      closeSync(log);
    },
  };
  try {
    await waitReady(endpoint, child, Date.now() + 10_000);
  } catch (err) {
    await server.stop();
    throw new Error(`${err.message}; log ${logPath}:\n${server.logs()}`);
  }
  return server;
}

/** A BatchClient for `server`, signing for `region`. */
export function clientFor(server, region = "us-east-1") {
  return new BatchClient({
    endpoint: server.endpoint,
    region,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** The ARN batchd gives a resource of `kind` named `name`. */
export function arn(kind, name, region = "us-east-1") {
  return `arn:aws:batch:${region}:${account}:${kind}/${name}`;
}

/**
 * Awaits `promise`, which must fail with a 400 ClientException carrying a
 * request id; returns the error's message.
 */
export async function clientException(promise) {
  let caught;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, "the call should have failed");
  assert.equal(caught.name, "ClientException", caught.message);
  assert.equal(caught.$metadata.httpStatusCode, 400);
  assert.ok(caught.$metadata.requestId, "errors carry x-amzn-RequestId");
  assert.ok(caught.message.length > 0);
  return caught.message;
}

/** Asserts that `response` is a successful reply with a request id. */
export function assertOk(response) {
  assert.equal(response.$metadata.httpStatusCode, 200);
  assert.match(response.$metadata.requestId, /^[0-9a-f-]{36}$/);
}
