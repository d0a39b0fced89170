#!/usr/bin/python3
"""Reads the messages smtp_server.py delivered into a Maildir, the way a mail
client does (Python's email package: headers unfolded, RFC 2047 decoded).

  mail_read.py MAILDIR count        how many messages were delivered
  mail_read.py MAILDIR N FIELD      of message N (1 = first delivered):
      a header name (Subject, To, From, Message-ID, In-Reply-To, ...): its
          decoded value, one line per occurrence; nothing when absent
      headers: every header name, one a line, in order
      body: the decoded text body
      raw: the message as stored

Exit status 0, or 1 when message N does not exist.
Run it with Debian's /usr/bin/python3.
"""

import email
import email.policy
import mailbox
import sys


def delivered(path):
    """Messages in order of delivery (the server's X-Sequence header)."""
    box = mailbox.Maildir(path, factory=None, create=False)
    raws = [box.get_bytes(key) for key in box.keys()]
    msgs = [(email.message_from_bytes(r, policy=email.policy.default), r)
            for r in raws]
    msgs.sort(key=lambda m: int(m[0].get("X-Sequence", "0")))
    return msgs


def main(argv):
    if len(argv) == 3 and argv[2] == "count":
        print(len(delivered(argv[1])))
        return 0
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    msgs = delivered(argv[1])
    n = int(argv[2])
    if n < 1 or n > len(msgs):
        print("mail_read: no message %d (%d delivered)" % (n, len(msgs)),
              file=sys.stderr)
        return 1
    msg, raw = msgs[n - 1]
    field = argv[3]
    if field == "headers":
        for name in msg.keys():
            print(name)
    elif field == "body":
        sys.stdout.write(msg.get_content())
    elif field == "raw":
        sys.stdout.buffer.write(raw)
    else:
        for value in msg.get_all(field) or []:
            print(str(value))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
