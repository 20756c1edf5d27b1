#!/usr/bin/env bash
# The metrics' footprint on an idle node: RSS, threads and heap of one node's JVM with vigil-rest enabled, before and
# after `feature:install vigil-metrics` (and scrapes served), each after IDLE seconds of rest; and how long one scrape
# of GET /api/v1/metrics takes (curl's time_total, 20 scrapes one after the other).
#
#   bench/metrics-footprint.sh [IDLE_SECONDS]     # default 60; prints Markdown
#
# Uses scripts/vigil-lab (one node, SSH 127.0.0.1:${VIGIL_LAB_SSH_BASE:-8573}) and the distribution in
# $VIGIL_DIST (default: karaf-assembly/target). The node is stopped at the end, also on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
idle=${1:-60}
. bench/footprint-lib.sh
footprint_start metrics-footprint 573

enable_rest
for _ in 1 2 3 4 5; do get status >/dev/null; done
sample_header
sleep "$idle"
sample "idle, vigil-rest enabled, without vigil-metrics"
$lab cli "$dir" node1 'feature:install vigil-metrics' >/dev/null
for _ in $(seq 1 60); do
    $lab cli "$dir" node1 'vigil:metrics' | grep -q vigil_node_info && break
    sleep 1
done
times=$(for _ in $(seq 1 20); do get metrics; done | sort -n)
sleep "$idle"
sample "idle, vigil-metrics installed, 20 scrapes served"
echo
echo "Scrape time (ms, 20 scrapes): min $(echo "$times" | head -1), median $(echo "$times" | sed -n 10p), max $(echo "$times" | tail -1)"
