#include "setup/setup_probe.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>

#include "base/fsutil.h"

namespace mm {
namespace {

using Outcome = VersionProbe::Outcome;

// A listening socket on 127.0.0.1 and a port the kernel chose.
class Listener {
 public:
  Listener() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a = {};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    EXPECT_EQ(bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), size), 0);
    EXPECT_EQ(listen(fd_.get(), 4), 0);
    getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &size);
    port_ = ntohs(a.sin_port);
  }
  int port() const { return port_; }
  ListenAddress address() const { return ListenAddress{"127.0.0.1", port_}; }
  void Close() { fd_.Reset(); }

  // Accepts one connection in a thread, reads the request, then does `act`
  // with the connection; returns the probe's result.
  VersionProbe ProbeServedBy(const std::function<void(int)>& act,
                             double timeout = 5) {
    std::string request;
    std::thread server([&] {
      UniqueFd c(accept(fd_.get(), nullptr, nullptr));
      char buf[4096];
      ssize_t n = read(c.get(), buf, sizeof buf);
      if (n > 0) request.assign(buf, static_cast<size_t>(n));
      act(c.get());
    });
    VersionProbe p = ProbeVersion(address(), timeout);
    server.join();
    request_ = request;
    return p;
  }
  const std::string& request() const { return request_; }

 private:
  UniqueFd fd_;
  int port_ = 0;
  std::string request_;
};

void Answer(int fd, const std::string& text) {
  ASSERT_TRUE(WriteAll(fd, text.data(), text.size()));
}

TEST(SetupProbeTest, ProbesLoopbackWhenTheSocketListensOnEveryAddress) {
  EXPECT_EQ(ProbeHost(ListenAddress{"", 8585}), "127.0.0.1");
  EXPECT_EQ(ProbeHost(ListenAddress{"0.0.0.0", 8585}), "127.0.0.1");
  EXPECT_EQ(ProbeHost(ListenAddress{"::", 8585}), "::1");
  EXPECT_EQ(ProbeHost(ListenAddress{"192.0.2.7", 8585}), "192.0.2.7");
  EXPECT_EQ(ProbeHost(ListenAddress{"::1", 8585}), "::1");
}

TEST(SetupProbeTest, AnAnswerOf200GivesTheVersion) {
  Listener l;
  VersionProbe p = l.ProbeServedBy([](int fd) {
    Answer(fd,
           "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
           "Content-Length: 6\r\nConnection: close\r\n\r\n0.1.0\n");
  });
  EXPECT_EQ(p.outcome, Outcome::kAnswered);
  EXPECT_EQ(p.text, "0.1.0");
  EXPECT_EQ(l.request(), "GET /version HTTP/1.0\r\nHost: 127.0.0.1:" +
                             std::to_string(l.port()) +
                             "\r\nUser-Agent: mmsetup\r\n\r\n");
  EXPECT_EQ(DescribeProbe(l.address(), p),
            "127.0.0.1:" + std::to_string(l.port()) +
                " answers GET /version with 0.1.0");
}

TEST(SetupProbeTest,
     AConnectionClosedOrResetBeforeAnyAnswerSaysTheBridgeDidNotRun) {
  Listener l;
  VersionProbe closed = l.ProbeServedBy([](int) {});
  EXPECT_EQ(closed.outcome, Outcome::kNoAnswer);
  EXPECT_EQ(closed.text, "closed before any answer");
  EXPECT_NE(DescribeProbe(l.address(), closed)
                .find("the connection was closed before any answer, so the "
                      "bridge instance it started did not run"),
            std::string::npos);

  // What systemd does when the instance it started failed at once: the
  // connection is closed with data unread, which the kernel makes a reset.
  VersionProbe reset = l.ProbeServedBy([](int fd) {
    struct linger hard = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  });
  EXPECT_EQ(reset.outcome, Outcome::kNoAnswer);
  EXPECT_NE(DescribeProbe(l.address(), reset).find("the connection was reset"),
            std::string::npos);
}

