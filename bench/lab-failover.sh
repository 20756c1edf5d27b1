#!/usr/bin/env bash
#
# lab-failover.sh: the failover lab of issue 11. Two Vigil nodes and a client, each in its own network namespace
# (TEST-NET addresses only), a group of one virtual address in front of an HTTP server, faults of the active
# node, and in the same run keepalived (advert 0.1 s) moving an address of its own as the reference.
#
#   bench/lab-failover.sh [options]
#     --trials N          trials per scenario and set-up (default 3)
#     --crash-trials N    trials of crash and cables (default: --trials; issue 11 asks for 20)
#     --scenarios LIST    comma-separated, of: crash cables hbcut freeze1 freeze3 freeze10 jvmkill switchover
#                         (default all; switchover = a planned move, not a fault: vigil:switchover web node2, and
#                         back to node1 after the observation; keepalived's planned move beside it)
#     --setups LIST       comma-separated, of: on off (quorum on / quorum off; default on,off)
#     --hold S            seconds cables and heartbeat links stay cut (default 12)
#     --observe S         seconds observed after the fault ended, before the node is powered on again (default 10)
#     --saturate MIN      instead of the scenarios: the cluster idle for MIN minutes (1..60) while 2 busy loops
#                         per core saturate the machine; counts false failovers (issue 11: 10 minutes)
#     --out DIR           results and raw samples (default target/bench/lab-failover)
#
# Environment: VIGIL_DIST (the distribution, default the newest karaf-assembly/target one), BENCH_NODE_CFG (extra
# lines for both nodes' etc/org.vigil.node.cfg, e.g. 'dead.time.ms = 400'), BENCH_IP_OPTS (extra parameters of the
# ip resource, e.g. 'dad-timeout=0').
#
# The lab (names vbl<pid of this script>-sw|n1|n2|cl, nothing in the root namespace):
#   public  198.51.100.0/24, a bridge in -sw: node1 .11, node2 .12, client .100; Vigil's address .60, keepalived's .70
#   hb1     203.0.113.0/25, a veth pair between the nodes: node1 .1, node2 .2       (Vigil heartbeat path hb1)
#   hb2     203.0.113.128/25, a veth pair between the nodes: node1 .129, node2 .130 (Vigil heartbeat path hb2)
# The heartbeats have networks of their own, so a heartbeat-only cut leaves the service's links up. Group web =
# web-ip (ip, 198.51.100.60/24 on eth0) + web-server (process: demo/vigil-demo-web.py on 0.0.0.0:8080, check-http),
# preferring node1. keepalived (VRRPv3, advert 0.1 s, nopreempt, node1 priority 150, node2 100) moves .70; the demo
# web server runs on 0.0.0.0:8081 on both nodes. Quorum on = cluster.nodes = node1, node2 + the ping tie-breaker
# on the client's address (the gateway of this lab); quorum off = cluster.nodes empty, quorum = off.
#
# Each trial: the group and keepalived's address on node1 (set up again if needed); the client polls both
# addresses every 10 ms (http-poll.py watch) and one sampler reads, every 10 ms, which node holds which address
# (addr-sampler.py); the fault; HOLD (cuts) or the freeze; OBSERVE seconds; node1 powered on / its JVM started
# again; both nodes online; 3 s. Outage = longest gap between two successful answers from the fault; two-owner
# instants = samples at which both nodes held the address, from the fault to the end of the trial.
#
# Results: OUT/results.md (tables), OUT/results.json, OUT/trials.csv (one row per trial and system),
# OUT/raw/ (every request, every change of holders). Everything it made is removed at the end, also on Ctrl-C.
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$REPO/bench/lib.sh"
LAB="$REPO/scripts/vigil-lab"
POLL="$REPO/bench/http-poll.py"
SAMPLER="$REPO/bench/addr-sampler.py"
REPORT="$REPO/bench/lab-report.py"
PHASES="$REPO/bench/switchover-phases.py"

