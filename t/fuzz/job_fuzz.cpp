// The job-file reader (job.h): anything it accepts is written back by
// EncodeJob and read again to the same job.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "job/job.h"

namespace {
bool Same(const mm::Job& a, const mm::Job& b) {
  return a.id == b.id && a.received == b.received && a.endpoint == b.endpoint &&
         a.scm == b.scm && a.project == b.project &&
         a.repository_url == b.repository_url && a.target == b.target &&
         a.task == b.task && a.commit == b.commit &&
         a.build_command == b.build_command && a.view_url == b.view_url &&
         a.message == b.message && a.notifications == b.notifications &&
         a.mailto == b.mailto && a.mode == b.mode && a.forge == b.forge &&
         a.status_url == b.status_url;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  mm::Job job;
  std::string err;
  if (!mm::DecodeJob(text, "fuzz.ini", &job, &err)) return 0;
  mm::Job again;
  if (!mm::DecodeJob(mm::EncodeJob(job), "again.ini", &again, &err) ||
      !Same(job, again))
    abort();
  return 0;
}
