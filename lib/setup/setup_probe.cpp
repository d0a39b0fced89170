#include "setup/setup_probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fsutil.h"
#include "base/journal.h"
#include "base/paths.h"
#include "process/process.h"
#include "setup/units.h"

namespace mm {
namespace {

// A socket address for `host` (numeric, as ParseListenAddress allows) and
// `port`; false when it is neither IPv4 nor IPv6.
bool MakeAddress(const std::string& host, int port, sockaddr_storage* address,
                 socklen_t* length) {
  *address = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(address);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    *length = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    *length = sizeof *v6;
    return true;
  }
  return false;
}

// Waits until `fd` is ready for `events` or `deadline` (MonotonicSeconds)
// has passed; false on the deadline.
bool WaitFor(int fd, short events, double deadline) {
  for (;;) {
    double left = deadline - MonotonicSeconds();
    if (left <= 0) return false;
    struct pollfd pfd = {fd, events, 0};
    int n = poll(&pfd, 1, static_cast<int>(left * 1000) + 1);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return true;  // the call after says why
  }
}

VersionProbe Probe(VersionProbe::Outcome outcome, const std::string& text) {
  VersionProbe p;
  p.outcome = outcome;
  p.text = text;
  return p;
}

// What an answer means: the version on 200, else its status line.
VersionProbe ReadAnswer(const std::string& answer) {
  using Outcome = VersionProbe::Outcome;
  size_t line_end = answer.find("\r\n");
  std::string status_line = answer.substr(0, line_end);
  size_t body = answer.find("\r\n\r\n");
  if (status_line.compare(0, 5, "HTTP/") != 0 ||
      status_line.find(' ') == std::string::npos) {
    return Probe(Outcome::kBadAnswer, Printable(status_line));
  }
  std::string code = status_line.substr(status_line.find(' ') + 1, 3);
  if (code != "200" || body == std::string::npos) {
    return Probe(Outcome::kBadAnswer, Printable(status_line));
  }
  std::string version = answer.substr(body + 4);
  while (!version.empty() &&
         (version.back() == '\n' || version.back() == '\r')) {
    version.pop_back();
  }
  return Probe(Outcome::kAnswered, Printable(version));
}

}  // namespace

std::string ProbeHost(const ListenAddress& listen) {
  if (listen.host.empty() || listen.host == "0.0.0.0") return "127.0.0.1";
  if (listen.host == "::") return "::1";
  return listen.host;
}

VersionProbe ProbeVersion(const ListenAddress& listen, double timeout_seconds) {
  using Outcome = VersionProbe::Outcome;
  const double deadline = MonotonicSeconds() + timeout_seconds;
  std::string host = ProbeHost(listen);
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(host, listen.port, &address, &length))
    return Probe(Outcome::kFailed, "`" + host + "` is not an IP address");
  UniqueFd fd(
      socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.ok()) return Probe(Outcome::kFailed, ErrnoText("socket"));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS) {
      return Probe(errno == ECONNREFUSED ? Outcome::kRefused : Outcome::kFailed,
                   strerror(errno));
    }
    if (!WaitFor(fd.get(), POLLOUT, deadline))
      return Probe(Outcome::kTimedOut, "no connection");
    int error = 0;
    socklen_t size = sizeof error;
    getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) {
      return Probe(error == ECONNREFUSED ? Outcome::kRefused : Outcome::kFailed,
                   strerror(error));
    }
  }
  std::string authority = ListenAddress{host, listen.port}.ListenStream();
  std::string request = "GET /version HTTP/1.0\r\nHost: " + authority +
                        "\r\nUser-Agent: mmsetup\r\n\r\n";
  if (!WaitFor(fd.get(), POLLOUT, deadline))
    return Probe(Outcome::kTimedOut, "cannot send");
  if (!WriteAll(fd.get(), request.data(), request.size())) {
    return Probe(errno == ECONNRESET || errno == EPIPE ? Outcome::kNoAnswer
                                                       : Outcome::kFailed,
                 strerror(errno));
  }
  std::string answer;
  char buf[4096];
  for (;;) {
    if (!WaitFor(fd.get(), POLLIN, deadline))
      return Probe(Outcome::kTimedOut, "no answer");
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n > 0) {
      answer.append(buf, static_cast<size_t>(n));
      if (answer.size() > 65536) break;  // a version is short
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0 && errno != ECONNRESET)
      return Probe(Outcome::kFailed, strerror(errno));
    if (answer.empty()) {
      return Probe(Outcome::kNoAnswer,
                   n < 0 ? "reset" : "closed before any answer");
    }
    break;
  }
  return ReadAnswer(answer);
}

