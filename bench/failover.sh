#!/usr/bin/env bash
#
# failover.sh: client-visible outage of the demo web service when the node running it loses power, and
# the idle footprint (RSS, CPU) of a node. Two real nodes on this machine, loopback only.
#
#   bench/failover.sh [TRIALS] [IDLE_SECONDS] [LOAD_SECONDS]   (default 10 trials, 60 s idle, 60 s under load)
#
# Each trial: a client polls http://127.0.0.1:$PORT/ every 15 ms; the node serving it is crashed with
# `scripts/vigil-lab crash` (its JVM and every process it started frozen, then SIGKILLed); the outage is
# from the first failed request after the last answer of the crashed node until the first answer of the
# other node. The crashed node is then started again and rejoins (failback is manual, so the next trial
# crashes the other node). Afterwards both nodes idle for IDLE_SECONDS; RSS and CPU come from /proc.
#
# Uses the distribution in karaf-assembly/target (build it first: mvn -B -q install -DskipTests) or
# $VIGIL_DIST. Results: target/bench/results.md (also printed). Ports: SSH 8331-8332, UDP 7331-7332,
# web 18331 (VIGIL_BENCH_SSH_BASE, VIGIL_BENCH_UDP_BASE, VIGIL_BENCH_PORT).
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
LAB="$REPO/scripts/vigil-lab"
POLL="$REPO/bench/http-poll.py"
OUTDIR="$REPO/target/bench"
DIR="$OUTDIR/lab"
TRIALS=${1:-10}
IDLE=${2:-60}
PORT=${VIGIL_BENCH_PORT:-18331}
export VIGIL_LAB_SSH_BASE=${VIGIL_BENCH_SSH_BASE:-8331}
export VIGIL_LAB_UDP_BASE=${VIGIL_BENCH_UDP_BASE:-7331}

case "$TRIALS" in '' | *[!0-9]*) echo "usage: $0 [TRIALS] [IDLE_SECONDS]" >&2; exit 2 ;; esac
case "$IDLE" in '' | *[!0-9]*) echo "usage: $0 [TRIALS] [IDLE_SECONDS]" >&2; exit 2 ;; esac
[ "$TRIALS" -ge 1 ] && [ "$TRIALS" -le 100 ] || { echo "TRIALS must be 1..100" >&2; exit 2; }
[ "$IDLE" -ge 1 ] && [ "$IDLE" -le 600 ] || { echo "IDLE_SECONDS must be 1..600" >&2; exit 2; }

die() { echo "failover.sh: $*" >&2; exit 1; }

served_by() {
    local b
    b=$(python3 - "$PORT" <<'EOF' 2>/dev/null || true
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=1)
c.request("GET", "/")
print(c.getresponse().read().decode().strip())
EOF
)
    case "$b" in "served by "*) echo "${b#served by }" ;; *) echo "" ;; esac
}

