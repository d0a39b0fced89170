"""The scenarios of `make faults`: a program, how it is run (its arguments,
a request on its socket), whether mmbuild runs again afterwards as the
recovery after a crash, and which checks (checks.py) must pass after it.
"""

import hashlib
import hmac
import os

from checks import (check_bridge_exit, check_job_file, check_jobs,
                    check_leftovers, journal_line_status, named,
                    parse_response)

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "fixtures")

# The ids fixture.bash gives the jobs it spools.
FIRST = "20261125-120000-000001-4242-0000000a"
SECOND = "20261125-120001-000001-4242-0000000b"
SECRET = b"s3cret"
# How the dynamic loader says it could not start a program (exit 127).
LOADER_FAILED = "error while loading shared libraries"


class Outcome:
    """What one run came to: the program's exit (negative: the signal that
    killed it), its stderr (the journal), the response it sent (bridge), the
    exit and journal of the recovery, and what the servers received."""

    def __init__(self):
        self.exit = None
        self.journal = ""
        self.response = None
        self.recovery_exit = None
        self.recovery_journal = ""
        self.mails = []
        self.statuses = []
        self.fault = None  # "EIO", ..., "KILL"; None for a recording
        self.hits = []  # the calls the fault hit, as strace showed them


class Scenario:
    program = "mmbuild"
    args = ()
    env = {}
    recovery = True  # mmbuild runs again afterwards
    jobs = ()  # the job ids it starts with
    exits = (0, 3, 4)

    def __init__(self, name):
        self.name = name

    def request(self):
        return None

    def check(self, home, out):
        problems = self.check_exit(out)
        problems += check_leftovers(home)
        if self.recovery:
            problems += check_jobs(home, self.jobs, out)
        return problems

    def check_exit(self, out):
        problems = []
        if out.exit is not None and out.exit < 0:
            if out.fault != "KILL":
                problems.append("%s killed by signal %d" %
                                (self.program, -out.exit))
        elif out.exit == 127 and LOADER_FAILED in out.journal:
            pass  # ld.so, before main(): a point of another process
        elif out.exit not in self.exits:
            problems.append("%s exit %s, not one of %s" %
                            (self.program, out.exit, self.exits))
        if self.recovery and out.recovery_exit != 0:
            problems.append("the recovery mmbuild exited %s: %s" %
                            (out.recovery_exit, out.recovery_journal[-300:]))
        return problems


















class MmbuildBuild(Scenario):
    """A job claimed, checked out, built, logged, mailed, its commit status
    set (mmbuild(1) How a job runs)."""
    jobs = (FIRST,)

    def check(self, home, out):
        problems = Scenario.check(self, home, out)
        states = [s for s in out.statuses]
        for group in (("pending",), ("success", "failure", "error")):
            n = len([s for s in states if s in group])
            if n > 1:
                problems.append("commit status %s sent %d times" %
                                ("/".join(group), n))
        return problems


class MmbuildSupersede(Scenario):
    """An older job superseded by a newer one, which builds in the
    workspace an earlier build left (a fetch, not a clone); keepBuilds = 2
    prunes the old logs (mmbuild(1) QUEUE)."""
    jobs = (FIRST, SECOND)


class MmbuildRecovery(Scenario):
    """The next mmbuild after a crash: a log whose runner died (its failure
    mail and status), a job claimed by an mmbuild that died before its
    runner started, which builds (mmbuild(1) KILLED RUNNER)."""
    jobs = (FIRST, SECOND)


class Mmcleanup(Scenario):
    """mmcleanup after a failed service: the job to REJECTED/ with its
    reason (mmcleanup(1)); then mmbuild builds whatever is left."""
    program = "mmcleanup"
    env = {"SERVICE_RESULT": "exit-code", "EXIT_CODE": "exited",
           "EXIT_STATUS": "3"}
    jobs = (FIRST,)


class BridgePush(Scenario):
    """A signed Gitea push: the spool write (mmbridge(1))."""
    program = "mmbridge"
    recovery = False
    exits = (0, 3, 4)

    def request(self):
        with open(os.path.join(FIXTURES, "gitea-push.json"), "rb") as f:
            body = f.read()
        sig = hmac.new(SECRET, body, hashlib.sha256).hexdigest()
        head = ("POST /gitea HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                "Content-Type: application/json\r\nX-Gitea-Event: push\r\n"
                "X-Gitea-Signature: %s\r\nContent-Length: %d\r\n"
                "Connection: close\r\n\r\n" % (sig, len(body)))
        return head.encode() + body

    def check(self, home, out):
        problems = self.check_exit(out) + check_leftovers(home)
        spool = os.path.join(home, "Builds", "INBOX")
        jobs = sorted(os.listdir(spool))
        status, body, whole = parse_response(out.response)
        journal_status = journal_line_status(out.journal)
        problems += check_bridge_exit(out, status, whole)
        if status == 202 and whole:
            queued = body.decode(errors="replace").strip()
            if jobs != [queued.replace("queued ", "") + ".ini"]:
                problems.append("answered %r, the spool holds %s" %
                                (queued, jobs))
            # 202 means on disk: not after a flush that failed.
            if out.fault != "KILL" and any(
                    h.startswith(("fsync(", "fdatasync(")) for h in out.hits):
                problems.append("answered 202 after a failed " +
                                out.hits[0].split("(")[0])
        elif status is not None and status < 500:
            problems.append("answered %d to a request that is good" % status)
        elif jobs and out.fault != "KILL" and journal_status != 202:
            problems.append("no 202 answered, but the spool holds %s" % jobs)
        for name in jobs:
            problems += check_job_file(os.path.join(spool, name))
        if status != 202 and not named(out, out.journal):
            problems.append("the journal does not name the injected %s" %
                            out.fault)
        return problems




class BridgeWeb(Scenario):
    """mmbridge serving a build page, or a build's raw log streamed while
    it runs (mmbridge(1) WEB VIEW): it reads and changes nothing."""
    program = "mmbridge"
    recovery = False

    def __init__(self, name, path, stream):
        Scenario.__init__(self, name)
        self.path, self.stream = path, stream

    def request(self):
        return ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" %
                self.path).encode()

    def check(self, home, out):
        problems = self.check_exit(out) + check_leftovers(home)
        status, body, whole = parse_response(out.response)
        problems += check_bridge_exit(out, status, whole)
        builds = os.path.join(home, "Builds")
        log = os.path.join(builds, "acme-app", "JOBS",
                           (SECOND if self.stream else FIRST) + ".log")
        with open(log, "rb") as f:
            text = f.read()
        if status == 200 and whole:
            if self.stream and body != text:
                problems.append("the streamed log is not the log")
            if not self.stream and b"O</span> hello" not in body and \
                    b"hello" not in body:
                problems.append("the page lacks the log")
        elif status is not None and whole and status != 500:
            problems.append("answered %d for a build that is there" % status)
        if (status != 200 or not whole) and not named(out, out.journal):
            problems.append("the journal does not name the injected %s" %
                            out.fault)
        return problems










SCENARIOS = [
    BridgePush("bridge-push"),
    BridgeWeb("bridge-page", "/builds/acme-app/" + FIRST, False),
    BridgeWeb("bridge-stream", "/builds/acme-app/%s.log" % SECOND, True),
    MmbuildBuild("mmbuild-build"),
    MmbuildSupersede("mmbuild-supersede"),
    MmbuildRecovery("mmbuild-recovery"),
    Mmcleanup("mmcleanup"),
]