ALL_SCENARIOS="crash cables hbcut freeze1 freeze3 freeze10 jvmkill switchover"
TRIALS=3
CRASH_TRIALS=""
SCENARIOS=$ALL_SCENARIOS
SETUPS="on off"
HOLD=12
OBSERVE=10
SATURATE=""
OUT="$REPO/target/bench/lab-failover"

die() {
    echo "lab-failover.sh: $*" >&2
    exit 1
}
usage() {
    sed -n '3,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}
number() { # NAME VALUE MIN MAX
    case "$2" in '' | *[!0-9]*) die "$1 must be a number, got '$2'" ;; esac
    [ "$2" -ge "$3" ] && [ "$2" -le "$4" ] || die "$1 must be $3..$4, got $2"
}

while [ $# -gt 0 ]; do
    case "$1" in -h | --help) usage ;; esac
    [ $# -ge 2 ] || die "$1 needs a value"
    case "$1" in
        --trials) number --trials "$2" 1 100 && TRIALS=$2 ;;
        --crash-trials) number --crash-trials "$2" 1 100 && CRASH_TRIALS=$2 ;;
        --scenarios) SCENARIOS=${2//,/ } ;;
        --setups) SETUPS=${2//,/ } ;;
        --hold) number --hold "$2" 1 120 && HOLD=$2 ;;
        --observe) number --observe "$2" 1 120 && OBSERVE=$2 ;;
        --saturate) number --saturate "$2" 1 60 && SATURATE=$2 ;;
        --out) OUT=$2 ;;
        *) die "unknown option '$1' (try --help)" ;;
    esac
    shift 2
done
CRASH_TRIALS=${CRASH_TRIALS:-$TRIALS}
for s in $SCENARIOS; do
    [[ " $ALL_SCENARIOS " == *" $s "* ]] || die "unknown scenario '$s' (known: $ALL_SCENARIOS)"
done
for s in $SETUPS; do
    case "$s" in on | off) ;; *) die "unknown set-up '$s' (known: on off)" ;; esac
done
[ -n "$SCENARIOS" ] && [ -n "$SETUPS" ] || die "no scenario or no set-up to run"
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for tool in ip keepalived python3 curl ping arping; do
    command -v "$tool" >/dev/null || die "needs $tool (Debian packages: iproute2 keepalived python3 curl iputils-ping iputils-arping)"
done

PFX="vbl$$"
DIR="$OUT/nodes"
RUN="$OUT/run"
PUB=198.51.100
VIP=$PUB.60
KVIP=$PUB.70
PORT_V=8080
PORT_K=8081
NS_MADE=()
POLLER=""
SAMPLER_PID=""
FROZEN=""
export VIGIL_LAB_SSH_BASE=8351 VIGIL_LAB_UDP_BASE=7351

ns_of() { case "$1" in node1) echo "$PFX-n1" ;; node2) echo "$PFX-n2" ;; client) echo "$PFX-cl" ;; esac; }
pub_of() { case "$1" in node1) echo "$PUB.11" ;; node2) echo "$PUB.12" ;; esac; }
hb1_of() { case "$1" in node1) echo 203.0.113.1 ;; node2) echo 203.0.113.2 ;; esac; }
hb2_of() { case "$1" in node1) echo 203.0.113.129 ;; node2) echo 203.0.113.130 ;; esac; }

# ---------------------------------------------------------------- clean-up (by pid, our namespaces only)

kill_ns_procs() { # NAMESPACE: SIGKILL of every process inside it (a node's power loss, or the end)
    local pids
    pids=$(ip netns pids "$1" 2>/dev/null | tr '\n' ' ' || true)
    # shellcheck disable=SC2086
    [ -z "${pids// /}" ] || kill -KILL $pids 2>/dev/null || true
}

