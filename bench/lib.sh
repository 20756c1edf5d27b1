# shellcheck shell=bash
#
# lib.sh: the building blocks the benchmarks share (sourced by bench/failover.sh and bench/lab-failover.sh).
# Expects LAB (scripts/vigil-lab) and DIR (the lab directory) where a function says so.

HOGS=()

now_ms() { date +%s%3N; }

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*"; }

# Waits (bounded) until NODE's vigil:status shows PEER online. Uses LAB and DIR.
wait_online() { # NODE PEER SECONDS
    local end=$(($(now_ms) + $3 * 1000))
    while :; do
        local st
        st=$("$LAB" cli "$DIR" "$1" 'vigil:status' 2>/dev/null || true)
        grep -Eq "^[[:space:]]+$2[[:space:]]+online" <<<"$st" && return 0
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 0.5
    done
}

# The median of the integers on stdin, one a line (the mean of the two middle ones, rounded down, for an even count).
median() {
    sort -n | awk '{a[NR]=$1} END {if (NR == 0) print ""; else if (NR % 2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'
}

# How many times the nodes of DIR logged [EVENT] so far (node-lost, path-down, ...). Uses DIR.
count_events() { # EVENT
    cat "$DIR"/node*/data/log/karaf.log 2>/dev/null | grep -c "\[$1\]" || true
}

# Starts 2 busy loops per core for SECONDS (each ends by itself: timeout); their pids go into the array HOGS.
start_hogs() { # SECONDS
    local i
    HOGS=()
    for i in $(seq 1 $((2 * $(nproc)))); do
        timeout "$1" sh -c 'while :; do :; done' &
        HOGS+=($!)
    done
}

# Ends the busy loops start_hogs started (by pid) and reaps them.
stop_hogs() {
    local p
    for p in "${HOGS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${HOGS[@]}"; do wait "$p" 2>/dev/null || true; done
    HOGS=()
}
