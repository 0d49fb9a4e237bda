#!/usr/bin/env bash
# Installs every Debian package batchd needs to build, run and test.
# Idempotent: installs only what is missing, and is quick when nothing is.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ccache clang-format
  libcaf-dev libcpp-httplib-dev libsimdjson-dev doctest-dev
  libboost1.81-dev libboost-filesystem1.81-dev
  libspdlog-dev libcli11-dev nlohmann-json3-dev libsqlite3-dev
  docker.io busybox-static awscli python3-boto3 python3-pytest
  nodejs npm wrk curl
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null \
      | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# The machine may already have node and npm from elsewhere.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for package in "${missing[@]}"; do
    [[ "$package" == nodejs || "$package" == npm ]] || filtered+=("$package")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
