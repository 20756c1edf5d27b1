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
dir=${VIGIL_BENCH_DIR:-$PWD/target/bench/metrics-footprint}
export VIGIL_DIST=${VIGIL_DIST:-$PWD/karaf-assembly/target/vigil-distribution-0.1.0-SNAPSHOT.tar.gz}
export VIGIL_LAB_SSH_BASE=${VIGIL_LAB_SSH_BASE:-8573} VIGIL_LAB_UDP_BASE=${VIGIL_LAB_UDP_BASE:-7573}
port=${VIGIL_BENCH_REST_PORT:-18573}
lab=scripts/vigil-lab
mkdir -p "$dir"
trap '$lab down "$dir" >/dev/null 2>&1 || true' EXIT
$lab down "$dir" >/dev/null 2>&1 || true
$lab setup "$dir" 1 >/dev/null
home=$dir/node1
printf '\nbench-viewer = bench-pw,vigil-viewer\n' >>"$home/etc/users.properties"
$lab start "$dir" node1 >/dev/null

sample() { # LABEL
    local pid rss threads heap
    pid=$(awk '{print $1}' "$home/lab/jvm.pid")
    rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
    threads=$(ls "/proc/$pid/task" | wc -l)
    heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
    printf '| %s | %s MB | %s | %s MB |\n' "$1" "$rss" "$threads" "$(( ${heap:-0} / 1024 ))"
}
get() { # PATH: prints curl's time_total in ms
    curl -sS --cacert "$home/etc/vigil-rest.crt" -u bench-viewer:bench-pw -o /dev/null -w '%{time_total}\n' \
        "https://127.0.0.1:$port/api/v1/$1" | awk '{printf "%.0f\n", $1 * 1000}'
}

$lab cli "$dir" node1 'feature:install vigil-rest' >/dev/null
sleep 5
printf 'enabled = true\nbind = 127.0.0.1\nport = %s\n' "$port" >"$home/etc/org.vigil.rest.cfg"
for _ in $(seq 1 60); do
    $lab cli "$dir" node1 'vigil:rest' | grep -q 'listening on' && break
    sleep 1
done
for _ in 1 2 3 4 5; do get status >/dev/null; done
echo "| node1 | RSS | threads | heap used |"
echo "| --- | --- | --- | --- |"
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
