"""The checks of `make faults`: what must hold after each run of a
scenario (scenarios.py), each returning the broken promises as lines of
text, and the readers they use (an HTTP response, the journal line, the
mails delivered). The promises (README, Reliability):

- mmbridge answers 202 only once a complete job is on disk in the spool;
  otherwise 5xx or nothing, and no job, temporary or empty file is left;
- every job is, after the next mmbuild, either built exactly once (one log
  with one [result]) or in REJECTED/ with its reason: never lost, never
  built twice, no mail sent twice;
- every log parses and ends in exactly one [result], whose status says what
  happened;
- a failure is named in the journal or the log; the exit code is one of the
  documented ones; no process is left behind.
"""

import email
import email.policy
import errno
import json
import os
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "fixture.bash")
STATUSES = {"success", "failure", "error", "killed", "superseded"}


def named(out, text):
    """Whether the injected error's text is in `text` (journal, logs); a
    full filesystem may be named as such (mmbuild(1) BUILD LOG)."""
    if not out.fault or out.fault == "KILL":
        return True
    return os.strerror(errno_number(out.fault)) in text or \
        (out.fault == "ENOSPC" and "filesystem is full" in text)


def errno_number(name):
    return getattr(errno, name)


def walk(home):
    for root, dirs, files in os.walk(home):
        for f in files:
            yield os.path.join(root, f)


def check_leftovers(home):
    """No temporary and no empty file outside the workspaces."""
    problems = []
    builds = os.path.join(home, "Builds")
    for path in walk(builds):
        rel = os.path.relpath(path, builds)
        parts = rel.split(os.sep)
        if len(parts) > 2 and parts[1] not in ("JOBS",):
            continue  # inside a workspace
        name = parts[-1]
        if name.startswith(".") and name.endswith(".lock"):
            continue  # a workspace lock (mmbuild(1) FILES)
        if name.startswith(".") or name.endswith(".tmp"):
            problems.append("temporary file left: " + rel)
        elif os.path.getsize(path) == 0:
            problems.append("empty file left: " + rel)
    return problems


def sections(text):
    return re.findall(r"^\[([a-z]+)\]$", text, re.M)


def log_problems(rel, text):
    found = sections(text)
    problems = []
    if found.count("result") != 1 or found[-1:] != ["result"]:
        return ["%s: sections %s, not one [result] at the end" % (rel, found)]
    if found[:1] != ["job"] or found.count("build") != 1 or \
            found.index("build") > found.index("log"):
        problems.append("%s: sections %s" % (rel, found))
    result = text[text.rindex("\n[result]\n"):]
    status = re.search(r"^status = (.*)$", result, re.M)
    status = status.group(1) if status else None
    if status not in STATUSES:
        problems.append("%s: status %s" % (rel, status))
    if not text.endswith("\n") or not re.search(r"^duration = [0-9.]+$",
                                                result, re.M):
        problems.append("%s: [result] is not whole" % rel)
    if status == "error" and not re.search(r"^..:..:.. # Build error: .+$",
                                           text, re.M):
        problems.append("%s: status error, but no line says why" % rel)
    return problems


def job_id(text):
    m = re.search(r"^id *= *(.*)$", text, re.M)
    return m.group(1).strip() if m else None


def job_files(builds):
    """The files where a job can be: the spool, REJECTED/ and each project's
    JOBS/ (relative to `builds`); not the workspaces."""
    found = []
    for top in sorted(os.listdir(builds)):
        inside = [top, "JOBS"] if top not in ("INBOX", "REJECTED") else [top]
        d = os.path.join(builds, *inside)
        if os.path.isdir(d):
            found += [os.path.join(*inside, n) for n in sorted(os.listdir(d))
                      if os.path.isfile(os.path.join(d, n))]
    return found


