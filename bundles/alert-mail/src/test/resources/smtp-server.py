#!/usr/bin/python3
"""A real SMTP server for the alert tests (Debian python3-aiosmtpd).

  smtp-server.py PORT MAILDIR [--cert CERT --key KEY] [--user USER --password-file FILE]

Listens on 127.0.0.1:PORT; with --cert/--key it offers STARTTLS and requires it; with --user it requires
AUTH (PLAIN or LOGIN) with that user and password. Each accepted mail is written to
MAILDIR/<epoch ms>-<n>.eml (the time the server accepted it, for the tests' delivery-time measure).
Prints "ready" once it accepts connections; runs until killed.
"""
import argparse
import os
import ssl
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("port", type=int)
parser.add_argument("maildir")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--user")
parser.add_argument("--password-file")
args = parser.parse_args()

count = 0
lock = threading.Lock()


class Store:
    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
            n = count
        ms = int(time.time() * 1000)
        name = os.path.join(args.maildir, "%d-%d.eml" % (ms, n))
        with open(name + ".tmp", "wb") as f:
            f.write(("X-Envelope-From: %s\r\nX-Envelope-To: %s\r\nX-Auth-User: %s\r\nX-TLS: %s\r\n" % (
                envelope.mail_from, ",".join(envelope.rcpt_tos),
                session.authenticated and args.user or "-",
                "yes" if session.ssl else "no")).encode())
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)
        return "250 OK stored"


password = None
if args.password_file:
    with open(args.password_file) as f:
        password = f.readline().strip()


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user
          and auth_data.password.decode() == password)
    return AuthResult(success=ok, handled=False)


kwargs = {}
if args.cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(args.cert, args.key)
    kwargs.update(tls_context=ctx, require_starttls=True)
if args.user:
    kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=bool(args.cert))
else:
    kwargs.update(auth_require_tls=False)

controller = Controller(Store(), hostname="127.0.0.1", port=args.port, **kwargs)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
