#!/usr/bin/env python3
"""Samples, every INTERVAL_MS, which network namespaces hold which addresses, for bench/lab-failover.sh.

    addr-sampler.py OUT MAX_SECONDS INTERVAL_MS STOPFILE LABEL=NAMESPACE... -- ADDRESS...

One process watches every namespace: it opens a netlink socket inside each (setns, then back), so every sample
reads all of them at the same instant, without a fork (an `ip -o addr` loop costs two forks per sample and
namespace). An address counts as held by a namespace when it is configured on an interface that is
administratively up (carrier or not: a node whose cable is pulled at the far end still answers ARP when the
cable comes back), the rule of tests/system PlacementWatch. Runs until STOPFILE exists or MAX_SECONDS passed.

OUT, one line each (epoch milliseconds):
    <ms> hold <address> <label,label|->   when the holders of an address change (and at the first sample)
    <ms> both <address> <label,label>     every sample at which two or more namespaces hold it
    <ms> end samples=<n> max_gap_ms=<n>   at the end: how many samples, the longest time between two of them
"""
import ctypes
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTM_GETLINK, RTM_GETADDR = 18, 22
NLM_F_REQUEST, NLM_F_DUMP = 0x1, 0x300
NLMSG_DONE, NLMSG_ERROR = 3, 2
IFA_ADDRESS, IFA_LOCAL = 1, 2
IFF_UP = 0x1


def netlink_in(namespace, libc, home):
    """A NETLINK_ROUTE socket that lives in the namespace /run/netns/NAMESPACE."""
    fd = os.open("/run/netns/" + namespace, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into " + namespace)
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        s.bind((0, 0))
        return s
    finally:
        os.close(fd)
        libc.setns(home, CLONE_NEWNET)


def dump(sock, msg_type, body, seq):
    """Sends one dump request; returns the payloads of its answers."""
    sock.send(struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
    out = []
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            length, typ, _flags, _seq, _pid = struct.unpack_from("=IHHII", data, off)
            if length < 16:
                return out
            if typ == NLMSG_DONE:
                return out
            if typ == NLMSG_ERROR:
                raise OSError("netlink error answer to request %d" % msg_type)
            out.append(data[off + 16:off + length])
            off += (length + 3) & ~3


def held(sock, seq):
    """The IPv4 addresses on interfaces that are administratively up."""
    up = set()
    for p in dump(sock, RTM_GETLINK, struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0), seq):
        _fam, _typ, index, flags, _change = struct.unpack_from("=BxHiII", p, 0)
        if flags & IFF_UP:
            up.add(index)
    addrs = set()
    for p in dump(sock, RTM_GETADDR, struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0), seq + 1):
        fam, _plen, _flags, _scope, index = struct.unpack_from("=BBBBI", p, 0)
        if fam != socket.AF_INET or index not in up:
            continue
        off, local, address = 8, None, None
        while off + 4 <= len(p):
            alen, atype = struct.unpack_from("=HH", p, off)
            if alen < 4:
                break
            if atype == IFA_LOCAL:
                local = socket.inet_ntoa(p[off + 4:off + 8])
            elif atype == IFA_ADDRESS:
                address = socket.inet_ntoa(p[off + 4:off + 8])
            off += (alen + 3) & ~3
        if local or address:
            addrs.add(local or address)
    return addrs


def main(argv):
    if len(argv) < 8 or "--" not in argv:
        sys.stderr.write(__doc__)
        return 2
    sep = argv.index("--")
    out, max_seconds, interval_ms, stopfile = argv[1], float(argv[2]), float(argv[3]), argv[4]
    spaces = [a.split("=", 1) for a in argv[5:sep]]
    watched = argv[sep + 1:]
    if not spaces or not watched or any(len(s) != 2 for s in spaces):
        sys.stderr.write(__doc__)
        return 2
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = [(label, netlink_in(ns, libc, home)) for label, ns in spaces]
    deadline = time.monotonic() + max_seconds
    interval = interval_ms / 1000.0
    last = {a: None for a in watched}
    samples, max_gap, prev, seq = 0, 0.0, None, 1
    with open(out, "w", buffering=1) as f:
        while time.monotonic() < deadline and not os.path.exists(stopfile):
            started = time.monotonic()
            now = int(time.time() * 1000)
            holders = {a: [] for a in watched}
            for label, s in socks:
                try:
                    have = held(s, seq)
                except OSError:
                    have = set()  # the namespace went away (the bench is ending): nobody there holds anything
                seq += 2
                for a in watched:
                    if a in have:
                        holders[a].append(label)
            for a in watched:
                h = ",".join(holders[a]) or "-"
                if h != last[a]:
                    f.write("%d hold %s %s\n" % (now, a, h))
                    last[a] = h
                if len(holders[a]) > 1:
                    f.write("%d both %s %s\n" % (now, a, h))
            samples += 1
            if prev is not None:
                max_gap = max(max_gap, started - prev)
            prev = started
            rest = interval - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
        f.write("%d end samples=%d max_gap_ms=%d\n" % (int(time.time() * 1000), samples, int(max_gap * 1000)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
