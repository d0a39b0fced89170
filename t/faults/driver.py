"""The runs of `make faults` (t/faults/run): a scenario run in a directory
made afresh from its template, under strace, its request on a loopback
socket for mmbridge, the recovery mmbuild after it, the processes it left
(found by their HOME), and the recording and injection of its points.
"""

import concurrent.futures
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import checks
import points as pts
import scenarios as sc

RESULT_TEXT = ("12:00:05 # Build finished\n\n[result]\nstatus = success\n"
               "exitCode = 0\nfinished = 2026-11-25T12:00:05Z\n"
               "duration = 4.084\n")
KEEP_FAILED = 50

# CI's sample (--sample): every injection of the spool write, every
# SAMPLE-th of the other scenarios.
SAMPLE = 20


class Worker:
    """One slot of the driver: its directory, its SMTP server and fake
    forge, its templates."""

    def __init__(self, root, n, shared_env):
        self.dir = os.path.join(root, "w%d" % n)
        os.makedirs(self.dir)
        out = subprocess.run([checks.FIXTURE, "servers", self.dir], check=True,
                             capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout
        self.env = dict(shared_env)
        self.env.update(line.split("=", 1) for line in out.splitlines())
        self.mail_seen = set()
        self.forge_offset = 0
        self.templates = {}

    def template(self, scenario):
        if scenario.name not in self.templates:
            home = os.path.join(self.dir, "templates", scenario.name, "home")
            env = dict(os.environ)
            env.update(self.env)
            subprocess.run([checks.FIXTURE, "template", scenario.name, home],
                           check=True, env=env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL)
            self.templates[scenario.name] = home
        return self.templates[scenario.name]

    def stop(self):
        for key in ("MM_SMTP_PID", "FORGE_PID"):
            try:
                os.kill(int(self.env[key]), signal.SIGTERM)
            except (KeyError, ValueError, ProcessLookupError):
                pass


def clean_env(home):
    return {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "TMPDIR": os.path.join(home, "tmp"),
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
            "USER": "root", "LOGNAME": "root"}


def processes_of(home):
    """Pids of the processes whose HOME is `home`: the run's own."""
    token = ("HOME=%s\0" % home).encode()
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % pid, "rb") as f:
                if token in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


def kill_all(home):
    for pid in processes_of(home):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def left_behind(home, wait):
    """The processes of the run still there after `wait` seconds, killed."""
    until = time.monotonic() + wait
    while True:
        pids = processes_of(home)
        if not pids or time.monotonic() >= until:
            break
        time.sleep(0.05)
    names = []
    for pid in pids:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                names.append(f.read().replace(b"\0", b" ").decode().strip())
        except OSError:
            pass
    kill_all(home)
    return names


