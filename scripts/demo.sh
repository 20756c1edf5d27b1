#!/usr/bin/env bash
#
# demo.sh: a two-node Vigil cluster on this machine, running a small web service that fails over.
#
#   scripts/demo.sh          build, set up and start the demo under ./demo/ (again: starts afresh)
#   scripts/demo.sh status   vigil:status of the running demo
#   scripts/demo.sh stop     stop every process of the demo
#
# Everything listens on 127.0.0.1 only: the web service on $VIGIL_DEMO_PORT (default 18080), the nodes'
# SSH shells on 8201/8202 and their UDP heartbeats on 7201/7202 (VIGIL_DEMO_SSH_BASE, VIGIL_DEMO_UDP_BASE).
# VIGIL_DEMO_SKIP_BUILD=1 uses the distribution already built. Quorum is on (VIGIL_DEMO_QUORUM=off turns it off).
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB="$REPO/scripts/vigil-lab"
DEMO="$REPO/demo"
PORT=${VIGIL_DEMO_PORT:-18080}
export VIGIL_LAB_SSH_BASE=${VIGIL_DEMO_SSH_BASE:-8201}
export VIGIL_LAB_UDP_BASE=${VIGIL_DEMO_UDP_BASE:-7201}
# Safe by default (issue 11): quorum on, both nodes members. A crash of a node is proven by its refused heartbeat
# ports, so the other takes over at once; VIGIL_DEMO_QUORUM=off shows the old, unsafe default.
export VIGIL_LAB_QUORUM=${VIGIL_DEMO_QUORUM:-on}

die() {
    echo "demo.sh: $*" >&2
    exit 1
}
step() {
    printf '\n==> %s\n' "$*"
}
now_ms() {
    date +%s%3N
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is required ($2)"
}

running() {
    local st
    [ -d "$DEMO/node1" ] || return 1
    st=$("$LAB" status "$DEMO" 2>/dev/null || true)
    grep -q ' running ' <<<"$st"
}

cmd_stop() {
    if [ -d "$DEMO/node1" ]; then
        "$LAB" down "$DEMO"
    else
        echo "no demo in $DEMO"
    fi
}

cmd_status() {
    local n st
    st=$("$LAB" status "$DEMO" 2>/dev/null || true)
    for n in node1 node2; do
        if grep -q "^$n running" <<<"$st"; then
            "$LAB" cli "$DEMO" "$n" 'vigil:status'
            return
        fi
    done
    die "the demo does not run (start it with scripts/demo.sh)"
}

# Waits until node $1 sees node $2 online; at most $3 seconds.
wait_peer() {
    local end=$(($(now_ms) + $3 * 1000))
    while :; do
        local st
        st=$("$LAB" cli "$DEMO" "$1" 'vigil:status' 2>/dev/null || true)
        if grep -Eq "^[[:space:]]+$2[[:space:]]+online" <<<"$st"; then
            return 0
        fi
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 1
    done
}

cmd_start() {
    need java "Java 17"
    need python3 "it runs the demo web service"
    need ssh-keygen "package openssh-client"
    need setsid "package util-linux"

    if running; then
        step "A demo already runs: stopping it first"
        "$LAB" down "$DEMO"
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
        die "port $PORT is taken by another program; set VIGIL_DEMO_PORT to a free port"
    fi

    if [ "${VIGIL_DEMO_SKIP_BUILD:-}" != 1 ]; then
        need mvn "Maven 3.8+"
        step "Building Vigil (mvn -B -q install -DskipTests)"
        (cd "$REPO" && mvn -B -q install -DskipTests)
    fi

    step "Setting up two nodes in $DEMO"
    "$LAB" setup "$DEMO" 2

    step "Starting node1 and node2 (about 20 s)"
    "$LAB" start "$DEMO" node1 >"$DEMO/start-node1.out" 2>&1 &
    local p1=$!
    "$LAB" start "$DEMO" node2 >"$DEMO/start-node2.out" 2>&1 &
    local p2=$!
    local ok=1
    wait $p1 || ok=0
    wait $p2 || ok=0
    cat "$DEMO/start-node1.out" "$DEMO/start-node2.out"
    [ $ok = 1 ] || die "a node did not start (see above and $DEMO/node*/data/log/karaf.log)"

    step "Waiting until the nodes see each other"
    wait_peer node1 node2 30 || {
        "$LAB" cli "$DEMO" node1 'vigil:status' || true
        die "node1 does not see node2 online after 30 s (see vigil:status above; the nodes still run: scripts/demo.sh stop)"
    }

    step "Defining group 'web': the demo web service on 127.0.0.1:$PORT"
    "$LAB" add-web "$DEMO" node1 web "$PORT" || die "could not define group web (stop the nodes with scripts/demo.sh stop)"

    step "Bringing group 'web' in"
    "$LAB" cli "$DEMO" node1 'vigil:bring-in --wait 30 web' || die "group web did not start (see scripts/demo.sh status; stop the nodes with scripts/demo.sh stop)"

    step "vigil:status"
    "$LAB" cli "$DEMO" node1 'vigil:status'

    local where
    where=$(curl -s --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null || true)
    cat <<EOF

==> The demo runs. The web service answers: ${where:-(no answer yet)}

Watch it (Ctrl-C to end):
    while sleep 0.2; do curl -s --max-time 1 http://127.0.0.1:$PORT/ || echo "no answer"; done

Crash the node that serves it, as if it lost power (its JVM and everything it started die at once);
the other node takes over within about a second:
    scripts/vigil-lab crash demo node1          (or node2: the one named in "served by")
Start it again; it rejoins, and the service stays where it is (failback is manual):
    scripts/vigil-lab start demo node1
Move the service by hand (planned switchover):
    scripts/vigil-lab cli demo node1 'vigil:switchover --wait 15 web node1'
Cluster state, or any other shell command:
    scripts/demo.sh status
    scripts/vigil-lab cli demo node2 'vigil:status'
Stop the demo (every process it started):
    scripts/demo.sh stop
EOF
}

case "${1:-start}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) sed -n '3,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
    *) die "unknown command '$1' (start, status, stop)" ;;
esac