remove_namespaces() {
    local ns i
    for ((i = ${#NS_MADE[@]} - 1; i >= 0; i--)); do
        ns=${NS_MADE[$i]}
        kill_ns_procs "$ns"
    done
    sleep 0.2
    for ((i = ${#NS_MADE[@]} - 1; i >= 0; i--)); do
        ns=${NS_MADE[$i]}
        ip netns del "$ns" 2>/dev/null || true
    done
    NS_MADE=()
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -z "$FROZEN" ] || kill -CONT "$FROZEN" 2>/dev/null || true
    for p in $POLLER $SAMPLER_PID; do kill "$p" 2>/dev/null || true; done
    stop_hogs
    [ -d "$DIR/node1" ] && "$LAB" down "$DIR" >/dev/null 2>&1 || true
    remove_namespaces
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Namespaces of an earlier run that was killed (vbl<pid>, that pid gone): their processes, then the namespaces.
sweep_leftovers() {
    local ns pid
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        [[ "$ns" =~ ^vbl([0-9]+)-(sw|n1|n2|cl)$ ]] || continue
        pid=${BASH_REMATCH[1]}
        [ -d "/proc/$pid" ] && continue
        kill_ns_procs "$ns"
        ip netns del "$ns" 2>/dev/null || true
        log "removed the namespace $ns an interrupted run left"
    done
}

# ---------------------------------------------------------------- the lab network

make_topology() {
    local h ns n
    for h in sw n1 n2 cl; do
        ns="$PFX-$h"
        ip netns add "$ns"
        NS_MADE+=("$ns")
        ip -n "$ns" link set lo up
    done
    ip -n "$PFX-sw" link add br0 type bridge mcast_snooping 0
    ip -n "$PFX-sw" link set br0 up
    for e in "p1 n1 $PUB.11" "p2 n2 $PUB.12" "pc cl $PUB.100"; do
        set -- $e
        ip -n "$PFX-sw" link add "$1" type veth peer name eth0 netns "$PFX-$2"
        ip -n "$PFX-sw" link set "$1" master br0 up
        ip -n "$PFX-$2" addr add "$3/24" dev eth0
        ip -n "$PFX-$2" link set eth0 up
    done
    ip -n "$PFX-n1" link add eth1 type veth peer name eth1 netns "$PFX-n2"
    ip -n "$PFX-n1" link add eth2 type veth peer name eth2 netns "$PFX-n2"
    for n in node1 node2; do
        ip -n "$(ns_of $n)" addr add "$(hb1_of $n)/25" dev eth1
        ip -n "$(ns_of $n)" addr add "$(hb2_of $n)/25" dev eth2
        ip -n "$(ns_of $n)" link set eth1 up
        ip -n "$(ns_of $n)" link set eth2 up
    done
    for target in "$PUB.12" "$PUB.100" 203.0.113.2 203.0.113.130; do
        ip netns exec "$PFX-n1" ping -c 1 -W 2 "$target" >/dev/null || die "the lab network does not work: node1 cannot reach $target"
    done
}

ip_batch() { # NAMESPACE COMMAND... (one ip call: the links change together)
    local ns=$1 f
    shift
    f="$RUN/batch.ip"
    printf '%s\n' "$@" >"$f"
    ip -n "$ns" -batch "$f"
}

pull_cables() { ip_batch "$(ns_of "$1")" "link set eth0 down" "link set eth1 down" "link set eth2 down"; }
plug_cables() { ip_batch "$(ns_of "$1")" "link set eth0 up" "link set eth1 up" "link set eth2 up"; }

# Like a reboot: the interfaces carry their boot addresses only, then the cables go back in.
power_on() {
    local ns
    ns=$(ns_of "$1")
    ip -n "$ns" addr flush dev eth0
    ip -n "$ns" addr add "$(pub_of "$1")/24" dev eth0
    plug_cables "$1"
}

# The nodes (node1 node2, or nothing) that hold ADDR on an interface that is up.
holders() {
    local n a out=""
    for n in node1 node2; do
        # no '| grep -q' under pipefail: grep ending first would fail ip with SIGPIPE, now and then
        a=$(ip -n "$(ns_of $n)" -o -4 addr show up 2>/dev/null || true)
        [[ "$a" == *" inet $1/"* ]] && out="$out${out:+ }$n"
    done
    echo "$out"
}

served_by() { # HOST PORT: the node that answers the client, or nothing
    local b
    b=$(ip netns exec "$PFX-cl" curl -s --max-time 1 "http://$1:$2/" 2>/dev/null || true)
    case "$b" in "served by "*) echo "${b#served by }" | head -n 1 | tr -d '[:space:]' ;; *) echo "" ;; esac
}

# ---------------------------------------------------------------- keepalived and its web servers (outside Vigil)

keepalived_conf() { # NODE PRIORITY
    cat >"$RUN/keepalived-$1.conf" <<EOF
# written by bench/lab-failover.sh: the reference of issue 11 (VRRPv3, advert 0.1 s)
global_defs {
    router_id bench-$1
    enable_script_security
}
vrrp_instance bench {
    version 3
    state BACKUP
    nopreempt
    interface eth0
    virtual_router_id 61
    priority $2
    advert_int 0.1
    virtual_ipaddress {
        $KVIP/24 dev eth0
    }
}
EOF
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

start_keepalived() { # NODE
    local f="$RUN/keepalived-$1"
    pid_alive "$(cat "$f.bench-pid" 2>/dev/null)" && return 0
    ip netns exec "$(ns_of "$1")" keepalived -n -l -D -P -G -f "$f.conf" -p "$f.pid" -r "$f-vrrp.pid" \
        -c "$f-checkers.pid" </dev/null >>"$f.log" 2>&1 &
    echo $! >"$f.bench-pid"
    disown $! # a power loss SIGKILLs it: no job report
}

stop_keepalived() { # NODE: SIGTERM (it gives the address up), bounded
    local f="$RUN/keepalived-$1" pid i
    pid=$(cat "$f.bench-pid" 2>/dev/null || true)
    pid_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
        pid_alive "$pid" || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

start_web_k() { # NODE: the web server behind keepalived's address
    local f="$RUN/web-k-$1"
    pid_alive "$(cat "$f.bench-pid" 2>/dev/null)" && return 0
    ip netns exec "$(ns_of "$1")" env VIGIL_NODE="$1" python3 "$DIR/vigil-demo-web.py" 0.0.0.0 "$PORT_K" \
        </dev/null >>"$f.log" 2>&1 &
    echo $! >"$f.bench-pid"
    disown $!
}

# ---------------------------------------------------------------- the Vigil nodes

node_cfg() { # SETUP: the lines appended to both nodes' org.vigil.node.cfg
    echo
    echo "# ---- written by bench/lab-failover.sh (set-up: quorum $1) ----"
    if [ "$1" = on ]; then
        echo "cluster.nodes = node1, node2"
        echo "quorum.tiebreaker = ping"
        echo "quorum.ping.targets = $PUB.100"
        echo "quorum.ping.peers = node1=$PUB.11, node2=$PUB.12"
    else
        echo "cluster.nodes ="
        echo "quorum = off"
        echo "quorum.tiebreaker = none"
    fi
    [ -z "${BENCH_NODE_CFG:-}" ] || printf '%s\n' "$BENCH_NODE_CFG"
}

cli_ok() { # NODE CMD
    local out
    out=$("$LAB" cli "$DIR" "$1" "$2" 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
    if grep -Eiq '^[[:space:]]*(error|command not found)' <<<"$out"; then
        printf '%s\n' "$out" >&2
        return 1
    fi
    printf '%s\n' "$out"
}

jvm_running() { # NODE
    local pid start
    read -r pid start <"$DIR/$1/lab/jvm.pid" 2>/dev/null || return 1
    [ -n "$pid" ] && [ "$(awk '{s=$0; sub(/.*\) /, "", s); split(s, f, " "); print f[20]}' "/proc/$pid/stat" 2>/dev/null)" = "$start" ]
}

jvm_pid() { cut -d' ' -f1 "$DIR/$1/lab/jvm.pid"; }

lab_up() { # SETUP: a new lab: namespaces, two nodes configured for SETUP, group web on node1, keepalived
    local n i out
    "$LAB" down "$DIR" >/dev/null 2>&1 || true
    remove_namespaces
    make_topology
    mkdir -p "$DIR"
    VIGIL_LAB_NETNS="node1=$PFX-n1 node2=$PFX-n2" \
        VIGIL_LAB_PATHS="hb1=$(hb1_of node1),$(hb1_of node2) hb2=$(hb2_of node1),$(hb2_of node2)" \
        "$LAB" setup "$DIR" 2 >/dev/null
    for n in node1 node2; do
        node_cfg "$1" >>"$DIR/$n/etc/org.vigil.node.cfg"
    done
    "$LAB" start "$DIR" node1 >/dev/null &
    local p1=$!
    "$LAB" start "$DIR" node2 >/dev/null &
    local p2=$!
    wait $p1 && wait $p2 || die "the nodes did not start (see $DIR/node*/data/log/karaf.log)"
    wait_online node1 node2 60 || die "node1 does not see node2"
    wait_online node2 node1 60 || die "node2 does not see node1"
    for n in node1 node2; do
        cli_ok "$n" "feature:install vigil-resource-ip" >/dev/null || die "feature:install vigil-resource-ip on $n"
        for i in $(seq 1 60); do
            out=$("$LAB" cli "$DIR" "$n" "vigil:resource-types" 2>/dev/null || true)
            grep -q '^ip - ' <<<"$out" && break
            [ "$i" -lt 60 ] || die "resource type ip not installed on $n"
            sleep 0.5
        done
    done
    if [ "$1" = on ]; then
        for i in $(seq 1 60); do
            out=$("$LAB" cli "$DIR" node1 "vigil:status" 2>/dev/null || true)
            grep -q "HAS QUORUM (2 of 2 votes" <<<"$out" && break
            [ "$i" -lt 60 ] || die "node1 has no quorum of 2 of 2 votes: $out"
            sleep 0.5
        done
    fi
    # shellcheck disable=SC2086
    cli_ok node1 "vigil:group-add --stopped --preferred node1,node2 web
vigil:resource-add web web-ip ip address=$VIP/24 interface=eth0 ${BENCH_IP_OPTS:-}
vigil:resource-add web web-server process 'command=exec python3 $DIR/vigil-demo-web.py 0.0.0.0 $PORT_V' check-http=http://127.0.0.1:$PORT_V/ check-timeout=500ms stop-signal=TERM" \
        >/dev/null || die "could not define group web"
    cli_ok node1 "vigil:bring-in --wait 30 web node1" >/dev/null || die "group web did not start"
    keepalived_conf node1 150
    keepalived_conf node2 100
    for n in node1 node2; do start_web_k "$n"; done
    start_keepalived node1
    for i in $(seq 1 50); do [ "$(holders "$KVIP")" = node1 ] && break; sleep 0.1; done
    start_keepalived node2
}

# Group web and keepalived's address on node1 only, both served there, both nodes online. What an earlier trial
# left is repaired: a group elsewhere is switched over; one that runs nowhere, or an address on both nodes, is
# brought out, stray addresses deleted (what an admin does), its failures cleaned up and brought in on node1.
ready() {
    [ "$(holders "$VIP")" = node1 ] && [ "$(holders "$KVIP")" = node1 ] &&
        [ "$(served_by "$VIP" "$PORT_V")" = node1 ] && [ "$(served_by "$KVIP" "$PORT_K")" = node1 ]
}

ensure_ready() {
    local attempt n v h i
    for i in $(seq 1 10); do # the usual case: the previous trial ended as the next one starts
        jvm_running node1 && jvm_running node2 && ready && wait_online node1 node2 10 && wait_online node2 node1 10 && return 0
        sleep 1
    done
    for attempt in 1 2 3; do
        for n in node1 node2; do
            jvm_running "$n" || "$LAB" start "$DIR" "$n" >/dev/null || true
        done
        wait_online node1 node2 90 && wait_online node2 node1 30 || {
            log "  nodes not online to each other (attempt $attempt)"
            continue
        }
        v=$(served_by "$VIP" "$PORT_V")
        h=$(holders "$VIP")
        if [ "$v" = node2 ] && [ "$h" = node2 ]; then
            "$LAB" cli "$DIR" node1 "vigil:cleanup web" >/dev/null 2>&1 || true # a ban on node1 refuses the switchover
            cli_ok node1 "vigil:switchover --wait 30 web node1" >/dev/null 2>&1 || true
        elif [ "$v" != node1 ] || [ "$h" != node1 ]; then
            log "  repairing group web (served by '${v:-nobody}', address on '${h:-nobody}')"
            "$LAB" cli "$DIR" node1 "vigil:bring-out web" >/dev/null 2>&1 || true
            for i in $(seq 1 100); do [ -z "$(holders "$VIP")" ] && break; sleep 0.2; done
            for n in $(holders "$VIP"); do
                ip -n "$(ns_of "$n")" addr del "$VIP/24" dev eth0 2>/dev/null || true
            done
            "$LAB" cli "$DIR" node1 "vigil:cleanup web" >/dev/null 2>&1 || true
            "$LAB" cli "$DIR" node1 "vigil:bring-in --wait 30 web node1" >/dev/null 2>&1 || true
        fi
        for n in node1 node2; do start_web_k "$n"; done
        h=$(holders "$KVIP")
        if [ "$h" != node1 ]; then
            start_keepalived node1
            if [[ "$h" == *node2* ]]; then
                stop_keepalived node2 # nopreempt: node2 keeps it until it goes
                for i in $(seq 1 50); do [ "$(holders "$KVIP")" = node1 ] && break; sleep 0.1; done
            fi
        fi
        start_keepalived node2
        for i in $(seq 1 60); do
            ready && return 0
            sleep 0.5
        done
        log "  not ready after attempt $attempt: web on '$(holders "$VIP")', keepalived on '$(holders "$KVIP")'"
    done
    die "could not bring the lab back to its starting state (see $DIR/node*/data/log/karaf.log)"
}

# ---------------------------------------------------------------- faults (node1 is the active node)

FAULT_END=0
SWITCH_AT=0
BACK_AT=0

fault() { # SCENARIO: the fault, until it ends (FAULT_END)
    case "$1" in
        crash)
            pull_cables node1
            "$LAB" crash "$DIR" node1 >/dev/null
            kill_ns_procs "$(ns_of node1)" # keepalived and its web server: every process of the machine
            ;;
        cables)
            pull_cables node1
            sleep "$HOLD"
            plug_cables node1
            ;;
        hbcut)
            ip_batch "$(ns_of node2)" "link set eth1 down" "link set eth2 down"
            sleep "$HOLD"
            ip_batch "$(ns_of node2)" "link set eth1 up" "link set eth2 up"
            ;;
        freeze*)
            FROZEN=$(jvm_pid node1)
            kill -STOP "$FROZEN"
            sleep "${1#freeze}"
            kill -CONT "$FROZEN"
            FROZEN=""
            ;;
        jvmkill)
            "$LAB" kill-jvm "$DIR" node1 >/dev/null
            ;;
        switchover)
            keepalived_move node1 node2
            sleep 1
            SWITCH_AT=$(now_ms)
            cli_ok node1 "vigil:switchover --wait 30 web node2" >/dev/null || log "  switchover to node2 did not finish"
            ;;
    esac
    FAULT_END=$(now_ms)
}

# keepalived's planned move (nopreempt): the holder's keepalived stops (SIGTERM: it sends a priority-0 advert, so
# the backup takes over at once) and starts again as a backup, which with nopreempt leaves the address where it went.
keepalived_move() { # FROM TO
    local i
    stop_keepalived "$1"
    for i in $(seq 1 50); do [ "$(holders "$KVIP")" = "$2" ] && break; sleep 0.1; done
    start_keepalived "$1"
}

recover() { # SCENARIO: what happens after the observation: the machine powered on, the JVM started again
    case "$1" in
        crash)
            power_on node1
            start_web_k node1
            start_keepalived node1
            "$LAB" start "$DIR" node1 >/dev/null || log "  node1 did not start again"
            ;;
        jvmkill)
            "$LAB" start "$DIR" node1 >/dev/null || log "  node1 did not start again"
            ;;
        switchover)
            BACK_AT=$(now_ms)
            cli_ok node1 "vigil:switchover --wait 30 web node1" >/dev/null || log "  switchover back to node1 did not finish"
            sleep 1
            keepalived_move node2 node1
            ;;
    esac
}

