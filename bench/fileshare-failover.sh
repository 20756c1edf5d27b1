#!/usr/bin/env bash
#
# fileshare-failover.sh: time from the power loss of the node serving an SMB share to the client's first
# successful SMB read of the same bytes through the same virtual address, on the other node.
#
#   bench/fileshare-failover.sh [TRIALS]        (default 3; about 1 minute of set-up plus 40 s per trial)
#
# Runs tests/system NetnsFileshareFailoverIT with -Dvigil.fileshare.trials=TRIALS: two real Vigil nodes
# and a client in network namespaces (TEST-NET addresses only), quorum on (cluster.nodes, the ping tie-breaker
# aiming at the client, no fence device), a shared ext4 loop disk, group office = disk (reservation-timeout=10s,
# the default) + ip + fileshare (Samba smbd). The client (smbclient, in its namespace) puts
# a 2 MiB file through the virtual address; then, TRIALS times, the node running office loses power (its
# cables are pulled, then its JVM and every process it started are SIGKILLed) and the client tries
# `smbclient ... -c 'get ...'` every 100 ms (each try at most 2 s) until it gets the same bytes; the
# crashed node is powered on and rejoins (manual failback: the next trial crashes the other node).
# t0 is the instant the cables are pulled. The survivor waits for the crashed node's lease (the dead time), and its
# disk agent, told that node stopped (its lease lapsed, its address silent), takes the reservation over without
# waiting out the reservation lease again (before the stop proofs it did: 6 s at the minimum).
#
# Needs root, the packages of scripts/test.sh (samba, smbclient, iproute2, e2fsprogs, util-linux,
# iputils-arping, iputils-ping) and the distribution built (mvn -B -q install -DskipTests). Extra Maven options come from
# $MVN_OPTS (for example -o -Dmaven.repo.local=...). Results: target/bench/fileshare-results.md (also printed).
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTDIR="$REPO/target/bench"
TRIALS=${1:-3}
case "$TRIALS" in '' | *[!0-9]*) echo "usage: $0 [TRIALS]" >&2; exit 2 ;; esac
[ "$TRIALS" -ge 1 ] && [ "$TRIALS" -le 20 ] || { echo "TRIALS must be 1..20" >&2; exit 2; }
[ "$(id -u)" = "0" ] || { echo "fileshare-failover.sh: needs root (namespaces, loop devices, useradd)" >&2; exit 1; }

mkdir -p "$OUTDIR"
RAW="$OUTDIR/fileshare-it.log"
RESULTS="$OUTDIR/fileshare-results.md"
echo "[bench $(date +%T)] running NetnsFileshareFailoverIT with $TRIALS trial(s); log: $RAW"
# shellcheck disable=SC2086
if ! mvn -B -ntp ${MVN_OPTS:-} -f "$REPO/pom.xml" -pl tests/system verify -Dit.test=NetnsFileshareFailoverIT \
        -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dvigil.fileshare.trials="$TRIALS" >"$RAW" 2>&1; then
    grep -E '^\[netns-fileshare\]|Tests run|FAIL' "$RAW" | tail -40 >&2 || true
    echo "fileshare-failover.sh: the run failed; see $RAW" >&2
    exit 1
fi

grep -o 'FIGURE trial=.*' "$RAW" >"$OUTDIR/fileshare-figures.txt"
[ -s "$OUTDIR/fileshare-figures.txt" ] || { echo "fileshare-failover.sh: no figures in $RAW" >&2; exit 1; }
python3 - "$OUTDIR/fileshare-figures.txt" "$TRIALS" "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')" \
        >"$RESULTS" <<'PY'
import re, statistics, sys, datetime
lines = open(sys.argv[1]).read().split("\n")
rows = [dict(re.findall(r"(\w+)=(\S+)", l)) for l in lines if l.strip()]
def col(k): return [int(r[k]) for r in rows]
reads, disk, ip, share = col("crash_to_first_read_ms"), col("disk_ms"), col("ip_ms"), col("share_ms")
print(f"### File share failover ({datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit {sys.argv[3]}, {len(rows)} trial(s))\n")
print("| crash to first SMB read, median | worst | best | disk started, median | ip started, median | smbd started, median |")
print("|---|---|---|---|---|---|")
print(f"| **{statistics.median(reads):.0f} ms** | {max(reads)} ms | {min(reads)} ms | {statistics.median(disk):.0f} ms"
      f" | {statistics.median(ip):.0f} ms | {statistics.median(share):.0f} ms |\n")
print("```")
for l in lines:
    if l.strip():
        print(l)
print("```")
PY
cat "$RESULTS"
