#include "web/badge.h"

#include <gtest/gtest.h>

namespace mm {
namespace {

TEST(BadgeTest, ShowsLabelAndStatusInItsColour) {
  std::string svg = BadgeSvg("main", "failure");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_NE(svg.find(">main</text>"), std::string::npos);
  EXPECT_NE(svg.find(">failure</text>"), std::string::npos);
  EXPECT_NE(svg.find(std::string("fill=\"") + StatusColour("failure")),
            std::string::npos);
  EXPECT_NE(StatusColour("success"), StatusColour("failure"));
  EXPECT_STREQ(StatusColour("whatever"), StatusColour("unknown"));
}

TEST(BadgeTest, EscapesAndWidensWithTheText) {
  std::string svg = BadgeSvg("a<b", "x&y");
  EXPECT_NE(svg.find("a&lt;b"), std::string::npos);
  EXPECT_NE(svg.find("x&amp;y"), std::string::npos);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_LT(BadgeSvg("ab", "ok").size(),
            BadgeSvg("a-much-longer-label", "ok").size() + 1);
}

}  // namespace
}  // namespace mm
