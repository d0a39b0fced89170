#!/usr/bin/python3
"""A forge's commit-status API on loopback, for the tests of mmbuild's
commit statuses: records every request as one JSON line (method, path,
headers, body) and answers as told.

    fake_forge.py PORT_FILE LOG [--status CODE] [--tls CERT KEY] [--gitlab]
                  [--hang]

Listens on 127.0.0.1, an unused port written to PORT_FILE once it listens.
--status: the answer's status (default 201). --gitlab: a state sent twice
for the same path and name is answered 400 "Cannot transition status", as
GitLab does. --hang: records the request, then never answers. Runs until
killed.
"""
import argparse
import http.server
import json
import os
import ssl
import threading


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("port_file")
    parser.add_argument("log")
    parser.add_argument("--status", type=int, default=201)
    parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    parser.add_argument("--gitlab", action="store_true")
    parser.add_argument("--hang", action="store_true")
    args = parser.parse_args()
    lock = threading.Lock()
    seen = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8", "replace")
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw
            record = {"method": self.command, "path": self.path,
                      "headers": {k.lower(): v for k, v in self.headers.items()},
                      "body": body}
            status = args.status
            answer = {"id": 1}
            with lock:
                if args.gitlab and isinstance(body, dict):
                    key = (self.path, body.get("name"), body.get("state"))
                    if key in seen:
                        status = 400
                        answer = {"message": "Cannot transition status via "
                                  ":run from :running"}
                    seen.add(key)
                with open(args.log, "a") as log:
                    log.write(json.dumps(record, sort_keys=True) + "\n")
            if args.hang:
                threading.Event().wait()
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_PUT = do_POST
        do_GET = do_POST

        def log_message(self, *unused):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if args.tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls[0], args.tls[1])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
