#include "report/notify.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/git_test_support.h"
#include "support/mail_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using LogLines = std::vector<std::pair<char, std::string>>;

class FixedClock : public Clock {
 public:
  struct timespec Now() const override {
    return {1795608000, 0};
  }
};

class NotifyTest : public testing_support::ScratchDirTest {
 protected:
  void SetUp() override {
    mkdir((dir_ + "/mails").c_str(), 0700);
    // A sendmail stand-in that keeps each message it is given.
    Write("capture.sh", "n=$(ls \"$1\" | wc -l)\ncat > \"$1/$n.eml\"\n");
    Write("hook",
          "#!/bin/sh\necho \"$MIXMASTER_EVENT $MIXMASTER_PROJECT "
          "$MIXMASTER_NOTIFICATIONS\"\n");
    chmod((dir_ + "/hook").c_str(), 0755);
    config_.mailto = "dev@example.org";
    config_.mailfrom = "mixmaster@build.example.org";
    config_.sendmail = "/bin/sh " + dir_ + "/capture.sh " + dir_ + "/mails";
    config_.hook = dir_ + "/hook";
    job_.id = "20261125-120000-000001-4242-abcd";
    job_.project = "org/repo";
    job_.target = "main";
    job_.commit = "0123456789abcdef";
    job_.notifications = "all";
    env_ = {"MIXMASTER_PROJECT=org/repo", "MIXMASTER_TARGET=main",
            std::string("MIXMASTER_LOG=") + kLogPath};
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }
  NotifierOptions Options() {
    NotifierOptions options;
    options.hostname = "build.example.org";
    options.clock = &clock_;
    options.sendmail_timeout_seconds = 10;
    options.hook_timeout_seconds = 10;
    return options;
  }
  static constexpr const char* kLogPath =
      "/home/u/Builds/org-repo/JOBS/20261125-120000-000001-4242-abcd.log";
  // Sends one event and returns the log lines it reported.
  LogLines Send(BuildEvent event, const std::string& log_text = "") {
    Notifier notifier(config_, Options());
    // The job as the runner resolves it.
    Job job = job_;
    JobSettings settings;
    std::string ignored;
    ResolveJob(config_, &job, &settings, &ignored);
    // The log so far, then what the notifier adds to it.
    std::string path = dir_ + "/build.log";
    std::ofstream(path, std::ios::trunc) << log_text;
    BuildLog log;
    std::string err;
    EXPECT_TRUE(log.Open(path, clock_, &err)) << err;
    BuildReport report{event,      job,      settings, job.id,
                       job.commit, kLogPath, env_,     BuildStatus::kFailure,
                       1};
    notifier.OnEvent(report, &log);
    std::ifstream in(path);
    std::stringstream all;
    all << in.rdbuf();
    // Each added line is `HH:MM:SS M text`.
    LogLines lines;
    std::string added = all.str().substr(log_text.size());
    for (size_t pos = 0; pos < added.size();) {
      size_t nl = added.find('\n', pos);
      std::string line = added.substr(pos, nl - pos);
      lines.emplace_back(line[9], line.substr(11));
      pos = nl + 1;
    }
    return lines;
  }
  // The messages the stand-in received, oldest first.
  std::vector<ParsedMail> Mails() {
    std::vector<std::string> names;
    DIR* d = opendir((dir_ + "/mails").c_str());
    while (struct dirent* e = readdir(d))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    closedir(d);
    std::sort(names.begin(), names.end());
    std::vector<ParsedMail> mails;
    for (const std::string& n : names) {
      std::ifstream in(dir_ + "/mails/" + n);
      std::stringstream s;
      s << in.rdbuf();
      mails.push_back(Parse(s.str()));
    }
    return mails;
  }
  FixedClock clock_;
  Config config_;
  Job job_;
  std::vector<std::string> env_;
};

TEST_F(NotifyTest, AllMailsThreadAndTheHookRunsAtEachMoment) {
  EXPECT_EQ(Send(BuildEvent::kStart),
            (LogLines{{'#', "Sent the start mail to dev@example.org"},
                      {'H', "job-start org/repo all"}}));
  EXPECT_EQ(Send(BuildEvent::kEnd),
            (LogLines{{'#', "Sent the end mail to dev@example.org"},
                      {'H', "job-end org/repo all"}}));
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(Header(mails[0], "Subject"),
            "[mixmaster] Building org/repo main 01234567");
  EXPECT_EQ(Header(mails[0], "To"), "dev@example.org");
  EXPECT_EQ(Header(mails[0], "From"), "mixmaster@build.example.org");
  EXPECT_EQ(Header(mails[0], "Date"), "Wed, 25 Nov 2026 12:00:00 +0000");
  EXPECT_EQ(Header(mails[1], "Subject"),
            "[mixmaster] OK org/repo main 01234567");
  EXPECT_EQ(Header(mails[1], "In-Reply-To"), Header(mails[0], "Message-ID"));
  EXPECT_THAT(mails[1].body,
              HasSubstr("Mixmaster has finished building 01234567 on "
                        "main."));
  EXPECT_THAT(mails[1].body, HasSubstr("/home/u/Builds/org-repo/JOBS/"
                                       "20261125-120000-000001-4242-abcd.log"))
      << mails[1].body;
}

TEST_F(NotifyTest, FailureMailQuotesTheLog) {
  Send(BuildEvent::kStart);
  LogLines lines = Send(BuildEvent::kFail,
                        "[job]\nid = x\n\n[log]\n12:00:00 $ make\n"
                        "12:00:01 ! make: *** No rule to make target\n");
  EXPECT_EQ(lines.back(),
            (std::pair<char, std::string>{'H', "job-fail org/repo all"}));
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(Header(mails[1], "In-Reply-To"), Header(mails[0], "Message-ID"));
  EXPECT_THAT(mails[1].body,
              HasSubstr("Mixmaster was unable to build 01234567 on "
                        "main.\n"));
  EXPECT_THAT(mails[1].body,
              HasSubstr("12:00:01 ! make: *** No rule to make target\n"))
      << mails[1].body;
}

