#include "base/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace mm {
namespace {

TEST(Base64Test, DecodesAndRejects) {
  std::string out;
  EXPECT_TRUE(DecodeBase64("aGVsbG8=", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(DecodeBase64("aGVsbG8", &out));
  EXPECT_EQ(out, "hello");
  EXPECT_TRUE(DecodeBase64("", &out));
  EXPECT_EQ(out, "");
  EXPECT_FALSE(DecodeBase64("aGV*bG8=", &out));
  EXPECT_FALSE(DecodeBase64("aGVsbG8=x", &out));
}

}  // namespace
}  // namespace mm
