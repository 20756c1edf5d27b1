#!/usr/bin/env bash
# The REST API's footprint on an idle node: RSS, threads and heap of one node's JVM before and after
# `feature:install vigil-rest` with the API enabled (and a few requests served), each after IDLE seconds of rest.
#
#   bench/rest-footprint.sh [IDLE_SECONDS]     # default 60; prints a Markdown table
#
# Uses scripts/vigil-lab (one node, SSH 127.0.0.1:${VIGIL_LAB_SSH_BASE:-8563}) and the distribution in
# $VIGIL_DIST (default: karaf-assembly/target). The node is stopped at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
. bench/footprint-lib.sh
footprint_start rest-footprint 563

sample_header
sleep "$idle"
sample "idle, without vigil-rest"
enable_rest
for _ in 1 2 3 4 5; do get status >/dev/null; done
sleep "$idle"
sample "idle, vigil-rest enabled, 5 requests served"
