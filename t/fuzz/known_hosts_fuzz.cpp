// known_hosts parsing (known_hosts.h): the first line is `host port
// base64-key`, the rest the file's text.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <sstream>

#include "fuzz_input.h"
#include "git/known_hosts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm_fuzz::Input input(data, size);
  std::istringstream first(input.Line());
  std::string host, key;
  int port = 22;
  first >> host >> port >> key;
  std::string blob;
  mm::DecodeBase64(key, &blob);
  mm::MatchKnownHost(input.Rest(), host, port, blob);
  return 0;
}
