# idle_flood.py PORT CGROUP-ROOT POST-FILE SIGNATURE [N]: opens N (1,000)
# connections from 127.0.0.2 to 127.0.0.1:PORT that send nothing, then, while
# they are held, POSTs POST-FILE to / from 127.0.0.1 (signed) and measures
# the memory of every mmbridge process under CGROUP-ROOT (the user manager's
# tree). Prints `key value` lines: opened, refused, status, forge_seconds,
# bridges, rss_kib, pss_kib (the most seen while the flood is held).
import http.client, os, socket, sys, time

port, cgroup_root, post_file, signature = sys.argv[1:5]
count = int(sys.argv[5]) if len(sys.argv) > 5 else 1000


def bridge_pids():
    pids = set()
    for directory, _, files in os.walk(cgroup_root):
        if "cgroup.procs" in files:
            with open(os.path.join(directory, "cgroup.procs")) as f:
                pids.update(int(p) for p in f.read().split())
    out = []
    for pid in pids:
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() == "mmbridge":
                    out.append(pid)
        except OSError:
            pass
    return out


def kib(pid, path, key):
    try:
        with open("/proc/%d/%s" % (pid, path)) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


idle = []
for _ in range(count):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", int(port)))
        idle.append(s)
    except OSError:
        s.close()
print("opened", len(idle))
time.sleep(2)  # the manager accepts (or refuses) the backlog
# A refused connection was accepted and closed by the manager: it reads EOF.
refused = 0
for s in idle:
    s.setblocking(False)
    try:
        if s.recv(1) == b"":
            refused += 1
    except BlockingIOError:
        pass
    except OSError:
        refused += 1
print("refused", refused)
with open(post_file, "rb") as f:
    body = f.read()
start = time.monotonic()
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30,
                                  source_address=("127.0.0.1", 0))
conn.request("POST", "/", body, {"Content-Type": "application/json",
                                 "X-Hub-Signature-256": "sha256=" + signature})
print("status", conn.getresponse().status)
print("forge_seconds", "%.2f" % (time.monotonic() - start))
# The most instances, and their memory, seen while the flood is held.
# RSS counts the pages the instances share (the static binary) once per
# instance, PSS divides them among the sharers.
most, most_rss, most_pss = 0, 0, 0
for _ in range(10):
    pids = bridge_pids()
    most = max(most, len(pids))
    most_rss = max(most_rss, sum(kib(p, "status", "VmRSS:") for p in pids))
    most_pss = max(most_pss, sum(kib(p, "smaps_rollup", "Pss:") for p in pids))
    time.sleep(0.3)
print("bridges", most)
print("rss_kib", most_rss)
print("pss_kib", most_pss)
for s in idle:
    s.close()
