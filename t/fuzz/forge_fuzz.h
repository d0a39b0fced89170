// One payload mapper (forge.h) on arbitrary bytes: the first line is the
// event header's value, the rest the body. Included by one file per format,
// which defines MM_FUZZ_FORMAT.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "forge/forge.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm_fuzz::Input input(data, size);
  std::string event = input.Line();
  mm::BuildRequest request;
  mm::PayloadVerdict verdict =
      mm::ReadPayload(mm::Forge::MM_FUZZ_FORMAT, event, input.Rest(), &request);
  // A build names what it builds; any other verdict says why not.
  if (verdict.build() && (request.repository_url.empty() ||
                          request.project.empty() || request.target.empty()))
    abort();
  if (!verdict.build() && verdict.message.empty()) abort();
  return 0;
}