trials_of() { case "$1" in crash | cables) echo "$CRASH_TRIALS" ;; *) echo "$TRIALS" ;; esac; }

two_owner() { # SAMPLES ADDR FROM_MS
    awk -v a="$2" -v t="$3" '$2 == "both" && $3 == a && $1 >= t {n++} END {print n + 0}' "$1"
}

start_watch() { # PREFIX SECONDS INTERVAL_MS
    rm -f "$1.stop"
    ip netns exec "$PFX-cl" python3 "$POLL" watch "$1.poll" "$2" "$3" "$1.stop" \
        "vigil=$VIP:$PORT_V" "keepalived=$KVIP:$PORT_K" &
    POLLER=$!
    python3 "$SAMPLER" "$1.addr" "$2" 10 "$1.stop" "node1=$PFX-n1" "node2=$PFX-n2" -- "$VIP" "$KVIP" &
    SAMPLER_PID=$!
    local i
    for i in $(seq 1 100); do # both targets answered at least once
        grep -q ' vigil ok ' "$1.poll" 2>/dev/null && grep -q ' keepalived ok ' "$1.poll" 2>/dev/null && break
        sleep 0.1
    done
}

stop_watch() { # PREFIX
    touch "$1.stop"
    wait "$POLLER" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    POLLER=""
    SAMPLER_PID=""
}

