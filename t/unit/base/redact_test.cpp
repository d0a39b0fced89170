#include "base/redact.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(RedactUrlTest, HidesPasswordsAndHttpTokens) {
  EXPECT_EQ(RedactUrl("https://user:secret@example.org/r.git"),
            "https://user:***@example.org/r.git");
  EXPECT_EQ(RedactUrl("https://ghp_token@example.org/r.git"),
            "https://***@example.org/r.git");
  EXPECT_EQ(RedactUrl("HTTP://a:b:c@example.org"), "HTTP://a:***@example.org");
  EXPECT_EQ(RedactUrl("https://example.org/r.git"),
            "https://example.org/r.git");
  EXPECT_EQ(RedactUrl("https://example.org/a@b"), "https://example.org/a@b");
  EXPECT_EQ(RedactUrl("git@example.org:r.git"), "git@example.org:r.git");
  EXPECT_EQ(RedactUrl("ssh://git@example.org:2222/r.git"),
            "ssh://git@example.org:2222/r.git");
  EXPECT_EQ(RedactUrl("ssh://git:pw@example.org/r.git"),
            "ssh://git:***@example.org/r.git");
}

TEST(RedactUrlTest, EveryUrlInAText) {
  EXPECT_EQ(RedactUrlsIn("repositoryUrl = https://u:pw@h/r.git\n"
                         "viewUrl = https://h/c\nx 'https://t@h/' y"),
            "repositoryUrl = https://u:***@h/r.git\n"
            "viewUrl = https://h/c\nx 'https://***@h/' y");
  EXPECT_EQ(RedactUrlsIn("no URL here"), "no URL here");
  EXPECT_EQ(RedactUrlsIn("://@"), "://@");
}

}  // namespace
}  // namespace mm
