#include "web/web_auth.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

HttpRequest WithAuthorization(const std::string& value) {
  HttpRequest r;
  r.headers.push_back({"authorization", value});
  return r;
}

TEST(WebAuthTest, DecodesBasicCredentials) {
  std::string password;
  // "anyone:pa:ss" in base64: the password may hold colons.
  ASSERT_TRUE(BasicAuthPassword("Basic YW55b25lOnBhOnNz", &password));
  EXPECT_EQ(password, "pa:ss");
  ASSERT_TRUE(BasicAuthPassword("basic  YW55b25lOnBhOnNz ", &password));
  EXPECT_EQ(password, "pa:ss");
  EXPECT_FALSE(BasicAuthPassword("Bearer YW55b25lOnBhOnNz", &password));
  EXPECT_FALSE(BasicAuthPassword("Basic !!!", &password));
  EXPECT_FALSE(BasicAuthPassword("Basic bm9jb2xvbg==", &password));  // nocolon
  EXPECT_FALSE(BasicAuthPassword("Basic", &password));
  // A token68 (RFC 7235) holds no blanks; the padding may be left out.
  EXPECT_FALSE(BasicAuthPassword("Basic dTp wdw==", &password));
  ASSERT_TRUE(BasicAuthPassword("Basic dTpwdw", &password));
  EXPECT_EQ(password, "pw");
}

TEST(WebAuthTest, AcceptsThePasswordWithAnyUserName) {
  // u:pw and other:pw
  EXPECT_TRUE(
      WebPasswordAccepted(WithAuthorization("Basic dTpwdw=="), "pw", ""));
  EXPECT_TRUE(
      WebPasswordAccepted(WithAuthorization("Basic b3RoZXI6cHc="), "pw", "s"));
  EXPECT_FALSE(
      WebPasswordAccepted(WithAuthorization("Basic dTpwdw=="), "pW", ""));
  EXPECT_FALSE(
      WebPasswordAccepted(WithAuthorization("Basic dTpwdw=="), "pw2", ""));
  EXPECT_FALSE(WebPasswordAccepted(HttpRequest(), "pw", ""));
}

TEST(WebAuthTest, NeverAcceptsTheWebhookSecret) {
  EXPECT_FALSE(
      WebPasswordAccepted(WithAuthorization("Basic dTpwdw=="), "pw", "pw"));
}

}  // namespace
}  // namespace mm
