#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "report/notify.h"
#include "support/git_test_support.h"
#include "support/mail_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

using testing_support::ReadAll;
using testing_support::Sh;
using testing_support::WriteAll;

const char kJobId[] = "20261125-120000-000001-4242-abcd";
const char kCommit[] = "0123456789abcdef0123456789abcdef01234567";

// The [log] lines of a build log without their "HH:MM:SS " clock.
std::vector<std::string> PlainLines(const std::string& log_text) {
  std::string lines = LogSectionOf(log_text);
  std::vector<std::string> plain;
  for (size_t pos = 0; pos < lines.size();) {
    size_t nl = lines.find('\n', pos);
    plain.push_back(lines.substr(pos + 9, nl - pos - 9));
    pos = nl + 1;
  }
  return plain;
}

class NotifierObserverTest : public testing_support::ScratchDirTest {
 protected:
  void SetUp() override {
    Sh("mkdir -p " + tmp_ / "mails" + " " + tmp_ / "builds/acme-app/JOBS");
    // A sendmail stand-in that keeps each message it is given.
    WriteAll(tmp_ / "capture.sh",
             "n=$(ls \"$1\" | wc -l)\ncat > \"$1/$n.eml\"\n");
    WriteAll(tmp_ / "hook",
             "#!/bin/sh\necho \"$MIXMASTER_EVENT $MIXMASTER_PROJECT "
             "$MIXMASTER_JOB\"\n");
    chmod((tmp_ / "hook").c_str(), 0755);
    config_.build_root = tmp_ / "builds";
    config_.mailto = "dev@example.org";
    config_.mailfrom = "mixmaster@build.example.org";
    config_.sendmail =
        "/bin/sh " + (tmp_ / "capture.sh") + " " + (tmp_ / "mails");
    config_.hook = tmp_ / "hook";
    job_.id = kJobId;
    job_.project = "acme/app";
    job_.target = "main";
    job_.commit = kCommit;
    job_.notifications = "all";
    log_path_ = tmp_ / ("builds/acme-app/JOBS/" + std::string(kJobId) + ".log");
    env_ = {"MIXMASTER_PROJECT=acme/app", "MIXMASTER_TARGET=main",
            std::string("MIXMASTER_COMMIT=") + kCommit,
            std::string("MIXMASTER_JOB=") + kJobId,
            "MIXMASTER_LOG=" + log_path_};
    // The claimed job file, as the runner leaves it at kStart.
    WriteAll(log_path_, "[job]\nid = " + std::string(kJobId) +
                            "\nproject = acme/app\ntarget = main\n");
    std::string err;
    ASSERT_TRUE(log_.Open(log_path_, SystemClock(), &err)) << err;
    ASSERT_TRUE(log_.BeginBuild(getpid(), SystemClock().Now(), &err)) << err;
    log_.Line(marker::kMixmaster, "Build started in ~/Builds/acme-app/main");
  }

  NotifierOptions Options() {
    NotifierOptions options;
    options.hostname = "build.example.org";
    options.sendmail_timeout_seconds = 10;
    options.hook_timeout_seconds = 10;
    options.kill_grace_seconds = 1;
    return options;
  }
  BuildReport Report(BuildEvent event,
                     BuildStatus status = BuildStatus::kSuccess,
                     int exit_code = 0) {
    // The job as the runner resolves it.
    resolved_ = job_;
    std::string ignored;
    ResolveJob(config_, &resolved_, &settings_, &ignored);
    return BuildReport{event,     resolved_, settings_, kJobId,   kCommit,
                       log_path_, env_,      status,    exit_code};
  }
  // The messages the stand-in received, oldest first.
  std::vector<ParsedMail> Mails() {
    std::vector<ParsedMail> mails;
    for (int n = 0;; ++n) {
      std::string path = tmp_ / ("mails/" + std::to_string(n) + ".eml");
      if (access(path.c_str(), F_OK) != 0) break;
      mails.push_back(Parse(ReadAll(path)));
    }
    return mails;
  }

