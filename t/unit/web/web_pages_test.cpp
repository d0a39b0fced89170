#include "web/web_pages.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

BuildSummary Build(const std::string& id, const std::string& status) {
  BuildSummary b;
  b.id = id;
  b.project_dir = "acme-app";
  b.project = "acme/app";
  b.target = "main";
  b.status = status;
  b.commit = "0123456789abcdef";
  return b;
}

TEST(WebPagesTest, LogLinesAreStyledByMarkerAndEscaped) {
  std::string html = LogLinesHtml(
      "[job]\nmessage = x\n\n[log]\n12:00:00 # started\n12:00:01 $ make\n"
      "12:00:02 O <b>\n12:00:03 ! err\n12:00:04 X killed\n12:00:05 H hook\n"
      "\n[result]\nstatus = success\n",
      false);
  EXPECT_EQ(html,
            "<span class=\"m-mixmaster\">12:00:00 # started</span>\n"
            "<span class=\"m-step\">12:00:01 $ make</span>\n"
            "<span class=\"m-stdout\">12:00:02 O &lt;b&gt;</span>\n"
            "<span class=\"m-stderr\">12:00:03 ! err</span>\n"
            "<span class=\"m-killed\">12:00:04 X killed</span>\n"
            "<span class=\"m-hook\">12:00:05 H hook</span>\n");
  EXPECT_EQ(LogLinesHtml("12:00:02 O tail\n\n[result]\n", true),
            "<span class=\"m-stdout\">12:00:02 O tail</span>\n");
}

TEST(WebPagesTest, BuildPageRefreshesOnlyWhileRunning) {
  BuildSummary running = Build("1", "running");
  EXPECT_THAT(BuildPage(running, "", false),
              HasSubstr("http-equiv=\"refresh\""));
  EXPECT_THAT(BuildPage(Build("1", "success"), "", false),
              Not(HasSubstr("refresh")));
  std::string cut = BuildPage(Build("1", "success"), "", true);
  EXPECT_THAT(
      cut, HasSubstr("<a href=\"/builds/acme-app/1.log\">the whole log</a>"));
}

TEST(WebPagesTest, ViewUrlIsALinkOnlyWhenHttp) {
  BuildSummary b = Build("1", "success");
  b.view_url = "javascript:alert(1)";
  std::string page = BuildPage(b, "", false);
  EXPECT_THAT(page, Not(HasSubstr("href=\"javascript")));
  b.view_url = "https://forge/c?a=1&b=2";
  EXPECT_THAT(BuildPage(b, "", false),
              HasSubstr("href=\"https://forge/c?a=1&amp;b=2\""));
}

TEST(WebPagesTest, ProjectPageLinksNeighbourPages) {
  std::vector<BuildSummary> rows = {Build("2", "success"),
                                    Build("1", "failure")};
  std::string first = ProjectPage("acme-app", rows, 1, true);
  EXPECT_THAT(first, HasSubstr("href=\"/builds/acme-app?page=2\">Older"));
  EXPECT_THAT(first, Not(HasSubstr("Newer")));
  std::string last = ProjectPage("acme-app", rows, 2, false);
  EXPECT_THAT(last, HasSubstr("href=\"/builds/acme-app?page=1\">Newer"));
  EXPECT_THAT(last, Not(HasSubstr("Older")));
  EXPECT_THAT(HistoryPage({}), HasSubstr("No builds yet."));
}

}  // namespace
}  // namespace mm
