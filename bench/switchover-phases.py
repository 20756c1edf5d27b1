#!/usr/bin/env python3
"""Where the time of a planned switchover goes, from both nodes' karaf.log and the client's requests.

    switchover-phases.py NODE1_LOG NODE2_LOG POLL LABEL=EPOCH_MS...

For each LABEL (a move asked at EPOCH_MS with vigil:switchover; the next label, or the end, closes its window)
prints one line:

    move=LABEL from=A to=B stop_server_ms stop_ip_ms handover_ms start_ip_ms start_server_ms total_ms
    client_gap_ms planned_handover=yes|no

stop_server: A's "stopping web-server" -> "stopped web-server"; stop_ip: A's stop of web-ip; handover: A's "stopped
web-ip" -> B's "starting web-ip" (the report crossing the heartbeat, B's next decision); start_ip and start_server:
B's starts (start_server includes the program's first check-http); total: A's "stopping web-server" -> B's "started
web-server". client_gap: the longest time between two answers the client got from Vigil's address (target
"vigil" of http-poll.py watch) in the window. Both logs are on this machine's clock (the lab's nodes share it).
"""
import datetime
import re
import sys

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d,\d{3}) .*?\| ((?:starting|started|stopping|stopped) "
                  r"(web-ip|web-server) \(group web[^)]*\))")


def events(path, node):
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                m = LINE.match(line)
                if m:
                    t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S,%f").timestamp() * 1000
                    out.append((int(t), node, m.group(2)))
    except OSError:
        pass
    return out


def first(evs, t0, t1, node, prefix):
    for t, n, text in evs:
        if t0 <= t < t1 and n == node and text.startswith(prefix):
            return t, text
    return None, ""


def main(argv):
    if len(argv) < 5:
        sys.stderr.write(__doc__)
        return 2
    evs = sorted(events(argv[1], "node1") + events(argv[2], "node2"))
    answers = []
    with open(argv[3]) as f:
        for line in f:
            p = line.split()
            if len(p) >= 4 and p[2] == "vigil" and p[3] == "ok":
                answers.append(int(p[1]))
    answers.sort()
    moves = [(a.split("=", 1)[0], int(a.split("=", 1)[1])) for a in argv[4:]]
    for i, (label, t0) in enumerate(moves):
        t1 = moves[i + 1][1] if i + 1 < len(moves) else 1 << 62
        ts, _ = (None, "")
        src = None
        for t, n, text in evs:
            if t0 <= t < t1 and text.startswith("stopping web-server"):
                ts, src = t, n
                break
        if src is None:
            print("move=%s no stop of web-server found in the logs" % label)
            continue
        dst = "node2" if src == "node1" else "node1"
        ss, _ = first(evs, ts, t1, src, "stopped web-server")
        si, _ = first(evs, ts, t1, src, "stopping web-ip")
        sd, _ = first(evs, ts, t1, src, "stopped web-ip")
        bi, bi_text = first(evs, ts, t1, dst, "starting web-ip")
        be, _ = first(evs, ts, t1, dst, "started web-ip")
        bs, _ = first(evs, ts, t1, dst, "starting web-server")
        bd, _ = first(evs, ts, t1, dst, "started web-server")

        def d(a, b):
            return "-" if a is None or b is None else str(b - a)

        window = [a for a in answers if t0 <= a < min(t1, (bd or t0) + 5000)]
        gap = max((b - a for a, b in zip(window, window[1:])), default=None)
        print("move=%s from=%s to=%s stop_server_ms=%s stop_ip_ms=%s handover_ms=%s start_ip_ms=%s "
              "start_server_ms=%s total_ms=%s client_gap_ms=%s planned_handover=%s" % (
                  label, src, dst, d(ts, ss), d(si, sd), d(sd, bi), d(bi, be), d(bs, bd), d(ts, bd),
                  "-" if gap is None else gap, "yes" if "planned hand-over" in bi_text else "no"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
