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
  EXPECT_THAT(BuildPage(running, "", false, 0),
              HasSubstr("http-equiv=\"refresh\""));
  EXPECT_THAT(BuildPage(Build("1", "success"), "", false, 0),
              Not(HasSubstr("refresh")));
  std::string cut = BuildPage(Build("1", "success"), "", true, 0);
  EXPECT_THAT(
      cut, HasSubstr("<a href=\"/builds/acme-app/1.log\">the whole log</a>"));
}

TEST(WebPagesTest, ViewUrlIsALinkOnlyWhenHttp) {
  BuildSummary b = Build("1", "success");
  b.view_url = "javascript:alert(1)";
  std::string page = BuildPage(b, "", false, 0);
  EXPECT_THAT(page, Not(HasSubstr("href=\"javascript")));
  b.view_url = "https://forge/c?a=1&b=2";
  EXPECT_THAT(BuildPage(b, "", false, 0),
              HasSubstr("href=\"https://forge/c?a=1&amp;b=2\""));
}

TEST(WebPagesTest, ViewUrlShowsNoCredentials) {
  BuildSummary b = Build("1", "success");
  b.view_url = "https://me:s3cret@forge/c";
  std::string page = BuildPage(b, "", false, 0);
  EXPECT_NE(page.find("href=\"https://me:***@forge/c\""), std::string::npos)
      << page;
  EXPECT_EQ(page.find("s3cret"), std::string::npos) << page;
}

TEST(WebPagesTest, ProjectPageLinksNeighbourPages) {
  std::vector<BuildSummary> rows = {Build("2", "success"),
                                    Build("1", "failure")};
  std::string first = ProjectPage("acme-app", rows, 1, true, 0);
  EXPECT_THAT(first, HasSubstr("href=\"/builds/acme-app?page=2\">Older"));
  EXPECT_THAT(first, Not(HasSubstr("Newer")));
  std::string last = ProjectPage("acme-app", rows, 2, false, 0);
  EXPECT_THAT(last, HasSubstr("href=\"/builds/acme-app?page=1\">Newer"));
  EXPECT_THAT(last, Not(HasSubstr("Older")));
  EXPECT_THAT(HistoryPage({}, 0), HasSubstr("No builds yet."));
}

// 2026-11-25T12:00:00Z
constexpr time_t kNoon = 1795608000;

// The lists reload themselves while anything waits or runs, like a running
// build's page, and stop once all is done.
TEST(WebPagesTest, ListsRefreshOnlyWhileAJobIsQueuedOrRunning) {
  BuildSummary queued = Build("3", "queued");
  queued.queue_position = 2;
  std::vector<BuildSummary> done = {Build("2", "success")};
  EXPECT_THAT(HistoryPage(done, kNoon), Not(HasSubstr("refresh")));
  EXPECT_THAT(ProjectPage("acme-app", done, 1, false, kNoon),
              Not(HasSubstr("refresh")));
  for (const BuildSummary& live : {queued, Build("3", "running")}) {
    std::vector<BuildSummary> rows = {live, Build("2", "success")};
    EXPECT_THAT(HistoryPage(rows, kNoon),
                HasSubstr("<meta http-equiv=\"refresh\" content=\"5\">"));
    EXPECT_THAT(ProjectPage("acme-app", rows, 1, false, kNoon),
                HasSubstr("<meta http-equiv=\"refresh\" content=\"5\">"));
  }
  // A queued job has no page yet, and shows its place in the queue.
  std::string page = ProjectPage("acme-app", {queued}, 1, false, kNoon);
  EXPECT_THAT(page, HasSubstr("<tr class=\"build queued\" data-id=\"3\">"));
  EXPECT_THAT(page, HasSubstr("<span class=\"position\">#2</span>"));
  EXPECT_THAT(page, Not(HasSubstr("href=\"/builds/acme-app/3\"")));
}

// A list that shows only the first of the jobs that wait says so, and
// where they are all listed; one that shows every one says nothing.
TEST(WebPagesTest, ListsSayWhenMoreJobsWaitThanTheyShow) {
  BuildSummary first = Build("3", "queued"), second = Build("4", "queued");
  first.queue_position = 1;
  second.queue_position = 2;
  std::vector<BuildSummary> rows = {first, second, Build("2", "success")};
  const std::string more =
      "More jobs wait after these 2; <code>mmbuild --list</code> lists them "
      "all.";
  EXPECT_THAT(HistoryPage(rows, kNoon, true), HasSubstr(more));
  EXPECT_THAT(ProjectPage("acme-app", rows, 1, false, kNoon, true),
              HasSubstr(more));
  EXPECT_THAT(HistoryPage(rows, kNoon, false), Not(HasSubstr("More jobs")));
  EXPECT_THAT(ProjectPage("acme-app", rows, 1, false, kNoon, false),
              Not(HasSubstr("More jobs")));
}

