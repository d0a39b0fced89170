#include "web/badge.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(BadgeTest, ShowsLabelAndStatusInItsColour) {
  std::string svg = BadgeSvg("main", "failure");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_THAT(svg, HasSubstr(">main</text>"));
  EXPECT_THAT(svg, HasSubstr(">failure</text>"));
  EXPECT_THAT(svg, HasSubstr(std::string("fill=\"") + StatusColour("failure")));
  EXPECT_NE(StatusColour("success"), StatusColour("failure"));
  EXPECT_STREQ(StatusColour("whatever"), StatusColour("unknown"));
}

TEST(BadgeTest, EscapesAndWidensWithTheText) {
  std::string svg = BadgeSvg("a<b", "x&y");
  EXPECT_THAT(svg, HasSubstr("a&lt;b"));
  EXPECT_THAT(svg, HasSubstr("x&amp;y"));
  EXPECT_THAT(svg, Not(HasSubstr("a<b")));
  EXPECT_LT(BadgeSvg("ab", "ok").size(),
            BadgeSvg("a-much-longer-label", "ok").size() + 1);
}

}  // namespace
}  // namespace mm
