// An HTTP(S) client for the commit statuses (mmbuild(1) COMMIT STATUSES),
// on Debian's libcurl. Only mmbuild links it: mmbridge stays small.
#ifndef MIXMASTER_HTTP_CLIENT_H_
#define MIXMASTER_HTTP_CLIENT_H_

#include <string>
#include <vector>

namespace mm {

struct HttpAnswer {
  long status = 0;   // the HTTP status code
  std::string body;  // at most the first 4 KiB
};

struct HttpPostOptions {
  long timeout_ms = 10000;  // the whole request, connection included
  // A PEM file of the CAs to trust instead of the system's; empty: the
  // system's (mmbuild takes it from $CURL_CA_BUNDLE).
  std::string ca_bundle;
};

// POSTs `body` to `url` (http or https only; redirects are not followed, so
// the headers, which may carry a token, go nowhere else). True when an
// answer came, whatever its status; false with `err` when none did
// (refused, timed out, bad certificate).
bool HttpPost(const std::string& url, const std::vector<std::string>& headers,
              const std::string& body, const HttpPostOptions& options,
              HttpAnswer* answer, std::string* err);

// Who sends the commit statuses' requests: HttpPost in mmbuild, a recorder
// in the tests of what is sent.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // As HttpPost.
  virtual bool Post(const std::string& url,
                    const std::vector<std::string>& headers,
                    const std::string& body, HttpAnswer* answer,
                    std::string* err) = 0;
};

// HttpPost with `options`.
class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(const HttpPostOptions& options) : options_(options) {}
  bool Post(const std::string& url, const std::vector<std::string>& headers,
            const std::string& body, HttpAnswer* answer,
            std::string* err) override {
    return HttpPost(url, headers, body, options_, answer, err);
  }

 private:
  HttpPostOptions options_;
};

}  // namespace mm

#endif  // MIXMASTER_HTTP_CLIENT_H_