run_trial() { # SETUP SCENARIO TRIAL
    local setup=$1 scen=$2 t=$3 raw t0 g sys addr port row end_h end_v
    raw="$OUT/raw/$setup-$scen-$t"
    ensure_ready
    start_watch "$raw" $((HOLD + OBSERVE + 300)) 10
    sleep 1
    t0=$(now_ms)
    fault "$scen"
    sleep "$OBSERVE"
    recover "$scen"
    wait_online node2 node1 90 || log "  node2 does not see node1 online"
    sleep 3
    stop_watch "$raw"
    end_h=$(holders "$VIP")
    end_v=$(served_by "$VIP" "$PORT_V")
    for sys in vigil keepalived; do
        if [ "$sys" = keepalived ]; then
            case "$scen" in crash | cables | switchover) ;; *) continue ;; esac
            addr=$KVIP
        else
            addr=$VIP
        fi
        g=$(python3 "$POLL" gap "$raw.poll" "$sys" "$t0")
        row="$setup,$scen,$t,$sys,$t0,$((FAULT_END - t0))"
        for k in outage_ms served_ms served_after down_at_end last_node failed_requests; do
            row="$row,$(sed -n "s/.*$k=\([^ ]*\).*/\1/p" <<<"$g")"
        done
        row="$row,$(two_owner "$raw.addr" "$addr" "$t0"),$(sed -n 's/.* end samples=\([0-9]*\).*/\1/p' "$raw.addr")"
        row="$row,$(sed -n 's/.* max_gap_ms=\([0-9]*\).*/\1/p' "$raw.addr")"
        [ "$sys" = vigil ] && row="$row,${end_h:-none},${end_v:-none}" || row="$row,,"
        echo "$row" >>"$CSV"
        log "  $sys: $g two_owner_samples=$(two_owner "$raw.addr" "$addr" "$t0")"
    done
    if [ "$scen" = switchover ]; then # where the time of each move went, from both nodes' logs
        python3 "$PHASES" "$DIR/node1/data/log/karaf.log" "$DIR/node2/data/log/karaf.log" "$raw.poll" \
            "to-node2=$SWITCH_AT" "to-node1=$BACK_AT" >"$raw.phases" || log "  no phases for this trial"
        sed 's/^/  /' "$raw.phases"
        sed "s/^/$setup,$t,/" "$raw.phases" >>"$OUT/switchover-phases.txt"
    fi
}