TEST(SetupProbeTest, AnotherAnswerIsNamedWithItsStatusLine) {
  Listener l;
  VersionProbe p = l.ProbeServedBy([](int fd) {
    Answer(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  });
  EXPECT_EQ(p.outcome, Outcome::kBadAnswer);
  EXPECT_EQ(p.text, "HTTP/1.1 404 Not Found");
  EXPECT_NE(DescribeProbe(l.address(), p)
                .find("was answered `HTTP/1.1 404 Not Found`, not 200 and a "
                      "version: is it Mixmaster that listens there?"),
            std::string::npos);

  VersionProbe garbage =
      l.ProbeServedBy([](int fd) { Answer(fd, "SSH-2.0-OpenSSH\r\n"); });
  EXPECT_EQ(garbage.outcome, Outcome::kBadAnswer);
  EXPECT_EQ(garbage.text, "SSH-2.0-OpenSSH");
}

TEST(SetupProbeTest, NothingListeningIsRefused) {
  Listener l;
  ListenAddress address = l.address();
  l.Close();
  VersionProbe p = ProbeVersion(address, 5);
  EXPECT_EQ(p.outcome, Outcome::kRefused);
  EXPECT_EQ(
      DescribeProbe(address, p),
      "nothing listens on " + address.ListenStream() + " (connection refused)");
}

TEST(SetupProbeTest, NoAnswerWithinTheTimeIsATimeout) {
  Listener l;
  VersionProbe p = l.ProbeServedBy([](int) { usleep(600 * 1000); }, 0.3);
  EXPECT_EQ(p.outcome, Outcome::kTimedOut);
  EXPECT_NE(DescribeProbe(l.address(), p).find("no answer within the time"),
            std::string::npos);
}

TEST(SetupProbeTest, APortHeldByAnotherProcessIsInUse) {
  Listener l;
  EXPECT_TRUE(PortInUse(l.address()));
  // Every address, as `ListenStream=PORT` binds it, collides with it too.
  EXPECT_TRUE(PortInUse(ListenAddress{"", l.port()}));
  ListenAddress freed = l.address();
  l.Close();
  EXPECT_FALSE(PortInUse(freed));
}

TEST(SetupProbeTest, TheSocketFailureIsExplained) {
  ListenAddress a{"127.0.0.1", 9000};
  EXPECT_EQ(SocketFailureReason("not-found", "inactive", false, a),
            "the unit mixmaster-bridge.socket is not installed where your "
            "user manager looks (install it: make install "
            "PREFIX=$HOME/.local UNITDIR=$HOME/.local/share/systemd/user)");
  EXPECT_EQ(SocketFailureReason("loaded", "failed", true, a),
            "127.0.0.1:9000 is already in use by another program (`ss -ltnp "
            "'sport = :9000'` shows which): stop it, or choose another port "
            "with mmsetup --port");
  // The socket's own port is in use by the socket itself.
  EXPECT_EQ(SocketFailureReason("loaded", "active", true, a), "");
  EXPECT_EQ(SocketFailureReason("loaded", "failed", false, a), "");
}

TEST(SetupProbeTest, TheKeepFailedDropInIsARuntimeOneOfTheBridgeTemplate) {
  EXPECT_EQ(KeepFailedDropIn("/run/user/1000"),
            "/run/user/1000/systemd/user/mixmaster-bridge@.service.d/"
            "mmsetup-probe.conf");
  EXPECT_NE(
      std::string(kKeepFailedDropInText).find("[Unit]\nCollectMode=inactive\n"),
      std::string::npos);
}

TEST(SetupProbeTest, FailedBridgeInstancesAreTakenFromListUnits) {
  EXPECT_EQ(
      FailedBridgeInstances({
          "mixmaster-bridge@3-127.0.0.1:8585-127.0.0.1:40000.service loaded "
          "failed failed Mixmaster webhook bridge (one connection)",
          "mixmaster.service loaded failed failed Mixmaster builds",
          "mixmaster-bridge.socket loaded failed failed Mixmaster webhook "
          "socket",
          "",
      }),
      std::vector<std::string>(
          {"mixmaster-bridge@3-127.0.0.1:8585-127.0.0.1:40000.service"}));
}

}  // namespace
}  // namespace mm
