#!/usr/bin/python3
"""A throwaway SMTP server for tests: listens on 127.0.0.1 and delivers every
message it accepts into a Maildir, so tests can read back what sendmail
(msmtp) really sent.

  smtp_server.py --maildir DIR --port-file FILE [--port N] [--lifetime S]

It writes the port it listens on to FILE (atomically, once it accepts
connections) and stops by itself after S seconds (default 300), or at SIGTERM
or SIGINT. Each delivered message gets three headers in front, as a real MTA
adds Received lines: X-Sequence (1, 2, ... in order of delivery),
X-Envelope-From and X-Envelope-To (the SMTP envelope, which with `sendmail -t`
comes from the To header, so a test can see who really got the mail).

Run it with Debian's /usr/bin/python3 (python3-aiosmtpd).
"""

import argparse
import asyncio
import mailbox
import os
import signal
import socket
import sys

from aiosmtpd.smtp import SMTP


class MaildirHandler:
    def __init__(self, path):
        self.maildir = mailbox.Maildir(path, create=True)
        self.sequence = 0

    async def handle_DATA(self, server, session, envelope):
        self.sequence += 1
        trace = (
            "X-Sequence: %d\r\n"
            "X-Envelope-From: %s\r\n"
            "X-Envelope-To: %s\r\n"
            % (self.sequence, envelope.mail_from, ", ".join(envelope.rcpt_tos))
        ).encode("ascii", "replace")
        content = envelope.original_content or envelope.content
        # Stored as sent, byte for byte, with Unix line ends as Maildir has.
        self.maildir.add((trace + content).replace(b"\r\n", b"\n"))
        return "250 Message accepted for delivery"


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


async def serve(args):
    handler = MaildirHandler(args.maildir)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(16)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, enable_SMTPUTF8=True, hostname="mail.test",
                     timeout=30),
        sock=sock,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    write_atomically(args.port_file, "%d\n" % sock.getsockname()[1])
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.lifetime)
    except asyncio.TimeoutError:
        print("smtp_server: lifetime of %gs is over, stopping" % args.lifetime,
              file=sys.stderr)
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--port", type=int, default=0,
                        help="0 (default): any free port")
    parser.add_argument("--lifetime", type=float, default=300)
    args = parser.parse_args()
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
