#include "base/text.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(TextTest, CaseInsensitiveComparisonIsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-TYPE"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "Content-Typ"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "\xc1"));  // 'A' + 0x80 is not 'a'
  EXPECT_EQ(AsciiLower("ABC-xyz-\xc3\x89"), "abc-xyz-\xc3\x89");
}

}  // namespace
}  // namespace mm