  Config config_;
  Job job_;
  Job resolved_;
  JobSettings settings_;
  std::vector<std::string> env_;
  std::string log_path_;
  BuildLog log_;
};

TEST_F(NotifierObserverTest, StartAndEndAreMailedAndWhatHappenedIsLogged) {
  Notifier notifier(config_, Options());
  notifier.OnEvent(Report(BuildEvent::kStart), &log_);
  log_.Line(marker::kStdout, "compiling");
  log_.Line(marker::kMixmaster, "Build finished");
  notifier.OnEvent(Report(BuildEvent::kEnd), &log_);

  EXPECT_EQ(PlainLines(ReadAll(log_path_)),
            (std::vector<std::string>{
                "# Build started in ~/Builds/acme-app/main",
                "# Sent the start mail to dev@example.org",
                std::string("H job-start acme/app ") + kJobId,
                "O compiling",
                "# Build finished",
                "# Sent the end mail to dev@example.org",
                std::string("H job-end acme/app ") + kJobId,
            }));
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(Header(mails[0], "Subject"),
            "[mixmaster] Building acme/app main 01234567");
  EXPECT_EQ(Header(mails[0], "Message-ID"),
            "<mixmaster." + std::string(kJobId) + ".start@build.example.org>");
  EXPECT_EQ(Header(mails[1], "Subject"),
            "[mixmaster] OK acme/app main 01234567");
  EXPECT_EQ(Header(mails[1], "In-Reply-To"), Header(mails[0], "Message-ID"));
  EXPECT_THAT(mails[1].body,
              HasSubstr("Mixmaster has finished building 01234567 on main.\n"));
  EXPECT_THAT(mails[1].body, HasSubstr(log_path_ + "\n")) << mails[1].body;
}

TEST_F(NotifierObserverTest, TheFailureMailQuotesTheLogAsItIsAtTheFailure) {
  Notifier notifier(config_, Options());
  notifier.OnEvent(Report(BuildEvent::kStart), &log_);
  log_.Line(marker::kStep, "make");
  log_.Line(marker::kStderr, "make: *** No rule to make target 'all'");
  log_.Line(marker::kMixmaster, "Build failed: exit code 2");
  notifier.OnEvent(Report(BuildEvent::kFail, BuildStatus::kFailure, 2), &log_);

  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  const std::string& body = mails[1].body;
  EXPECT_THAT(body,
              HasSubstr("Mixmaster was unable to build 01234567 on main."));
  EXPECT_THAT(body, HasSubstr(" $ make\n")) << body;
  EXPECT_THAT(body, HasSubstr(" ! make: *** No rule to make target 'all'\n"));
  EXPECT_THAT(body, HasSubstr(" # Build failed: exit code 2\n"));
  // What the start notification logged is part of the log, hence quoted.
  EXPECT_THAT(body, HasSubstr(" # Sent the start mail to dev@example.org\n"));
  // Only the [log] part: not the job's keys, not the [build] section.
  EXPECT_THAT(body, Not(HasSubstr("project = acme/app"))) << body;
  EXPECT_THAT(body, Not(HasSubstr("pid = "))) << body;
  std::vector<std::string> lines = PlainLines(ReadAll(log_path_));
  EXPECT_EQ(lines.back(), std::string("H job-fail acme/app ") + kJobId);
}

TEST_F(NotifierObserverTest, SendmailTroubleIsALogLineAndNothingMore) {
  config_.sendmail = tmp_ / "no-such-sendmail";
  config_.hook.clear();
  Notifier missing(config_, Options());
  missing.OnEvent(Report(BuildEvent::kStart), &log_);
  // A sendmail that never ends is stopped at the deadline.
  WriteAll(tmp_ / "hang.sh", "exec sleep 300\n");
  config_.sendmail = "/bin/sh " + (tmp_ / "hang.sh");
  NotifierOptions quick = Options();
  quick.sendmail_timeout_seconds = 0.5;
  Notifier hanging(config_, quick);
  hanging.OnEvent(Report(BuildEvent::kFail, BuildStatus::kFailure, 1), &log_);

  std::vector<std::string> lines = PlainLines(ReadAll(log_path_));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1], "! start mail not sent: cannot run " +
                          (tmp_ / "no-such-sendmail") +
                          ": No such file or directory")
      << lines[1];
  EXPECT_EQ(lines[2], "! failure mail not sent: sendmail command '" +
                          config_.sendmail +
                          "' did not finish within 0.5 s and was stopped");
  EXPECT_TRUE(log_.ok());
}

