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

    http-poll.py watch OUT MAX_SECONDS INTERVAL_MS STOPFILE NAME=HOST:PORT...
        For bench/lab-failover.sh (run it inside the client's namespace): every INTERVAL_MS, one GET to each
        target, each request on its own (asynchronous, 1 s timeout, at most 200 in flight per target), so a
        request stuck on a dead node's MAC does not delay the next: the resolution stays INTERVAL_MS. Each
        request is one line of OUT when it ends: "<sent_ms> <done_ms> NAME ok <node>" or "... NAME fail <why>".

    http-poll.py gap OUT NAME FAULT_MS
        Prints "outage_ms=<n> served_ms=<n> served_after=<0|1> down_at_end=<0|1> last_node=<node|->
        failed_requests=<n>" for target NAME. served_ms: from FAULT_MS until the client was served again (the first
        answer to a request sent after the first failed one; 0: none failed, -1: never served again). outage_ms:
        the longest time between two consecutive successful answers (by when they were received), counted
        from the last answer before FAULT_MS; failing requests at the end of OUT count as a gap until the
        last of them ended (down_at_end=1; served_after=0: no answer at all after the fault): a lower bound.
"""
import asyncio
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


async def watch_one(f, name, host, port, deadline, interval, stopfile):
    inflight = set()

    async def one(sent):
        try:
            r, w = await asyncio.wait_for(asyncio.open_connection(host, port), 1.0)
            try:
                w.write(b"GET / HTTP/1.0\r\nHost: bench\r\n\r\n")
                data = await asyncio.wait_for(r.read(), 1.0)  # HTTP/1.0: to the end
            finally:
                w.close()
            head, _, body = data.partition(b"\r\n\r\n")
            text = body.decode("utf-8", "replace").strip()
            if head.split(b" ")[1:2] == [b"200"] and text.startswith("served by "):
                f.write("%d %d %s ok %s\n" % (sent, now_ms(), name, text[len("served by "):].split()[0]))
            else:
                f.write("%d %d %s fail bad-answer\n" % (sent, now_ms(), name))
        except Exception as e:  # refused, reset, timeout: all count as failed requests
            f.write("%d %d %s fail %s\n" % (sent, now_ms(), name, type(e).__name__))

    loop = asyncio.get_running_loop()
    nxt = loop.time()
    while loop.time() < deadline and not os.path.exists(stopfile):
        if len(inflight) < 200:
            t = asyncio.ensure_future(one(now_ms()))
            inflight.add(t)
            t.add_done_callback(inflight.discard)
        nxt += interval
        await asyncio.sleep(max(0.0, nxt - loop.time()))
        if nxt < loop.time() - 1.0:
            nxt = loop.time()  # starved for a second: do not fire a burst to catch up
    if inflight:
        await asyncio.wait(inflight, timeout=3)


async def watch_all(out, max_seconds, interval_ms, stopfile, targets):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_seconds
    with open(out, "w", buffering=1) as f:
        await asyncio.gather(*(watch_one(f, n, h, p, deadline, interval_ms / 1000.0, stopfile)
                               for n, h, p in targets))
    return 0


def watch(out, max_seconds, interval_ms, stopfile, specs):
    targets = []
    for spec in specs:
        name, _, hp = spec.partition("=")
        host, _, port = hp.rpartition(":")
        if not name or not host or not port.isdigit():
            sys.stderr.write("bad target '%s': want NAME=HOST:PORT\n" % spec)
            return 2
        targets.append((name, host, int(port)))
    return asyncio.run(watch_all(out, max_seconds, interval_ms, stopfile, targets))


def gap(out, name, fault_ms):
    ok, fails, failed = [], [], 0
    with open(out) as f:
        for line in f:
            p = line.split()
            if len(p) < 4 or p[2] != name:
                continue
            sent, done = int(p[0]), int(p[1])
            if p[3] == "ok":
                ok.append((done, p[4] if len(p) > 4 else "-", sent))
            else:
                fails.append((sent, done))
                failed += 1 if sent >= fault_ms else 0
    ok.sort()
    before = [d for d, _, _ in ok if d < fault_ms]
    after = [(d, n) for d, n, _ in ok if d >= fault_ms]
    start = before[-1] if before else fault_ms
    times = [start] + [d for d, _ in after]
    longest, back = max(((b - a, b) for a, b in zip(times, times[1:])), default=(0, fault_ms))
    # still failing at the end of OUT (never served again, or down again): requests sent after the last answer,
    # for more than 250 ms, all failed; that gap counts, as a lower bound. (A request sent before the last answer
    # that timed out later says nothing: under load one may hang for its whole timeout.)
    late = [(s, d) for s, d in fails if s > times[-1]]
    trailing = max((d for _, d in late), default=times[-1]) - times[-1]
    down_at_end = 1 if late and max(s for s, _ in late) - times[-1] > 250 else 0
    if not down_at_end:
        trailing = 0
    if trailing > longest:
        longest, back = trailing, None
    # served again: the first answer to a request sent after the first request that failed from the fault on
    first_fail = min((s for s, _ in fails if s >= fault_ms), default=None)
    if first_fail is None:
        served = 0
    else:
        served = min((d for d, _, s in ok if s > first_fail), default=fault_ms - 1) - fault_ms
    print("outage_ms=%d served_ms=%d served_after=%d down_at_end=%d last_node=%s failed_requests=%d"
          % (longest, served, 1 if after else 0, down_at_end, after[-1][1] if after else "-", failed))
    return 0


def main(argv):
    if len(argv) >= 7 and argv[1] == "watch":
        return watch(argv[2], float(argv[3]), float(argv[4]), argv[5], argv[6:])
    if len(argv) == 5 and argv[1] == "gap":
        return gap(argv[2], argv[3], int(argv[4]))
    if len(argv) == 7 and argv[1] == "poll":
        return poll(int(argv[2]), argv[3], float(argv[4]), float(argv[5]), argv[6])
    if len(argv) == 6 and argv[1] == "outage":
        return outage(argv[2], int(argv[3]), argv[4], argv[5])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