# ---------------------------------------------------------------- saturate: false failovers of an idle cluster

run_saturate() { # SETUP
    local setup=$1 raw secs lost0 pd0 lost pd changes g
    raw="$OUT/raw/$setup-saturate"
    secs=$((SATURATE * 60))
    ensure_ready
    start_watch "$raw" $((secs + 60)) 50
    lost0=$(count_events node-lost)
    pd0=$(count_events path-down)
    log "  $secs s with $((2 * $(nproc))) busy loops on $(nproc) cores"
    start_hogs "$secs"
    local t0 end
    t0=$(now_ms)
    end=$((t0 + secs * 1000))
    while [ "$(now_ms)" -lt "$end" ]; do sleep 1; done
    stop_hogs
    sleep 3
    stop_watch "$raw"
    lost=$(($(count_events node-lost) - lost0))
    pd=$(($(count_events path-down) - pd0))
    changes=$(awk -v a="$VIP" -v t="$t0" '$2 == "hold" && $3 == a && $1 >= t {n++} END {print n + 0}' "$raw.addr")
    g=$(python3 "$POLL" gap "$raw.poll" vigil "$t0")
    echo "$setup,$secs,$(nproc),$lost,$pd,$changes,$(two_owner "$raw.addr" "$VIP" "$t0"),$(sed -n 's/.*outage_ms=\([0-9]*\).*/\1/p' <<<"$g"),$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')" >>"$SAT_CSV"
    log "  node-lost $lost, path-down $pd, holder changes of $VIP $changes, longest gap: $g"
}