class Driver:
    def __init__(self, args):
        self.args = args
        self.root = tempfile.mkdtemp(prefix="mmfaults.", dir=args.dir)
        # Copies, so that a rebuild meanwhile cannot pull the programs away.
        self.bin = os.path.join(self.root, "bin")
        os.makedirs(self.bin)
        for name in ("mmbridge", "mmbuild", "mmcleanup"):
            shutil.copy2(os.path.join(args.bin, name), self.bin)
        self.failed_dir = os.path.join(self.root, "failed")
        self.lock = threading.Lock()
        self.kept = 0
        self.deadline = (time.monotonic() + args.max_minutes * 60
                         if args.max_minutes else None)
        out = subprocess.run([checks.FIXTURE, "remote", self.root], check=True,
                             capture_output=True, text=True,
                             stdin=subprocess.DEVNULL).stdout
        shared = dict(line.split("=", 1) for line in out.splitlines())
        shared["MM_BIN"] = self.bin
        self.workers = [Worker(self.root, n, shared)
                        for n in range(max(1, args.jobs))]
        self.free = queue.Queue()
        for w in self.workers:
            self.free.put(w)

    def stop(self):
        for w in self.workers:
            w.stop()

    # One run ------------------------------------------------------------

    def execute(self, scenario, worker, strace, run_dir):
        """Runs `scenario` in `run_dir` (made afresh from the template) with
        the strace arguments `strace`; returns (home, Outcome, problems)."""
        shutil.rmtree(run_dir, ignore_errors=True)
        home = os.path.join(run_dir, "home")
        shutil.copytree(worker.template(scenario), home, symlinks=True)
        env = clean_env(home)
        env.update(scenario.env)
        err_path = os.path.join(run_dir, "journal")
        out = sc.Outcome()
        argv = ["strace"] + strace + ["--", os.path.join(self.bin,
                                                         scenario.program)]
        argv += list(scenario.args)
        problems = []
        with open(err_path, "wb") as err:
            st = os.fstat(err.fileno())
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
            hung = not self.run_program(scenario, argv, env, run_dir, err, out)
        if hung:
            problems.append("hung: stopped after %g s" % self.args.timeout)
        with open(err_path, errors="replace") as f:
            out.journal = "".join(line for line in f
                                  if not line.startswith("strace: "))
        if scenario.recovery:
            try:
                r = subprocess.run([os.path.join(self.bin, "mmbuild")],
                                   env=clean_env(home), cwd=run_dir,
                                   stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True,
                                   timeout=self.args.timeout)
                out.recovery_exit, out.recovery_journal = r.returncode, r.stderr
            except subprocess.TimeoutExpired:
                kill_all(home)
                problems.append("the recovery mmbuild hung")
        left = left_behind(home, 5)
        if left:
            problems.append("left behind: " + "; ".join(left))
        out.mails, worker.mail_seen = checks.read_mail_ids(
            worker.env["MM_MAILDIR"], worker.mail_seen)
        out.statuses = self.new_statuses(worker)
        return home, out, problems

    def run_program(self, scenario, argv, env, run_dir, err, out):
        """Runs it (with its request on a loopback socket for mmbridge);
        False when it had to be stopped at the timeout."""
        request = scenario.request()
        home = env["HOME"]
        conn = client = None
        if request is not None:
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            client = socket.create_connection(listener.getsockname())
            conn, _ = listener.accept()
            listener.close()
            stdin = stdout = conn.fileno()
        else:
            stdin, stdout = subprocess.DEVNULL, err
        proc = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=err,
                                env=env, cwd=run_dir)
        ok = True
        if conn is not None:
            conn.close()
            client.settimeout(self.args.timeout)
            out.response = self.talk(scenario, client, home)
            client.close()
        try:
            proc.wait(timeout=self.args.timeout)
        except subprocess.TimeoutExpired:
            ok = False
            kill_all(home)
            proc.kill()
            proc.wait()
        out.exit = proc.returncode
        return ok

    def talk(self, scenario, client, home):
        """Sends the request and reads the response to its end; for the
        streamed log, the build ends (its [result] appended) once the
        first bytes have come."""
        got = b""
        try:
            client.sendall(scenario.request())
            appended = False
            while True:
                chunk = client.recv(65536)
                if not chunk:
                    break
                got += chunk
                if getattr(scenario, "stream", False) and not appended and \
                        b"O hello" in got:
                    appended = True
                    log = os.path.join(home, "Builds", "acme-app", "JOBS",
                                       sc.SECOND + ".log")
                    with open(log, "a") as f:
                        f.write(RESULT_TEXT)
        except OSError:
            pass
        return got

    def new_statuses(self, worker):
        states = []
        path = worker.env["FORGE_LOG"]
        with open(path) as f:
            f.seek(worker.forge_offset)
            for line in f:
                body = json.loads(line).get("body")
                if isinstance(body, dict):
                    states.append(body.get("state"))
            worker.forge_offset = f.tell()
        return states

    def keep(self, scenario, run_dir, label, problems, out):
        with self.lock:
            self.kept += 1
            n = self.kept
        if n > KEEP_FAILED:
            return None
        dest = os.path.join(self.failed_dir, "%s-%d" % (scenario.name, n))
        os.makedirs(self.failed_dir, exist_ok=True)
        shutil.move(run_dir, dest)
        with open(os.path.join(dest, "why"), "w") as f:
            f.write("%s\n%s\n\nexit %s\n%s\nrecovery exit %s\n%s\n" %
                    (label, "\n".join(problems), out.exit, out.journal,
                     out.recovery_exit, out.recovery_journal))
        return dest

    # Recording and injection --------------------------------------------

    def record(self, scenario, worker, name):
        run_dir = os.path.join(worker.dir, name)
        prefix = os.path.join(worker.dir, name + "-trace", "call")
        shutil.rmtree(os.path.dirname(prefix), ignore_errors=True)
        os.makedirs(os.path.dirname(prefix))
        strace = ["-f", "-ff", "-b", "execve", "-qq", "-y", "-s", "4096",
                  "-o", prefix, "-e", "trace=" + ",".join(pts.SYSCALLS)]
        home, out, problems = self.execute(scenario, worker, strace, run_dir)
        problems += checked(scenario, home, out)
        calls = pts.read_recording(prefix)
        return run_dir, calls, problems, out

    def inject(self, scenario, point, fault, worker):
        run_dir = os.path.join(worker.dir, "run")
        trace = os.path.join(worker.dir, "trace")
        action = "signal=KILL" if fault == "KILL" else "error=" + fault
        strace = ["-f", "-b", "execve", "-q", "-y", "-s", "256", "-o", trace,
                  "-e", "trace=%s,prctl" % point.syscall]
        if point.path:
            strace += ["-P", point.path.replace("{RUN}", run_dir)]
        strace += ["-e", "inject=%s:%s:when=%d" % (point.syscall, action,
                                                   point.when)]
        home, out, problems = self.execute(scenario, worker, strace, run_dir)
        out.fault = fault
        with open(trace, errors="replace") as f:
            failed, killed, watcher_killed = pts.injected(f)
        if watcher_killed:
            # The runner's watcher killed too (a point of both): what it
            # would have stopped may live on; under systemd the service's
            # control group stops it (mmbuild(1) KILLED RUNNER).
            problems = [p for p in problems if not p.startswith("left behind")]
        hits = killed if fault == "KILL" else failed
        out.hits = hits
        if hits:
            problems += checked(scenario, home, out)
        label = "%s: %s at %s" % (scenario.name, fault, point.describe())
        kept = None
        if problems:
            kept = self.keep(scenario, run_dir, label, problems, out)
        reached = bool(hits)
        moved = reached and not any(
            signature(h, run_dir) == signature(point.call.text)
            for h in hits)
        return label, problems, reached, moved, kept

    def scenario(self, scenario, table):
        started = time.monotonic()
        w0 = self.workers[0]
        run_a, first, problems_a, _ = self.record(scenario, w0, "run")
        run_b, second, problems_b, _ = self.record(scenario, w0, "rec2")
        for label, problems in (("recording", problems_a),
                                ("second recording", problems_b)):
            for p in problems:
                print("FAIL %s: %s (no fault injected): %s" %
                      (scenario.name, label, p), flush=True)
        found = pts.points(
            {r: [normalize_call(c, run_a) for c in cs]
             for r, cs in first.items()},
            {r: [normalize_call(c, run_b) for c in cs]
             for r, cs in second.items()})
        calls = sum(1 for cs in first.values() for c in cs
                    if c.name in pts.SYSCALLS)
        runs = [(p, f) for p in found for f in p.call.errnos() + ["KILL"]]
        stride = self.stride(scenario)
        runs = runs[stride[1]::stride[0]]
        row = {"calls": calls, "points": len(found), "runs": {},
               "failed": len(problems_a) + len(problems_b),
               "unreached": 0, "moved": 0, "skipped": 0}
        if self.args.list:
            for p in found:
                print("%s: %s  %s" % (scenario.name, p.describe(),
                                      " ".join(p.call.errnos() + ["KILL"])))
            table[scenario.name] = row
            return

        def one(run):
            point, fault = run
            if self.deadline and time.monotonic() > self.deadline:
                return None
            worker = self.free.get()
            try:
                return self.inject(scenario, point, fault, worker)
            finally:
                self.free.put(worker)

        with concurrent.futures.ThreadPoolExecutor(len(self.workers)) as ex:
            for (point, fault), result in zip(runs, ex.map(one, runs)):
                if result is None:
                    row["skipped"] += 1
                    continue
                label, problems, reached, moved, kept = result
                kind = "KILL" if fault == "KILL" else fault
                row["runs"][kind] = row["runs"].get(kind, 0) + 1
                row["unreached"] += not reached
                row["moved"] += moved
                if problems:
                    row["failed"] += 1
                    print("FAIL %s: %s%s" % (label, "; ".join(problems),
                                            " (kept in %s)" % kept
                                            if kept else ""), flush=True)
        row["seconds"] = time.monotonic() - started
        table[scenario.name] = row

    def stride(self, scenario):
        if self.args.sample:
            return (1, 0) if scenario.name == "bridge-push" else (SAMPLE, 7)
        return (self.args.stride, 0)


def checked(scenario, home, out):
    """The scenario's checks; one that cannot even look (a file that went
    away under it) is a failure of the run, not of the driver."""
    try:
        return scenario.check(home, out)
    except (OSError, ValueError) as e:
        return ["the checks could not look: %s" % e]


def normalize_call(call, run_dir):
    """A call of another run, its paths in the form of the first."""
    text = call.text.replace(run_dir, "{RUN}")
    args = [a.replace(run_dir, "{RUN}") for a in call.args]
    return pts.Call(call.name, args, call.ret, text)


def signature(text, run_dir=None):
    """The part of a call that identifies it across runs: its name and
    first argument, without addresses, inode numbers and the run's
    directory."""
    if run_dir:
        text = text.replace(run_dir, "{RUN}")
    m = re.match(r"^([a-z_0-9]+)\((.*)$", text)
    if not m:
        return text
    first = pts.split_args(m.group(2).rsplit(") = ", 1)[0])[:1]
    first = re.sub(r"0x[0-9a-f]+|\[[0-9]+\]|#[0-9]+", "#", "".join(first))
    return m.group(1) + "(" + first
