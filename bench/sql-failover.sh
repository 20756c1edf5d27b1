#!/usr/bin/env bash
#
# sql-failover.sh: time from a power loss of the node running a database group until the first commit a
# client gets acknowledged through the group's virtual address again, for PostgreSQL and MariaDB.
#
#   bench/sql-failover.sh [RUNS]          (default 3; each run takes about 1.5 minutes)
#
# Each run is one NetnsDatabaseFailoverIT (tests/system) with -Dvigil.sql.bench=true: two real nodes in
# network namespaces, groups database (disk + ip + postgresql) and mariadb (disk + ip + mariadb) on node1,
# a client in the client namespace committing one row per statement through each virtual address; node1's
# cables are pulled and its JVM and every process it started are SIGKILLed (t0 = cables pulled). The test
# prints one BENCH line per engine: crash to first acknowledged commit, and when node2 logged the disk, the
# address and the server started; it also checks that no acknowledged row was lost.
#
# Needs root, the built distribution (mvn -B -q install -DskipTests) and the test's packages
# (scripts/test.sh). Extra Maven arguments: SQL_BENCH_MVN_ARGS (for example -o -Dmaven.repo.local=...).
# Results: target/bench/sql-results.md (also printed).
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTDIR="$REPO/target/bench"
RUNS=${1:-3}
case "$RUNS" in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 20 ] || { echo "RUNS must be 1..20" >&2; exit 2; }
mkdir -p "$OUTDIR"
LINES="$OUTDIR/sql-bench.lines"
: >"$LINES"

log() { printf '[sql-bench %s] %s\n' "$(date +%T)" "$*"; }

for run in $(seq 1 "$RUNS"); do
    log "run $run of $RUNS"
    out="$OUTDIR/sql-run-$run.log"
    # shellcheck disable=SC2086
    if ! (cd "$REPO" && timeout 900 mvn -B -ntp ${SQL_BENCH_MVN_ARGS:-} -pl tests/system verify \
            -Dit.test=NetnsDatabaseFailoverIT -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
            -Dvigil.sql.bench=true >"$out" 2>&1); then
        log "run $run failed; see $out"
        grep -E '^\[netns-db\]|FAIL' "$out" | tail -20 >&2 || true
        exit 1
    fi
    grep '^BENCH ' "$out" | sed "s/^BENCH /run=$run /" | tee -a "$LINES"
done

# median and worst per engine
{
    echo "### bench/sql-failover.sh $RUNS ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$REPO" rev-parse --short HEAD))"
    echo
    echo "| engine | crash to first acknowledged commit, median | worst | best | rows lost |"
    echo "|---|---|---|---|---|"
    for engine in postgresql mariadb; do
        values=$(grep " engine=$engine " "$LINES" | sed -E 's/.*crash_to_first_commit_ms=([0-9]+).*/\1/' | sort -n)
        lost=$(grep " engine=$engine " "$LINES" | sed -E 's/.* lost=([0-9]+).*/\1/' | awk '{ s += $1 } END { print s + 0 }')
        n=$(echo "$values" | grep -c . || true)
        [ "$n" -gt 0 ] || continue
        median=$(echo "$values" | sed -n "$(( (n + 1) / 2 ))p")
        echo "| $engine | $median ms | $(echo "$values" | tail -1) ms | $(echo "$values" | head -1) ms | $lost |"
    done
    echo
    echo '```'
    cat "$LINES"
    echo '```'
} | tee "$OUTDIR/sql-results.md"
