#!/usr/bin/env python3
"""A client of the demo web service that records every request, for bench/failover.sh.

    http-poll.py poll PORT OUT MAX_SECONDS INTERVAL_MS STOPFILE
        GET http://127.0.0.1:PORT/ every INTERVAL_MS until STOPFILE exists or MAX_SECONDS passed (loopback
        only, bounded). Each request is one line of OUT: "<sent_ms> <done_ms> ok <node>" or
        "<sent_ms> <done_ms> fail <reason>" (epoch milliseconds).

    http-poll.py outage OUT CRASH_MS OLD NEW
        Reads OUT and prints "outage_ms=<n> crash_to_served_ms=<n> failed_requests=<n> first_fail_ms=<t>
        served_ms=<t>": outage is from the first failed request sent after the last answer from OLD
        until the first answer from NEW was received. Exit 1 if NEW never answered.
"""
import http.client
import os
import sys
import time


def now_ms():
    return int(time.time() * 1000)


def poll(port, out, max_seconds, interval_ms, stopfile):
    deadline = time.monotonic() + max_seconds
    interval = interval_ms / 1000.0
    with open(out, "w", buffering=1) as f:
        while time.monotonic() < deadline and not os.path.exists(stopfile):
            started = time.monotonic()
            sent = now_ms()
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=0.25)
                c.request("GET", "/", headers={"Connection": "close"})
                r = c.getresponse()
                body = r.read().decode("utf-8", "replace").strip()
                c.close()
                if r.status == 200 and body.startswith("served by "):
                    f.write("%d %d ok %s\n" % (sent, now_ms(), body[len("served by "):]))
                else:
                    f.write("%d %d fail status-%d\n" % (sent, now_ms(), r.status))
            except Exception as e:  # refused, reset, timeout: all count as failed requests
                f.write("%d %d fail %s\n" % (sent, now_ms(), type(e).__name__))
            rest = interval - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
    return 0


def outage(out, crash_ms, old, new):
    rows = []
    with open(out) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3:
                rows.append((int(p[0]), int(p[1]), p[2], p[3] if len(p) > 3 else ""))
    served = next((i for i, r in enumerate(rows) if r[2] == "ok" and r[3] == new and r[0] >= crash_ms), None)
    if served is None:
        failed = sum(1 for r in rows if r[0] >= crash_ms and r[2] == "fail")
        print("outage_ms=-1 crash_to_served_ms=-1 failed_requests=%d first_fail_ms=-1 served_ms=-1" % failed)
        return 1
    # The old node may still answer for a few ms after the crash began (its processes are frozen one after
    # the other): the outage starts at the first failed request sent after its last answer.
    last_old = max((i for i in range(served) if rows[i][2] == "ok" and rows[i][3] == old), default=-1)
    between = rows[last_old + 1:served]
    failed = sum(1 for r in between if r[2] == "fail")
    first_fail = between[0][0] if between else rows[served][0]
    done = rows[served][1]
    print("outage_ms=%d crash_to_served_ms=%d failed_requests=%d first_fail_ms=%d served_ms=%d"
          % (done - first_fail, done - crash_ms, failed, first_fail, done))
    return 0


def main(argv):
    if len(argv) == 7 and argv[1] == "poll":
        return poll(int(argv[2]), argv[3], float(argv[4]), float(argv[5]), argv[6])
    if len(argv) == 6 and argv[1] == "outage":
        return outage(argv[2], int(argv[3]), argv[4], argv[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