std::string DescribeProbe(const ListenAddress& listen,
                          const VersionProbe& probe) {
  using Outcome = VersionProbe::Outcome;
  std::string where =
      ListenAddress{ProbeHost(listen), listen.port}.ListenStream();
  switch (probe.outcome) {
    case Outcome::kAnswered:
      return where + " answers GET /version with " + probe.text;
    case Outcome::kRefused:
      return "nothing listens on " + where + " (connection refused)";
    case Outcome::kNoAnswer:
      return "GET /version on " + where + ": the connection was " +
             (probe.text == "reset" ? "reset" : "closed") +
             " before any answer, so the bridge instance it started did not "
             "run (curl says `Connection reset by peer` or `Empty reply from "
             "server`)";
    case Outcome::kBadAnswer:
      return "GET /version on " + where + " was answered `" + probe.text +
             "`, not 200 and a version: is it Mixmaster that listens there?";
    case Outcome::kTimedOut:
      return "GET /version on " + where + ": " + probe.text +
             " within the time allowed";
    case Outcome::kFailed:
      break;
  }
  return "cannot ask " + where + " for GET /version: " + probe.text;
}

bool PortInUse(const ListenAddress& listen) {
  std::string host = listen.host.empty() ? "::" : listen.host;
  sockaddr_storage address;
  socklen_t length;
  if (!MakeAddress(host, listen.port, &address, &length)) return false;
  UniqueFd fd(socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.ok() && listen.host.empty()) {
    // No IPv6 here: every address is 0.0.0.0.
    MakeAddress("0.0.0.0", listen.port, &address, &length);
    fd = UniqueFd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  }
  if (!fd.ok()) return false;
  if (address.ss_family == AF_INET6 && listen.host.empty()) {
    // As systemd binds `ListenStream=PORT`: both IPv6 and IPv4.
    int no = 0;
    setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);
  }
  return bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 &&
         errno == EADDRINUSE;
}

std::string SocketFailureReason(const std::string& load_state,
                                const std::string& active_state,
                                bool port_in_use, const ListenAddress& listen) {
  if (load_state == "not-found") {
    return "the unit mixmaster-bridge.socket is not installed where your "
           "user manager looks (install it: make install PREFIX=$HOME/.local "
           "UNITDIR=$HOME/.local/share/systemd/user)";
  }
  if (active_state != "active" && port_in_use) {
    std::string port = std::to_string(listen.port);
    return listen.ListenStream() +
           " is already in use by another program (`ss -ltnp 'sport = :" +
           port + "'` shows which): stop it, or choose another port with " +
           "mmsetup --port";
  }
  return "";
}

const char kKeepFailedDropInText[] =
    "# Written by mmsetup while it looks at a bridge instance that failed;\n"
    "# removed at once. Keeps failed instances loaded, so that their status\n"
    "# says how they ended.\n"
    "[Unit]\nCollectMode=inactive\n";

std::string KeepFailedDropIn(const std::string& runtime_dir) {
  return JoinPath(
      runtime_dir,
      "systemd/user/mixmaster-bridge@.service.d/mmsetup-probe.conf");
}

std::vector<std::string> FailedBridgeInstances(
    const std::vector<std::string>& list_units_lines) {
  std::vector<std::string> names;
  for (const std::string& line : list_units_lines) {
    std::string name = line.substr(0, line.find(' '));
    if (name.compare(0, 17, "mixmaster-bridge@") == 0 && name.size() > 25 &&
        name.compare(name.size() - 8, 8, ".service") == 0) {
      names.push_back(name);
    }
  }
  return names;
}

