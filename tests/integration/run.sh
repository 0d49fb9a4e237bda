#!/usr/bin/env bash
# Runs the integration tests against the built server (build/batchd): the
# Python suite drives it with boto3 and the AWS CLI, the JavaScript suite
# with @aws-sdk/client-batch. Each suite starts its own batchd on a free
# loopback port.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

export BATCHD_BINARY="${BATCHD_BINARY:-$root/build/batchd}"
# Debian's botocore is older than the model batchd serves; botocore reads the
# newer model from here.
export AWS_DATA_PATH="$root/tests/models"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""

echo "== integration: boto3 and the AWS CLI"
/usr/bin/python3 -m pytest -q -p no:cacheprovider "$here/python" "$@"

echo "== integration: AWS SDK for JavaScript"
(cd "$here/js" && npm ci --silent --no-audit --no-fund >/dev/null)
(cd "$here/js" && node --test)
