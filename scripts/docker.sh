#!/usr/bin/env bash
# Makes sure a Docker engine answers: starts Debian's dockerd when none does.
# Also builds the small image the tests use, batchd-test/busybox, from
# Debian's busybox-static (no registry is needed).
set -euo pipefail

if ! docker info >/dev/null 2>&1; then
  echo "docker: starting dockerd"
  nohup dockerd >/var/log/batchd-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 0.5
  done
  docker info >/dev/null 2>&1 || {
    echo "docker: dockerd did not start; see /var/log/batchd-dockerd.log" >&2
    exit 1
  }
fi

image=batchd-test/busybox:latest
if ! docker image inspect "$image" >/dev/null 2>&1; then
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [[ "$applet" == busybox ]] || ln -sf busybox "$root/bin/$applet"
  done
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' - "$image" >/dev/null
  rm -rf "$root"
  echo "docker: built $image"
fi