TEST_F(NotifierObserverTest, AnUnreadableLogIsReportedAndTheMailStillGoesOut) {
  // The log's name now leads nowhere; the open log itself still takes lines.
  std::string moved = tmp_ / "moved.log";
  ASSERT_EQ(rename(log_path_.c_str(), moved.c_str()), 0);
  Notifier notifier(config_, Options());
  notifier.OnEvent(Report(BuildEvent::kFail, BuildStatus::kError, -1), &log_);

  std::vector<std::string> lines = PlainLines(ReadAll(moved));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_THAT(lines[1],
              HasSubstr("! cannot read the build log for the notifications: "))
      << lines[1];
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_THAT(mails[0].body, HasSubstr("Mixmaster was unable to build"));
}

TEST_F(NotifierObserverTest, MailsNameTheIdTheBuildRunsUnder) {
  // The job file's id was taken already: the build got a fresh one, and
  // its log is named after it.
  const std::string fresh = "20261125-120001-000002-4242-beef";
  Notifier notifier(config_, Options());
  for (BuildEvent event : {BuildEvent::kStart, BuildEvent::kEnd}) {
    BuildReport report = Report(event);
    report.job_id = fresh;
    report.log_path = tmp_ / ("builds/acme-app/JOBS/" + fresh + ".log");
    notifier.OnEvent(report, &log_);
  }
  std::vector<ParsedMail> mails = Mails();
  ASSERT_EQ(mails.size(), 2u);
  EXPECT_EQ(Header(mails[0], "Message-ID"),
            "<mixmaster." + fresh + ".start@build.example.org>");
  EXPECT_EQ(Header(mails[1], "In-Reply-To"), Header(mails[0], "Message-ID"));
  EXPECT_THAT(mails[1].body, HasSubstr("/JOBS/" + fresh + ".log\n"))
      << mails[1].body;
}

TEST(NotifierJobForMail, DescribesTheBuiltCommitOnceThereIsOne) {
  Job job;
  job.id = "job-1";
  job.target = "main";
  JobSettings settings;
  std::vector<std::string> env;
  BuildReport report{
      BuildEvent::kStart,    job, settings, "job-1", "", "/l", env,
      BuildStatus::kSuccess, 0};
  EXPECT_EQ(JobForMail(report).commit, "");
  report.commit = kCommit;
  // At the start the commit is only asked for; nothing is built yet.
  EXPECT_EQ(JobForMail(report).commit, "");
  report.event = BuildEvent::kEnd;
  EXPECT_EQ(JobForMail(report).commit, kCommit);
  report.event = BuildEvent::kFail;
  EXPECT_EQ(JobForMail(report).commit, kCommit);
  // The id the build runs under wins over the job file's.
  report.job_id = "job-1-fresh";
  EXPECT_EQ(JobForMail(report).id, "job-1-fresh");
  // What the job named (a tag, an annotated tag's id) is told at the
  // start; at the end, the commit built.
  job.commit = "v1.2";
  BuildReport tagged{
      BuildEvent::kStart,    job, settings, "job-1", "v1.2", "/l", env,
      BuildStatus::kSuccess, 0};
  EXPECT_EQ(JobForMail(tagged).commit, "v1.2");
  tagged.event = BuildEvent::kEnd;
  tagged.commit = kCommit;
  EXPECT_EQ(JobForMail(tagged).commit, kCommit);
}

}  // namespace
}  // namespace mm