namespace {

constexpr double kProbeSeconds = 20;

// `systemctl --user ARGS` for its output lines (empty when it failed).
std::vector<std::string> SystemctlLines(const std::vector<std::string>& args) {
  SystemctlResult r;
  RunSystemctl(args, &r);
  return r.started ? r.output : std::vector<std::string>();
}

std::string UnitProperty(const std::string& unit, const std::string& name) {
  std::vector<std::string> lines = SystemctlLines({"show", "-P", name, unit});
  return lines.empty() ? "" : lines[0];
}

// The bridge instances' journal lines of the last minutes, when this user
// may read them; none otherwise.
std::vector<std::string> BridgeJournal() {
  ProcessSpec spec;
  spec.argv = {
      "journalctl", "--user",  "--no-pager", "--quiet", "-n",
      "20",         "--since", "-5min",      "-u",      "mixmaster-bridge@*"};
  spec.timeout_seconds = 30;
  spec.kill_grace_seconds = 2;
  std::vector<std::string> lines;
  ProcessResult result;
  RunProcess(
      spec,
      [&lines](char, const std::string& line) {
        lines.push_back("journalctl: " + line);
      },
      &result);
  if (!result.started || result.exit_code != 0) lines.clear();
  return lines;
}

// Asks again with failed instances kept loaded, and returns their status.
std::vector<std::string> FailedInstancesStatus(const ListenAddress& listen,
                                               const std::string& runtime_dir) {
  std::vector<std::string> report;
  if (runtime_dir.empty()) return report;
  std::string dropin = KeepFailedDropIn(runtime_dir), err;
  unlink(dropin.c_str());  // one left by an mmsetup that was killed
  if (!MakeDirs(dropin.substr(0, dropin.rfind('/')), &err) ||
      !CreateFileExclusive(dropin, kKeepFailedDropInText, 0600, &err)) {
    report.push_back("cannot keep the failed instance to show it: " + err);
    return report;
  }
  SystemctlLines({"daemon-reload"});
  ProbeVersion(listen, kProbeSeconds);
  std::vector<std::string> failed = FailedBridgeInstances(
      SystemctlLines({"list-units", "--failed", "--plain", "--no-legend",
                      "--full", "mixmaster-bridge@*"}));
  if (failed.size() > 2) failed.resize(2);
  for (const std::string& unit : failed) {
    for (const std::string& line :
         SystemctlLines({"status", "--full", "--lines=10", unit})) {
      report.push_back("systemctl: " + line);
    }
  }
  unlink(dropin.c_str());
  rmdir(dropin.substr(0, dropin.rfind('/')).c_str());
  SystemctlLines({"daemon-reload"});
  SystemctlLines({"reset-failed", "mixmaster-bridge@*"});
  return report;
}

}  // namespace

std::string ExplainSocketFailure(const ListenAddress& listen) {
  std::string load = UnitProperty(kSocketUnit, "LoadState");
  std::string active = UnitProperty(kSocketUnit, "ActiveState");
  std::string reason =
      SocketFailureReason(load, active, PortInUse(listen), listen);
  if (!reason.empty()) return reason;
  return "see `systemctl --user status " + std::string(kSocketUnit) + " " +
         kPathUnit + "` and `journalctl --user -u " + kSocketUnit + "`";
}

bool CheckBridgeAnswers(const ListenAddress& listen,
                        const std::string& runtime_dir, std::string* answered,
                        std::vector<std::string>* report) {
  using Outcome = VersionProbe::Outcome;
  VersionProbe probe = ProbeVersion(listen, kProbeSeconds);
  if (probe.outcome == Outcome::kAnswered) {
    *answered = DescribeProbe(listen, probe);
    return true;
  }
  report->clear();
  report->push_back(DescribeProbe(listen, probe));
  std::vector<std::string> why;
  if (probe.outcome == Outcome::kRefused) {
    for (const std::string& line :
         SystemctlLines({"status", "--full", "--lines=10", kSocketUnit})) {
      why.push_back("systemctl: " + line);
    }
  } else if (probe.outcome != Outcome::kFailed) {
    why = FailedInstancesStatus(listen, runtime_dir);
    if (why.empty()) why = BridgeJournal();
  }
  report->insert(report->end(), why.begin(), why.end());
  return false;
}

}  // namespace mm
