#include "report/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace mm {
namespace {

constexpr size_t kMaxAnswerBytes = 4096;

struct EasyDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t KeepBody(char* data, size_t size, size_t count, void* user) {
  std::string* body = static_cast<std::string*>(user);
  size_t n = size * count;
  if (body->size() < kMaxAnswerBytes)
    body->append(data, std::min(n, kMaxAnswerBytes - body->size()));
  return n;
}

bool GlobalInit(std::string* err) {
  static const CURLcode code = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (code == CURLE_OK) return true;
  *err = std::string("libcurl: ") + curl_easy_strerror(code);
  return false;
}

}  // namespace

bool HttpPost(const std::string& url, const std::vector<std::string>& headers,
              const std::string& body, const HttpPostOptions& options,
              HttpAnswer* answer, std::string* err) {
  if (!GlobalInit(err)) return false;
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) {
    *err = "libcurl: cannot make a handle";
    return false;
  }
  curl_slist* list = nullptr;
  for (const std::string& h : headers) {
    curl_slist* grown = curl_slist_append(list, h.c_str());
    if (!grown) {
      curl_slist_free_all(list);
      *err = "libcurl: out of memory";
      return false;
    }
    list = grown;
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(list);
  // Without this, curl adds `Expect: 100-continue` to big bodies.
  curl_slist* expect = curl_slist_append(header_list.get(), "Expect:");
  if (expect) {
    header_list.release();
    header_list.reset(expect);
  }
  answer->status = 0;
  answer->body.clear();
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, options.timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, KeepBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer->body);
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
  if (!options.ca_bundle.empty())
    curl_easy_setopt(c, CURLOPT_CAINFO, options.ca_bundle.c_str());
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    *err = detail[0] ? detail : curl_easy_strerror(code);
    return false;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer->status);
  return true;
}

}  // namespace mm
