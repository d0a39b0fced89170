#include "web/html.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(HtmlTest, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(
      HtmlEscape("<script>alert('x' & \"y\")</script>"),
      "&lt;script&gt;alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("plain ünïcode"), "plain ünïcode");
  EXPECT_EQ(HtmlEscape(""), "");
}

TEST(HtmlTest, LinksOnlyHttpUrls) {
  EXPECT_TRUE(IsWebLink("https://forge.example/o/r/commit/1"));
  EXPECT_TRUE(IsWebLink("http://h/"));
  EXPECT_FALSE(IsWebLink("javascript:alert(1)"));
  EXPECT_FALSE(IsWebLink("JAVASCRIPT:alert(1)"));
  EXPECT_FALSE(IsWebLink("https://"));
  EXPECT_FALSE(IsWebLink("https://h/a b"));
  EXPECT_FALSE(IsWebLink("https://h/\n"));
  EXPECT_FALSE(IsWebLink("//h/x"));
}

}  // namespace
}  // namespace mm
