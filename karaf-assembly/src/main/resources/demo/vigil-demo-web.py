#!/usr/bin/env python3
"""Vigil demo service: a tiny HTTP server that says which node serves it.

    python3 demo/vigil-demo-web.py HOST PORT

(Run it through python3: the distribution's tar.gz marks only bin/ files executable.)

GET / answers "served by <node>\\n", where <node> is $VIGIL_NODE or, if unset, the
host name. Meant to run as a Vigil "process" resource next to a floating IP, so a
client can watch the service move on switchover or failover. Exits promptly
(status 0) on SIGTERM or SIGINT.
"""
import http.server
import os
import signal
import socket
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    node = os.environ.get("VIGIL_NODE") or socket.gethostname()

    def do_GET(self):
        if self.path.split("?", 1)[0] != "/":
            self.send_error(404)
            return
        body = ("served by %s\n" % self.node).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: %s HOST PORT\n" % argv[0])
        return 2
    host, port = argv[1], int(argv[2])
    if ":" in host:
        Server.address_family = socket.AF_INET6
    server = Server((host, port), Handler)

    def stop(signum, frame):
        # Runs on the main thread, inside serve_forever(): leave it at once rather
        # than waiting for the next poll.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stderr.write("vigil-demo-web: serving on %s:%d as %s\n" % (host, port, Handler.node))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