def check_jobs(home, jobs, out):
    """After the recovery: every job in one place, each log whole, each
    build run at most once, no mail twice, the failure named."""
    builds = os.path.join(home, "Builds")
    problems, places, texts = [], {}, []
    for rel in job_files(builds):
        parts = rel.split(os.sep)
        with open(os.path.join(builds, rel), errors="replace") as f:
            text = f.read()
        if len(parts) == 3 and parts[1] == "JOBS" and rel.endswith(".log"):
            problems += log_problems(rel, text)
            texts.append(text)
        elif parts[0] == "REJECTED":
            if "# Rejected by " not in text:
                problems.append(rel + ": rejected without its reason")
        elif parts[0] == "INBOX":
            problems.append(rel + ": still queued after the recovery")
        else:
            continue
        places.setdefault(job_id(text), []).append(rel)
    built = []
    if os.path.exists(os.path.join(home, "built")):
        with open(os.path.join(home, "built")) as f:
            built = f.read().split()
    for job in jobs:
        where = places.get(job, [])
        if len(where) != 1:
            problems.append("job %s is in %d places: %s" %
                            (job, len(where), where))
        if built.count(job) > 1:
            problems.append("job %s was built %d times" %
                            (job, built.count(job)))
    ids = [m for m in out.mails]
    for mid in set(ids):
        if ids.count(mid) > 1:
            problems.append("mail %s sent %d times" % (mid, ids.count(mid)))
    # A failure mmbuild reports (its exit) names the failed call; a build
    # that ends as error names its reason on its closing line (checked
    # above), in the words of the step that failed.
    bad = out.exit is not None and out.exit > 0 and out.exit != 127
    if bad and not named(out, out.journal + "".join(texts)):
        problems.append("the injected %s is named neither in the journal "
                        "nor in a log" % out.fault)
    return problems


def check_job_file(path):
    # A spooled job only selects (mmbuild(1) JOB FILES): the command and the
    # mail address come from the configuration when it is built, never from
    # the spool (None: the key is absent).
    expected = {"endpoint": "/gitea", "project": "test-org/test-repo",
                "repositoryUrl": "git@git.example.com:test-org/test-repo",
                "target": "production", "commit": "HEAD",
                "buildCommand": None, "mailto": None,
                "message": "Test commit message\n"}
    run = subprocess.run([FIXTURE, "job-matches", path, json.dumps(expected)],
                         capture_output=True, text=True)
    if run.returncode != 0:
        return ["job file %s is not whole: %s%s" %
                (os.path.basename(path), run.stdout, run.stderr)]
    return []


def journal_line_status(journal):
    m = re.search(r"^<\d>\S+ \S+ \S+ (\d{3}) ", journal, re.M)
    return int(m.group(1)) if m else None


def check_bridge_exit(out, status, whole):
    """mmbridge(1) EXIT STATUS: 0 whenever a 2xx or 4xx was sent; non-zero
    when it answered 500 or could not answer."""
    if out.exit is None or out.exit < 0:
        return []
    journal_status = journal_line_status(out.journal)
    problems = []
    # No journal line at all: its write is what failed.
    if journal_status is None:
        journal_status = status
    elif status is not None and whole and journal_status != status:
        problems.append("sent %s, the journal says %s" %
                        (status, journal_status))
    if journal_status is not None and journal_status < 500 and whole:
        if out.exit != 0:
            problems.append("answered %d, exit %d" % (journal_status,
                                                      out.exit))
    elif out.exit == 0:
        problems.append("answered %s (whole: %s), exit 0" % (status, whole))
    return problems


def parse_response(raw):
    """(status, body, whole): whole when the body is all there, as its
    Content-Length or its last chunk says."""
    if not raw or b"\r\n\r\n" not in raw:
        return None, b"", False
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
    if not m:
        return None, b"", False
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        return int(m.group(1)), rest[:n], len(rest) == n
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size, sep, rest = rest.partition(b"\r\n")
            if not sep:
                return int(m.group(1)), body, False
            n = int(size, 16)
            if n == 0:
                return int(m.group(1)), body, rest == b"\r\n"
            if len(rest) < n + 2:
                return int(m.group(1)), body + rest[:n], False
            body, rest = body + rest[:n], rest[n + 2:]
    return int(m.group(1)), rest, False


def read_mail_ids(maildir, before):
    """Message-IDs of the messages delivered since `before` (a set of
    file names), and the new set."""
    ids, names = [], set()
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        if not os.path.isdir(d):
            continue
        for name in os.listdir(d):
            names.add(name)
            if name in before:
                continue
            with open(os.path.join(d, name), "rb") as f:
                msg = email.message_from_binary_file(f,
                                                     policy=email.policy.default)
            ids.append(str(msg.get("Message-ID")))
    return ids, names
