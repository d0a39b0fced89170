// The HTTP request reader (http_request.h) on arbitrary bytes from a file
// descriptor, as mmbridge reads a connection: head, then body.
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "http/http_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
  mm::UniqueFd in(memfd_create("request", MFD_CLOEXEC));
  if (!in.ok() ||
      !mm::WriteAll(in.get(), reinterpret_cast<const char*>(data), size))
    return 0;
  lseek(in.get(), 0, SEEK_SET);
  mm::HttpReadLimits limits;
  limits.timeout_seconds = 5;
  mm::HttpRequestReader reader(in.get(), null_fd, limits);
  mm::HttpRequest request;
  mm::HttpError error;
  if (!reader.ReadHead(&request, &error)) return 0;
  request.Header("content-type");
  reader.ReadBody(1 << 20, &request, &error);
  return 0;
}
