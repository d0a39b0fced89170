#include "web/web_pages.h"

#include <gtest/gtest.h>

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
  EXPECT_NE(BuildPage(running, "", false).find("http-equiv=\"refresh\""),
            std::string::npos);
  EXPECT_EQ(BuildPage(Build("1", "success"), "", false).find("refresh"),
            std::string::npos);
  std::string cut = BuildPage(Build("1", "success"), "", true);
  EXPECT_NE(cut.find("<a href=\"/builds/acme-app/1.log\">the whole log</a>"),
            std::string::npos);
}

TEST(WebPagesTest, ViewUrlIsALinkOnlyWhenHttp) {
  BuildSummary b = Build("1", "success");
  b.view_url = "javascript:alert(1)";
  std::string page = BuildPage(b, "", false);
  EXPECT_EQ(page.find("href=\"javascript"), std::string::npos);
  b.view_url = "https://forge/c?a=1&b=2";
  EXPECT_NE(
      BuildPage(b, "", false).find("href=\"https://forge/c?a=1&amp;b=2\""),
      std::string::npos);
}

TEST(WebPagesTest, ProjectPageLinksNeighbourPages) {
  std::vector<BuildSummary> rows = {Build("2", "success"),
                                    Build("1", "failure")};
  std::string first = ProjectPage("acme-app", rows, 1, true);
  EXPECT_NE(first.find("href=\"/builds/acme-app?page=2\">Older"),
            std::string::npos);
  EXPECT_EQ(first.find("Newer"), std::string::npos);
  std::string last = ProjectPage("acme-app", rows, 2, false);
  EXPECT_NE(last.find("href=\"/builds/acme-app?page=1\">Newer"),
            std::string::npos);
  EXPECT_EQ(last.find("Older"), std::string::npos);
  EXPECT_NE(HistoryPage({}).find("No builds yet."), std::string::npos);
}

}  // namespace
}  // namespace mm
