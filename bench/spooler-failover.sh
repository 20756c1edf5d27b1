#!/usr/bin/env bash
#
# spooler-failover.sh: time from a power loss of the node running the print spooler to the first print job
# the other node accepts through the group's virtual address. Two real nodes in network namespaces, group
# office = disk (ext4 loop device, reservation-timeout=6s) + ip + spooler (cupsd), as in
# tests/system NetnsSpoolerFailoverIT, which this script runs once per trial (each trial a fresh lab).
#
#   bench/spooler-failover.sh [TRIALS]      (default 3; about a minute each)
#
# In each trial a client in its own namespace queues two jobs on a held printer through the virtual address,
# then node1's cables are pulled and its JVM and every process it started SIGKILLed (t0 = cables pulled). The
# client then probes VIP:631 every 50 ms (0.3 s connect timeout) and, as soon as it connects, submits a job
# with lp; "accepted" is when lp printed its request id. The disk, ip and spooler figures are the times of
# node2's "started ..." log lines. The trial also checks that the old jobs are still queued and print.
#
# Needs root, the test prerequisites (scripts/test.sh installs them) and the built distribution
# (mvn -B -q install -DskipTests). Extra Maven arguments: MVN_ARGS (for example "-o -Dmaven.repo.local=...").
# Ports: SSH 8361-8362 and UDP 7361-7362 inside the namespaces (vigil.system.sshBase/udpBase + 60).
# Results: target/bench/spooler-results.md (also printed).
#
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUTDIR="$REPO/target/bench"
TRIALS=${1:-3}
case "$TRIALS" in '' | *[!0-9]*) echo "usage: $0 [TRIALS]" >&2; exit 2 ;; esac
[ "$TRIALS" -ge 1 ] && [ "$TRIALS" -le 20 ] || { echo "TRIALS must be 1..20" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "spooler-failover.sh: needs root (network namespaces, loop devices, cupsd)" >&2; exit 1; }

mkdir -p "$OUTDIR"
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git -C "$REPO" status --porcelain 2>/dev/null)" ] || COMMIT="$COMMIT+uncommitted"
FIG="$OUTDIR/spooler-figures.txt"
: > "$FIG"
log() { printf '[bench %s] %s\n' "$(date +%T)" "$*"; }

for t in $(seq 1 "$TRIALS"); do
    log "trial $t of $TRIALS"
    out="$OUTDIR/spooler-trial-$t.log"
    # shellcheck disable=SC2086
    if ! (cd "$REPO" && mvn -B -ntp ${MVN_ARGS:-} verify -pl tests/system -Dit.test=NetnsSpoolerFailoverIT \
            -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false) >"$out" 2>&1; then
        log "trial $t failed; see $out"
        grep -E '^\[ERROR\]|netns-spooler\]' "$out" | head -20 >&2 || true
        exit 1
    fi
    line=$(grep -E '^FIGURES spooler ' "$out" | tail -1)
    [ -n "$line" ] || { log "trial $t printed no figures; see $out"; exit 1; }
    echo "trial=$t ${line#FIGURES spooler }" | tee -a "$FIG"
done

python3 - "$FIG" "$OUTDIR/spooler-results.md" "$COMMIT" <<'PY'
import re, statistics, sys, datetime
rows = [dict(re.findall(r'(\w+)=(\d+)', l)) for l in open(sys.argv[1]) if l.strip()]
keys = [('crash_to_disk_ms', 'disk started'), ('crash_to_ip_ms', 'ip started'),
        ('crash_to_spooler_ms', 'spooler started'), ('crash_to_accepted_ms', 'first job accepted')]
out = ['# Print spooler failover (bench/spooler-failover.sh %d)' % len(rows), '',
       '%s UTC, working tree %s (the distribution is the one last installed: build it first)' % (datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M'), sys.argv[3]), '',
       '| from power loss to | median | worst | best |', '|---|---|---|---|']
for k, name in keys:
    v = [int(r[k]) for r in rows]
    out.append('| %s | %d ms | %d ms | %d ms |' % (name, statistics.median(v), max(v), min(v)))
out += ['', '```'] + [l.strip() for l in open(sys.argv[1]) if l.strip()] + ['```']
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
print('\n'.join(out))
PY