// Who and what: the subject (first line), the pusher, the commit linked to
// the forge, when the push came (readable, ISO in a title), all escaped.
TEST(WebPagesTest, ListRowsSayWhoPushedWhatAndWhen) {
  BuildSummary b = Build("1", "success");
  b.message = "Fix <the> login\n\nLong body";
  b.pusher = "ada<script>";
  b.view_url = "https://forge.example/o/r/commit/0123456789abcdef";
  b.received = "2026-11-25T12:00:00Z";
  b.duration = "1.500";
  for (const std::string& page :
       {HistoryPage({b}, kNoon),
        ProjectPage("acme-app", {b}, 1, false, kNoon)}) {
    EXPECT_THAT(page, HasSubstr("<td class=\"subject\">Fix &lt;the&gt; "
                                "login</td>"));
    EXPECT_THAT(page, Not(HasSubstr("Long body")));
    EXPECT_THAT(page, HasSubstr(">ada&lt;script&gt;</td>"));
    EXPECT_THAT(page, HasSubstr("<a class=\"commit\" href=\"https://"
                                "forge.example/o/r/commit/0123456789abcdef\">"
                                "<code>0123456789ab</code></a>"));
    EXPECT_THAT(page, HasSubstr("<time datetime=\"2026-11-25T12:00:00Z\" "
                                "title=\"2026-11-25T12:00:00Z\">25 Nov 2026 "
                                "12:00 UTC</time>"));
    EXPECT_THAT(page, HasSubstr("<th>Pushed</th>"));
    EXPECT_THAT(page, HasSubstr(">1.500 s</td>"));
  }
  // The build page shows the whole message, its lines kept.
  EXPECT_THAT(BuildPage(b, "", false, kNoon),
              HasSubstr("<dt>Message</dt><dd><span class=\"message\">Fix "
                        "&lt;the&gt; login\n\nLong body</span></dd>"));
  b.view_url = "javascript:alert(1)";
  EXPECT_THAT(HistoryPage({b}, kNoon), Not(HasSubstr("javascript")));
  // The commit's own page first, when the forge named it.
  b.commit_url = "https://forge.example/o/r/commit/0123456789abcdef0";
  b.view_url = "https://forge.example/o/r/compare/a...b";
  EXPECT_THAT(HistoryPage({b}, kNoon),
              HasSubstr("<a class=\"commit\" href=\"https://forge.example/o/r/"
                        "commit/0123456789abcdef0\"><code>0123456789ab"));
  EXPECT_THAT(
      BuildPage(b, "", false, kNoon),
      HasSubstr("<a class=\"commit\" href=\"https://forge.example/o/r/"
                "commit/0123456789abcdef0\"><code>0123456789abcdef"
                "</code></a> <a href=\"https://forge.example/o/r/compare/"
                "a...b\">view</a>"));
}

TEST(WebPagesTest, RunningBuildsShowHowLongTheyHaveRun) {
  BuildSummary b = Build("1", "running");
  b.started = "2026-11-25T11:58:55Z";
  EXPECT_THAT(HistoryPage({b}, kNoon),
              HasSubstr("<span class=\"elapsed\">1 min 05 s</span>"));
  EXPECT_THAT(BuildPage(b, "", false, kNoon + 3600),
              HasSubstr("<dt>Running for</dt><dd><span class=\"elapsed\">1 h "
                        "01 min</span>"));
}

// A superseded build never ran: it links to the job that superseded it and
// shows neither exit code nor duration.
TEST(WebPagesTest, SupersededBuildsLinkToTheirSuccessor) {
  BuildSummary b = Build("1", "superseded");
  b.superseded_by = "20261125-120005-000001-42-abcd";
  b.exit_code = "-1";
  b.duration = "0.000";
  std::string list = ProjectPage("acme-app", {b}, 1, false, kNoon);
  EXPECT_THAT(
      list, HasSubstr(" by <a class=\"superseded-by\" href=\"/builds/"
                      "acme-app/20261125-120005-000001-42-abcd\" title=\""
                      "20261125-120005-000001-42-abcd\">20261125-120005</a>"));
  EXPECT_THAT(list, Not(HasSubstr("0.000")));
  std::string page = BuildPage(b, "", false, kNoon);
  EXPECT_THAT(page, HasSubstr("<a id=\"superseded-by\" href=\"/builds/acme-app/"
                              "20261125-120005-000001-42-abcd\">20261125-"
                              "120005-000001-42-abcd</a>"));
  EXPECT_THAT(page, Not(HasSubstr("Exit code")));
  EXPECT_THAT(page, Not(HasSubstr("Duration")));
  EXPECT_THAT(page, Not(HasSubstr("<dd>-1</dd>")));
}

TEST(WebPagesTest, TheFailingLineStandsOut) {
  std::string html = LogLinesHtml(
      "[log]\n12:00:00 # Build failed: exit code 2\n12:00:01 # Build error: "
      "no such target\n12:00:02 # Build finished\n12:00:03 O Build failed: x\n",
      false);
  EXPECT_THAT(html, HasSubstr("<span class=\"m-mixmaster m-failed\">12:00:00 "
                              "# Build failed: exit code 2</span>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"m-mixmaster m-failed\">12:00:01 "
                              "# Build error: no such target</span>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"m-mixmaster\">12:00:02 # Build "
                              "finished</span>"));
  EXPECT_THAT(html, HasSubstr("<span class=\"m-stdout\">12:00:03 O Build "
                              "failed: x</span>"));
  EXPECT_THAT(BuildPage(Build("1", "failure"), "", false, 0),
              HasSubstr(".m-failed{color:#b02a1a"));
}

}  // namespace
}  // namespace mm
