// The INI reader (ini.h) and the configuration on top of it (config.h).
#include <stddef.h>
#include <stdint.h>

#include "base/ini.h"
#include "job/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  mm::IniDocument doc;
  std::string err;
  mm::ParseIni(text, "fuzz.ini", &doc, &err);
  mm::Config config;
  mm::ParseConfig(text, "fuzz.ini", "/home/fuzz", &config, &err);
  return 0;
}