TEST_F(NotifyTest, FailuresOnlyMailsTheFailureAsItsOwnThread) {
  job_.notifications = "failures";
  EXPECT_EQ(Send(BuildEvent::kStart),
            (LogLines{{'H', "job-start org/repo failures"}}));
  Send(BuildEvent::kEnd);
  EXPECT_TRUE(Mails().empty());
  Send(BuildEvent::kFail, "[log]\n12:00:00 # boom\n");
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(Header(mails[0], "Subject"),
            "[mixmaster] FAILED org/repo main 01234567");
  EXPECT_EQ(mails[0].headers.count("In-Reply-To"), 0u);
}

TEST_F(NotifyTest, NoneOrNoAddressMailsNothingButTheHookStillRuns) {
  job_.notifications = "none";
  for (BuildEvent e :
       {BuildEvent::kStart, BuildEvent::kEnd, BuildEvent::kFail}) {
    LogLines lines = Send(e);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].first, 'H');
    EXPECT_THAT(lines[0].second, HasSubstr(" org/repo none"));
  }
  job_.notifications = "all";
  config_.mailto = "";
  Send(BuildEvent::kStart);
  Send(BuildEvent::kFail);
  // The job's own empty mailto turns mail off even with one in the config.
  config_.mailto = "dev@example.org";
  job_.has_mailto = true;
  job_.mailto = "";
  Send(BuildEvent::kStart);
  EXPECT_TRUE(Mails().empty());
}

TEST_F(NotifyTest, TheJobsMailtoWins) {
  job_.has_mailto = true;
  job_.mailto = "someone@else.example";
  Send(BuildEvent::kStart);
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(Header(mails[0], "To"), "someone@else.example");
}

TEST_F(NotifyTest, AFailingOrMissingSendmailIsLoggedAndTheHookStillRuns) {
  Write("refuse.sh",
        "cat >/dev/null\necho 'msmtp: cannot connect' >&2\n"
        "exit 69\n");
  config_.sendmail = "/bin/sh " + dir_ + "/refuse.sh";
  LogLines lines = Send(BuildEvent::kStart);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], (std::pair<char, std::string>{
                          '!', "sendmail: msmtp: cannot connect"}));
  EXPECT_EQ(lines[1].first, '!');
  EXPECT_THAT(lines[1].second,
              HasSubstr("start mail not sent: sendmail command"));
  EXPECT_THAT(lines[1].second, HasSubstr("exited with status 69"));
  EXPECT_EQ(lines[2].first, 'H');

  config_.sendmail = dir_ + "/no-sendmail -t";
  lines = Send(BuildEvent::kEnd);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].first, '!');
  EXPECT_THAT(lines[0].second, HasSubstr("cannot run " + dir_ + "/no-sendmail"))
      << lines[0].second;
}

TEST_F(NotifyTest, AnAddressThatWouldAddRecipientsIsRefused) {
  job_.has_mailto = true;
  job_.mailto = "dev@example.org, attacker@example.net";
  LogLines lines = Send(BuildEvent::kStart);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].first, '!');
  EXPECT_THAT(lines[0].second, HasSubstr("start mail not sent: mail address"))
      << lines[0].second;
  EXPECT_TRUE(Mails().empty());
}

TEST_F(NotifyTest, AFailingHookIsLoggedAndIgnored) {
  Write("hook", "#!/bin/sh\necho 'posting to chat'\nexit 2\n");
  config_.mailto = "";
  LogLines lines = Send(BuildEvent::kEnd);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (std::pair<char, std::string>{'H', "posting to chat"}));
  EXPECT_EQ(lines[1],
            (std::pair<char, std::string>{
                '!', "hook " + dir_ + "/hook exited with status 2 (ignored)"}));
  config_.hook.clear();
  EXPECT_TRUE(Send(BuildEvent::kEnd).empty());
}

TEST_F(NotifyTest, AnUnknownNotificationsValueMeansAllAndIsSaidOnce) {
  job_.notifications = "sometimes";
  LogLines lines = Send(BuildEvent::kStart);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], (std::pair<char, std::string>{
                          '!',
                          "unknown notifications value 'sometimes', "
                          "taken as 'all'"}));
  EXPECT_EQ(Send(BuildEvent::kEnd).size(), 2u);
  EXPECT_EQ(Mails().size(), 2u);
}

TEST(NotifyPlan, DecidesFromJobAndConfig) {
  Config config;
  config.mailto = "a@x.org";
  Job job;
  JobSettings settings;
  std::string ignored;
  ResolveJob(config, &job, &settings, &ignored);
  NotifyPlan plan = PlanNotification(BuildEvent::kStart, job, settings, config);
  EXPECT_TRUE(plan.send_mail);  // notifications left out: all
  EXPECT_EQ(plan.mailto, "a@x.org");
  EXPECT_FALSE(plan.run_hook);
  job.notifications = " FAILURES ";
  ResolveJob(config, &job, &settings, &ignored);
  plan = PlanNotification(BuildEvent::kStart, job, settings, config);
  EXPECT_FALSE(plan.send_mail);
  plan = PlanNotification(BuildEvent::kFail, job, settings, config);
  EXPECT_TRUE(plan.send_mail);
  EXPECT_FALSE(plan.reply_to_start);
}

}  // namespace
}  // namespace mm
