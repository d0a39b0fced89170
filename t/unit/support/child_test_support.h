// Running a check in a forked child: for what must not touch the test
// process (a sandbox, given up for good) and for what may hang (a bridge
// that streams for ever, a FIFO opened for reading), so that a hang fails
// the test instead of stopping the suite.
#ifndef MIXMASTER_T_UNIT_CHILD_TEST_SUPPORT_H_
#define MIXMASTER_T_UNIT_CHILD_TEST_SUPPORT_H_

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "base/clock.h"

namespace mm {
namespace testing_support {

// What `body`, run in a forked child, returned. `*ended` is false when the
// child did not exit 0 within `seconds` (it is then killed).
inline std::string InChild(const std::function<std::string()>& body,
                           double seconds, bool* ended) {
  int out[2];
  *ended = false;
  if (pipe(out) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    std::string result = body();
    ssize_t n = write(out[1], result.data(), result.size());
    _exit(n == static_cast<ssize_t>(result.size()) ? 0 : 1);
  }
  close(out[1]);
  std::string result;
  const double until = MonotonicSeconds() + seconds;
  bool eof = false;
  while (!eof) {
    int left = static_cast<int>((until - MonotonicSeconds()) * 1000);
    struct pollfd pfd = {out[0], POLLIN, 0};
    if (left <= 0 || poll(&pfd, 1, left) != 1) break;
    char buf[4096];
    ssize_t n = read(out[0], buf, sizeof buf);
    if (n > 0) result.append(buf, n);
    eof = n <= 0;
  }
  close(out[0]);
  if (!eof) kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  *ended = eof && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return result;
}

}  // namespace testing_support
}  // namespace mm

#endif  // MIXMASTER_T_UNIT_CHILD_TEST_SUPPORT_H_
