// Mail header encoding (mail_header.h): whatever the text, the header is
// one header (every line after the first starts with a blank), and a
// checked address never holds a line break, comma or semicolon.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "report/mail_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mm_fuzz::Input input(data, size);
  std::string address = input.Line();
  std::string text = input.Rest();
  std::string header = mm::EncodeUnstructuredHeader("Subject", text);
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == '\r') abort();
    if (header[i] == '\n' && (i + 1 >= header.size() ||
                              (header[i + 1] != ' ' && header[i + 1] != '\t')))
      abort();
  }
  std::string checked, err;
  if (mm::CheckMailAddress(address, &checked, &err) &&
      checked.find_first_of("\r\n,;") != std::string::npos)
    abort();
  mm::ValidUtf8(text);
  return 0;
}
