// The payloads of t/fixtures, for the unit tests that read them.
#ifndef MIXMASTER_T_UNIT_FIXTURES_H_
#define MIXMASTER_T_UNIT_FIXTURES_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "base/fsutil.h"

namespace mm {
namespace testing_support {

// t/fixtures/<name>, found from this file's path (tests run from the
// checkout) or from $MM_FIXTURES.
inline std::string Fixture(const std::string& name) {
  const char* env = getenv("MM_FIXTURES");
  std::string dir = env && *env ? env : std::string(__FILE__);
  if (!(env && *env)) dir = dir.substr(0, dir.rfind('/')) + "/../../fixtures";
  std::string text, err;
  EXPECT_TRUE(ReadFile(dir + "/" + name, &text, &err)) << err;
  return text;
}

}  // namespace testing_support
}  // namespace mm

#endif  // MIXMASTER_T_UNIT_FIXTURES_H_
