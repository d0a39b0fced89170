// The commit status of each build (mmbuild(1) COMMIT STATUSES): a
// BuildObserver (report/build_observers.h) that, for a job with `forge` and
// `statusUrl`, POSTs the start and the end of the build to the forge with the
// token the statusTokens file binds to that URL's scheme, host and port.
//
// Never in the way: a request takes at most 10 s; a refusal, a failure or an
// HTTP error is one `!` line in the build log naming the URL and the answer
// (never the token), and nothing here changes the build's result.
#ifndef MIXMASTER_STATUS_NOTIFIER_H_
#define MIXMASTER_STATUS_NOTIFIER_H_

#include <time.h>

#include <string>

#include "base/clock.h"
#include "forge/commit_status.h"
#include "job/config.h"
#include "report/build_observers.h"
#include "report/http_client.h"

namespace mm {

class StatusNotifier : public BuildObserver {
 public:
  // Keeps the settings it needs (publicUrl, statusTokens). `clock` measures
  // the build for the description and must outlive this.
  // `http` sends the requests and must outlive this.
  StatusNotifier(const Config& config, HttpClient& http,
                 const Clock& clock = SystemClock());

  void OnEvent(const BuildReport& report, BuildLog* log) override;

 private:
  // Decides, at the start, whether and where this build's statuses go.
  bool Prepare(const BuildReport& report, BuildLog* log);
  void Finish(const BuildReport& report, BuildLog* log);
  void Send(const StatusFacts& facts, BuildLog* log) const;

  std::string public_url_;
  std::string tokens_path_;
  HttpClient& http_;
  const Clock& clock_;

  // The build running now.
  bool active_ = false;
  Forge forge_ = Forge::kNone;
  std::string url_;
  std::string token_;
  StatusFacts facts_;
  struct timespec started_ = {0, 0};
};

}  // namespace mm

#endif  // MIXMASTER_STATUS_NOTIFIER_H_
