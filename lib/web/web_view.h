// The web view of mmbridge(1) WEB VIEW: history pages, raw logs (streamed
// while the build runs) and status badges, read-only, from the build logs
// alone (lib/job/build_history). The bridge hands a request here only when its
// path is one of the view's, so a webhook request costs nothing more.
#ifndef MIXMASTER_WEB_VIEW_H_
#define MIXMASTER_WEB_VIEW_H_

#include <string>

#include "http/http_request.h"
#include "job/config.h"

namespace mm {

// True for /builds, /builds/... and /badge/... .
bool IsWebViewPath(const std::string& path);

struct WebViewOptions {
  // How long a running build's raw log is streamed at most; after it the
  // response ends even without [result] (see LiveLogSeconds).
  double stream_seconds = 3600;
  // How often a streamed log is looked at for new lines.
  double poll_seconds = 0.25;
};

// What was answered, for the bridge's journal line.
struct WebViewAnswer {
  int status = 200;
  std::string note;  // what was shown, or why not
  std::string err;   // set when the response could not be (fully) written
};

// Answers `request` (its head read) on `out_fd`, writing the response
// itself: pages and badges with a Content-Length, a running build's log
// chunked until its [result]. `in_fd` is watched so that a client that hangs
// up ends a stream. A view that is off (`webView`) is a 404.
WebViewAnswer ServeWebView(const Config& config, const HttpRequest& request,
                           int in_fd, int out_fd,
                           const WebViewOptions& options);

}  // namespace mm

#endif  // MIXMASTER_WEB_VIEW_H_
