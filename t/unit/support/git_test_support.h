// Test helpers for the mmbuild modules: a temporary directory per test, a
// fixture base that also turns a hang into a failure, job files, and real
// git repositories made with the git CLI (a bare "remote" with branches and
// tags, and a work clone to commit and push from).
#ifndef MIXMASTER_T_UNIT_GIT_TEST_SUPPORT_H_
#define MIXMASTER_T_UNIT_GIT_TEST_SUPPORT_H_

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "git/git_checkout.h"
#include "process/process.h"

namespace mm {
namespace testing_support {

inline std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command line made by the test (never from test data under
// scrutiny) and returns its stdout without the trailing newline; a failure
// fails the test.
inline std::string Sh(const std::string& command) {
  std::string full = "{ " + command + " ; } 2>&1";
  FILE* p = popen(full.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = p ? pclose(p) : -1;
  EXPECT_EQ(rc, 0) << command << "\n" << out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteAll(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// A fresh directory under /tmp, removed with everything in it at the end.
class TempDir {
 public:
  // `base` is where: another filesystem than /tmp for tests that need one.
  explicit TempDir(const std::string& base = "/tmp") {
    std::string tmpl = base + "/mm_unit.XXXXXX";
    path_ = mkdtemp(&tmpl[0]) ? tmpl : "";
  }
  ~TempDir() {
    if (!path_.empty()) Sh("rm -rf " + Quote(path_));
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

// The base of fixtures whose tests run programs: a fresh directory (tmp_,
// its path dir_), and an alarm that ends a test that hangs as a failed run
// instead of leaving the run stuck.
class ScratchDirTest : public ::testing::Test {
 protected:
  ScratchDirTest() { alarm(120); }
  ~ScratchDirTest() override { alarm(0); }

  TempDir tmp_;
  const std::string dir_ = tmp_.path();
};

// A job file's text for project `project` (a [job] as mmbuild(1) reads it).
inline std::string JobText(const std::string& id,
                           const std::string& project = "acme/app") {
  return "[job]\nid = " + id + "\nscm = git\nproject = " + project +
         "\nrepositoryUrl = /srv/app.git\ntarget = main\n";
}

// A bare repository `remote.git` with branches main and other, tags v1
// (annotated) and v1-light, and a work clone `work` to make more commits.
class GitRemote {
 public:
  explicit GitRemote(const std::string& dir)
      : bare_(dir + "/remote.git"), work_(dir + "/work") {
    Sh("git init -q --bare -b main " + Quote(bare_));
    Sh("git init -q -b main " + Quote(work_));
    Git("remote add origin " + Quote(bare_));
    first_ = Commit("README", "first\n", "first commit");
    Git("tag -a v1 -m 'version 1'");
    Git("tag v1-light");
    Git("push -q origin main --tags");
    Git("checkout -q -b other");
    other_ = Commit("other.txt", "other\n", "on other");
    Git("push -q origin other");
    Git("checkout -q main");
  }

  // Runs git in the work clone.
  std::string Git(const std::string& args) {
    return Sh("git -C " + Quote(work_) +
              " -c user.name=Tester -c user.email=tester@example.org " + args);
  }
  // Writes `file`, commits it on the current branch, returns the commit id.
  std::string Commit(const std::string& file, const std::string& content,
                     const std::string& message) {
    std::string path = work_ + "/" + file;
    Sh("mkdir -p " + Quote(path.substr(0, path.rfind('/'))));
    WriteAll(path, content);
    Git("add " + Quote(file));
    Git("commit -q -m " + Quote(message));
    return Git("rev-parse HEAD");
  }
  std::string Push(const std::string& branch = "main") {
    Git("push -q origin " + branch);
    return Git("rev-parse HEAD");
  }

  const std::string& url() const { return bare_; }
  const std::string& first() const { return first_; }
  const std::string& other() const { return other_; }

 private:
  std::string bare_, work_, first_, other_;
};

// The checkout and workspace tests' fixture: a GitRemote and a request to
// check its main out into <tmp>/project/main with CheckOut, as mmbuild does.
class CheckoutTest : public ::testing::Test {
 protected:
  CheckoutTest() : remote_(tmp_.path()) {
    request_.repository_url = remote_.url();
    request_.target = "main";
    request_.project_dir = tmp_ / "project";
    request_.workspace = tmp_ / "project/main";
    request_.known_hosts = tmp_ / "known_hosts";
  }

  // Runs CheckOut; lines_ gets its log lines ("$ git ...", "# ..."). A
  // failure fails the test unless `err` is given to take the message.
  bool Run(std::string* err = nullptr) {
    lines_.clear();
    std::string why;
    bool ok = CheckOut(
        request_,
        [this](char m, const std::string& t) {
          lines_.push_back(std::string(1, m) + " " + t);
        },
        &result_, &why);
    if (err) *err = why;
    EXPECT_TRUE(ok || err) << why;
    return ok;
  }
  std::string Head() {
    return Sh("git -C " + Quote(request_.workspace) + " rev-parse HEAD");
  }
  std::string File(const std::string& name) {
    return ReadAll(request_.workspace + "/" + name);
  }

  TempDir tmp_;
  GitRemote remote_;
  CheckoutRequest request_;
  CheckoutResult result_;
  std::vector<std::string> lines_;
};

// `git daemon` serving the repositories under `base` over git:// on a free
// loopback port: a smart transport, unlike a path, which libgit2 reads
// directly (and which therefore hands out every object).
class GitDaemon {
 public:
  explicit GitDaemon(const std::string& base) {
    for (int attempt = 0; attempt < 10 && port_ == 0; ++attempt) {
      int port = FreePort();
      ProcessSpec spec;
      spec.argv = {"git",
                   "daemon",
                   "--export-all",
                   "--reuseaddr",
                   "--base-path=" + base,
                   "--listen=127.0.0.1",
                   "--port=" + std::to_string(port),
                   base};
      std::string err;
      if (!daemon_.Start(spec, &err)) break;
      // Ready once it accepts a connection; at most 5 s.
      for (int i = 0; i < 500 && daemon_.Running(); ++i) {
        if (Accepts(port)) {
          port_ = port;
          break;
        }
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, nullptr);
      }
      if (port_ == 0) daemon_.Stop();
    }
    EXPECT_NE(port_, 0) << "git daemon did not start";
  }
  std::string Url(const std::string& repo) const {
    return "git://127.0.0.1:" + std::to_string(port_) + "/" + repo;
  }

 private:
  static int FreePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    close(fd);
    return ntohs(addr.sin_port);
  }
  static bool Accepts(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }

  BackgroundProcess daemon_;
  int port_ = 0;
};

}  // namespace testing_support
}  // namespace mm

#endif  // MIXMASTER_T_UNIT_GIT_TEST_SUPPORT_H_
