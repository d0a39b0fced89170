// Form-encoded bodies (form.h): any bytes are read without a crash, and a
// value encoded as a form field is read back exactly.
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string>

#include "http/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  std::string value, err;
  if (!mm::FormField(bytes, "payload", &value, &err) && err.empty()) abort();
  static const char kHex[] = "0123456789ABCDEF";
  std::string form = "a=1&payload=";
  for (unsigned char c : bytes) {
    form += '%';
    form += kHex[c >> 4];
    form += kHex[c & 15];
  }
  form += "&b=%zz";
  if (!mm::FormField(form, "payload", &value, &err) || value != bytes) abort();
  return 0;
}
