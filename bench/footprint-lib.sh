# shellcheck shell=bash
#
# footprint-lib.sh: what bench/rest-footprint.sh and bench/metrics-footprint.sh share (sourced from the repository's
# root): one node of scripts/vigil-lab with a viewer user for the API, its RSS, threads and heap as a Markdown row,
# the REST API enabled on 127.0.0.1 and timed requests to it.

# Sets up and starts node1 in $VIGIL_BENCH_DIR (default target/bench/NAME); the node is stopped at exit, also on
# failure. Ports: SSH 8BASE, UDP 7BASE, REST 18BASE unless VIGIL_LAB_SSH_BASE, VIGIL_LAB_UDP_BASE,
# VIGIL_BENCH_REST_PORT say otherwise. Sets dir, home, port and lab for the other functions.
footprint_start() { # NAME BASE
    dir=${VIGIL_BENCH_DIR:-$PWD/target/bench/$1}
    export VIGIL_DIST=${VIGIL_DIST:-$PWD/karaf-assembly/target/vigil-distribution-0.1.0-SNAPSHOT.tar.gz}
    export VIGIL_LAB_SSH_BASE=${VIGIL_LAB_SSH_BASE:-8$2} VIGIL_LAB_UDP_BASE=${VIGIL_LAB_UDP_BASE:-7$2}
    port=${VIGIL_BENCH_REST_PORT:-18$2}
    lab=scripts/vigil-lab
    mkdir -p "$dir"
    trap '$lab down "$dir" >/dev/null 2>&1 || true' EXIT
    $lab down "$dir" >/dev/null 2>&1 || true
    $lab setup "$dir" 1 >/dev/null
    home=$dir/node1
    printf '\nbench-viewer = bench-pw,vigil-viewer\n' >>"$home/etc/users.properties"
    $lab start "$dir" node1 >/dev/null
}

# The header of the table sample writes rows of.
sample_header() {
    echo "| node1 | RSS | threads | heap used |"
    echo "| --- | --- | --- | --- |"
}

# One row: the node's JVM now.
sample() { # LABEL
    local pid rss threads heap
    pid=$(awk '{print $1}' "$home/lab/jvm.pid")
    rss=$(awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$pid/status")
    threads=$(ls "/proc/$pid/task" | wc -l)
    heap=$(jcmd "$pid" GC.heap_info 2>/dev/null | sed -n 's/.*total \([0-9]*\)K, used \([0-9]*\)K.*/\2/p' | head -1)
    printf '| %s | %s MB | %s | %s MB |\n' "$1" "$rss" "$threads" "$(( ${heap:-0} / 1024 ))"
}

# Installs vigil-rest, enables it on 127.0.0.1:$port and waits (60 s at most) until it listens.
enable_rest() {
    $lab cli "$dir" node1 'feature:install vigil-rest' >/dev/null
    sleep 5
    printf 'enabled = true\nbind = 127.0.0.1\nport = %s\n' "$port" >"$home/etc/org.vigil.rest.cfg"
    for _ in $(seq 1 60); do
        $lab cli "$dir" node1 'vigil:rest' | grep -q 'listening on' && break
        sleep 1
    done
}

# GET /api/v1/PATH as the viewer, trusting the node's certificate: prints curl's time_total in ms.
get() { # PATH
    curl -sS --cacert "$home/etc/vigil-rest.crt" -u bench-viewer:bench-pw -o /dev/null -w '%{time_total}\n' \
        "https://127.0.0.1:$port/api/v1/$1" | awk '{printf "%.0f\n", $1 * 1000}'
}