# ---------------------------------------------------------------- main

sweep_leftovers
"$LAB" down "$DIR" >/dev/null 2>&1 || true
rm -rf "$OUT/raw" "$RUN" "$OUT/switchover-phases.txt"
mkdir -p "$OUT/raw" "$RUN"
CSV="$OUT/trials.csv"
SAT_CSV="$OUT/saturate.csv"
{
    echo "# bench/lab-failover.sh $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "# machine: $(nproc) cores, $(uname -sr), load average at the start $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# hold=${HOLD}s observe=${OBSERVE}s node cfg extra: ${BENCH_NODE_CFG:-none}; ip extra: ${BENCH_IP_OPTS:-none}"
} >"$OUT/run.txt"

if [ -n "$SATURATE" ]; then
    echo "setup,seconds,cores,node_lost,path_down,holder_changes,two_owner_samples,longest_gap_ms,loadavg" >"$SAT_CSV"
    for setup in $SETUPS; do
        log "set-up quorum $setup: starting the lab"
        lab_up "$setup"
        run_saturate "$setup"
    done
    echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/run.txt"
    python3 "$REPORT" saturate "$SAT_CSV" "$OUT/run.txt" "$OUT/saturate.md" "$OUT/saturate.json"
    cat "$OUT/saturate.md"
    exit 0
fi

echo "setup,scenario,trial,system,fault_ms,fault_length_ms,outage_ms,served_ms,served_after,down_at_end,last_node,failed_requests,two_owner_samples,samples,sampler_max_gap_ms,end_holders,end_served" >"$CSV"
for setup in $SETUPS; do
    log "set-up quorum $setup: starting the lab"
    lab_up "$setup"
    for scen in $SCENARIOS; do
        n=$(trials_of "$scen")
        for t in $(seq 1 "$n"); do
            log "quorum $setup, $scen, trial $t/$n"
            run_trial "$setup" "$scen" "$t"
        done
    done
done
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/run.txt"
python3 "$REPORT" trials "$CSV" "$OUT/run.txt" "$OUT/results.md" "$OUT/results.json"
cat "$OUT/results.md"