cleanup() {
    [ -n "${POLLER:-}" ] && kill "$POLLER" 2>/dev/null || true
    stop_hogs
    [ -d "$DIR/node1" ] && "$LAB" down "$DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$OUTDIR"
[ -d "$DIR" ] && "$LAB" down "$DIR" >/dev/null 2>&1 || true
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    die "port $PORT is taken; set VIGIL_BENCH_PORT"
fi

log "setting up two nodes in $DIR"
"$LAB" setup "$DIR" 2
"$LAB" start "$DIR" node1 &
p1=$!
"$LAB" start "$DIR" node2 &
p2=$!
wait $p1 && wait $p2 || die "nodes did not start"
wait_online node1 node2 30 || die "node1 does not see node2"
wait_online node2 node1 30 || die "node2 does not see node1"
"$LAB" add-web "$DIR" node1 web "$PORT" >/dev/null
"$LAB" cli "$DIR" node1 'vigil:bring-in --wait 30 web'

RAW="$OUTDIR/trials.txt"
: >"$RAW"
outages=()
for t in $(seq 1 "$TRIALS"); do
    old=""
    for _ in $(seq 1 100); do
        old=$(served_by)
        [ -n "$old" ] && break
        sleep 0.1
    done
    [ -n "$old" ] || die "trial $t: the service does not answer"
    if [ "$old" = node1 ]; then new=node2; else new=node1; fi

    pollout="$OUTDIR/poll-$t.txt"
    stop="$OUTDIR/poll-$t.stop"
    rm -f "$stop"
    python3 "$POLL" poll "$PORT" "$pollout" 40 15 "$stop" &
    POLLER=$!
    sleep 1
    crash=$("$LAB" crash "$DIR" "$old")
    freeze_ms=$(sed -n 's/.*freeze_ms=\([0-9]*\).*/\1/p' <<<"$crash")
    # wait (bounded) until the other node answers, then one more second of polling
    result=""
    for _ in $(seq 1 200); do
        if result=$(python3 "$POLL" outage "$pollout" "$freeze_ms" "$old" "$new"); then
            break
        fi
        sleep 0.1
    done
    sleep 1
    touch "$stop"
    wait "$POLLER" || true
    POLLER=""
    result=$(python3 "$POLL" outage "$pollout" "$freeze_ms" "$old" "$new") || die "trial $t: $new never answered: $result"
    out_ms=$(sed -n 's/.*outage_ms=\([0-9-]*\).*/\1/p' <<<"$result")
    outages+=("$out_ms")
    echo "trial=$t crashed=$old took_over=$new $result" >>"$RAW"
    log "trial $t/$TRIALS: crashed $old, $new served; $result"

    "$LAB" start "$DIR" "$old" >/dev/null
    wait_online "$new" "$old" 30 || die "trial $t: $old did not rejoin"
    wait_online "$old" "$new" 30 || die "trial $t: $old does not see $new"
    sleep 2
done

sorted=$(printf '%s\n' "${outages[@]}" | sort -n)
n=${#outages[@]}
median=$(median <<<"$sorted")
worst=$(tail -n 1 <<<"$sorted")
best=$(head -n 1 <<<"$sorted")
mean=$(awk '{s+=$1} END {printf "%d", s/NR}' <<<"$sorted")
c2s=$(sed -n 's/.*crash_to_served_ms=\([0-9-]*\).*/\1/p' "$RAW" | sort -n)
c2s_median=$(median <<<"$c2s")
c2s_worst=$(tail -n 1 <<<"$c2s")
log "outage over $n trials: median $median ms, worst $worst ms, best $best ms, mean $mean ms"

# ---- idle footprint of both nodes (the one running the service and the standby)
active=$(served_by)
hz=$(getconf CLK_TCK)
declare -A pid0 t0 rss threads
for nd in node1 node2; do
    pid0[$nd]=$(cut -d' ' -f1 "$DIR/$nd/lab/jvm.pid")
done
log "idle measurement: $IDLE s (service on $active)"
sleep 5
cpu_ticks() { awk '{s=$0; sub(/.*\) /, "", s); split(s, f, " "); print f[12] + f[13]}' "/proc/$1/stat"; }
hb_count() { "$LAB" cli "$DIR" node1 'vigil:status' | grep -o 'accepted [0-9]*' | head -n 1 | cut -d' ' -f2; }
hb0=$(hb_count || echo 0)
hb_start=$(now_ms)
for nd in node1 node2; do
    t0[$nd]=$(cpu_ticks "${pid0[$nd]}")
done
start=$(now_ms)
sleep "$IDLE"
elapsed=$(($(now_ms) - start))
declare -A t1
for nd in node1 node2; do
    t1[$nd]=$(cpu_ticks "${pid0[$nd]}")
done
hb1=$(hb_count || echo 0)
hb_elapsed=$(($(now_ms) - hb_start))
idle_lines=""
for nd in node1 node2; do
    p=${pid0[$nd]}
    rss[$nd]=$(awk '/^VmRSS/ {printf "%d", $2/1024}' "/proc/$p/status")
    threads[$nd]=$(awk '/^Threads/ {print $2}' "/proc/$p/status")
    cpu=$(awk -v d=$((t1[$nd] - t0[$nd])) -v hz="$hz" -v ms="$elapsed" 'BEGIN {printf "%.1f", 100 * d / hz / (ms / 1000)}')
    role=standby
    [ "$nd" = "$active" ] && role="runs the service"
    idle_lines="$idle_lines| $nd ($role) | ${rss[$nd]} MB | $cpu % | ${threads[$nd]} |
"
    log "$nd ($role): RSS ${rss[$nd]} MB, CPU $cpu % of a core over $((elapsed / 1000)) s, ${threads[$nd]} threads"
done
hb_rate=$(awk -v a="${hb0:-0}" -v b="${hb1:-0}" -v ms="$hb_elapsed" 'BEGIN {printf "%d", (b - a) / (ms / 1000)}')
log "node1 accepted $hb_rate heartbeat-path frames per second (expected about 10 at a 100 ms interval)"

# ---- false failovers under load: both nodes idle while busy loops saturate every core
LOAD=${3:-60}
case "$LOAD" in '' | *[!0-9]*) die "LOAD_SECONDS must be a number" ;; esac
hogs_n=$((2 * $(nproc)))
lost0=$(count_events node-lost)
pathdown0=$(count_events path-down)
served_before=$(served_by)
log "load measurement: $LOAD s with $hogs_n busy loops on $(nproc) cores (service on $served_before)"
start_hogs "$LOAD"
moved=0
load_end=$(($(now_ms) + LOAD * 1000))
while [ "$(now_ms)" -lt "$load_end" ]; do
    now_served=$(served_by)
    if [ -n "$now_served" ] && [ "$now_served" != "$served_before" ]; then moved=1; fi
    sleep 1
done
stop_hogs
sleep 2
lost=$(($(count_events node-lost) - lost0))
pathdown=$(($(count_events path-down) - pathdown0))
served_after=$(served_by)
[ "$served_after" = "$served_before" ] || moved=1
loadavg=$(cut -d' ' -f1 /proc/loadavg)
log "under load: $lost false node-lost events, $pathdown path-down events, service moved: $moved (load average $loadavg)"

{
    echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "Command: \`bench/failover.sh $TRIALS $IDLE $LOAD\` (commit $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo
    echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(free -h | awk '/^Mem:/ {print $2}') memory, $(uname -sr), $(java -version 2>&1 | head -n 1)"
    echo
    echo "Distribution: $(sed -n 's/^LAB_DIST=//p' "$DIR/lab.env"); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
    echo
    echo "Node JVM flags: $(sed -n 's/^EXTRA_JAVA_OPTS="\(.*\)"/\1/p' "$DIR/node1/bin/setenv"); heartbeat.interval.ms and dead.time.ms at their defaults (100 / 600)."
    echo
    echo "### Client-visible outage when the active node loses power ($n trials)"
    echo
    echo "| median | worst | best | mean | crash to served, median | crash to served, worst |"
    echo "|---|---|---|---|---|---|"
    echo "| $median ms | $worst ms | $best ms | $mean ms | $c2s_median ms | $c2s_worst ms |"
    echo
    echo "Every trial (outage = first failed request after the crashed node's last answer until the other node's first answer; crash to served = from the freeze of the crashed node):"
    echo
    echo '```'
    cat "$RAW"
    echo '```'
    echo
    echo "### Idle footprint (both nodes up, $((elapsed / 1000)) s)"
    echo
    echo "| node | RSS | CPU (% of one core) | threads |"
    echo "|---|---|---|---|"
    printf '%s' "$idle_lines"
    echo
    echo "Frames node1 accepted on heartbeat path lan during the idle measurement: $hb_rate per second (one peer at a 100 ms interval should send about 10)."
    echo
    echo "### False failovers under CPU load ($LOAD s, $hogs_n busy loops on $(nproc) cores, load average $loadavg at the end)"
    echo
    echo "| node-lost events (false) | path-down events | service moved |"
    echo "|---|---|---|"
    echo "| $lost | $pathdown | $([ "$moved" = 1 ] && echo yes || echo no) |"
} >"$OUTDIR/results.md"

echo
cat "$OUTDIR/results.md"
