#include "report/mail_message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "support/mail_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

Job SampleJob() {
  Job job;
  job.id = "20261125-120000-000001-4242-abcd";
  job.project = "example-org/example-repo";
  job.target = "production";
  job.commit = "0123456789abcdef0123456789abcdef01234567";
  job.view_url = "https://forge.example.org/example-org/example-repo/compare";
  job.message = "Fix the frobnicator\n\nIt was broken.";
  return job;
}

MailEnvelope SampleEnvelope() {
  MailEnvelope e;
  e.to = "dev@example.org";
  e.from = "Mixmaster <mixmaster@build.example.org>";
  e.hostname = "build.example.org";
  e.date.tv_sec = 1795608000;  // 2026-11-25T12:00:00Z, a Wednesday
  return e;
}

std::string Compose(BuildEvent kind, const Job& job, const MailEnvelope& e,
                    const std::string& log = "",
                    LogFormat format = LogFormat::kBuildLog) {
  std::string message, err;
  EXPECT_TRUE(ComposeMail(kind, job, e, log, format, &message, &err)) << err;
  return message;
}

TEST(MailMessage, StartMailHasEveryHeader) {
  ParsedMail p =
      Parse(Compose(BuildEvent::kStart, SampleJob(), SampleEnvelope()));
  EXPECT_EQ(Names(p), (std::set<std::string>{
                          "To", "From", "Subject", "Date", "Message-ID",
                          "MIME-Version", "Content-Type",
                          "Content-Transfer-Encoding", "Auto-Submitted"}));
  EXPECT_EQ(Header(p, "To"), "dev@example.org");
  EXPECT_EQ(Header(p, "From"), "\"Mixmaster\" <mixmaster@build.example.org>");
  EXPECT_EQ(
      Header(p, "Subject"),
      "[mixmaster] Building example-org/example-repo production 01234567");
  EXPECT_EQ(Header(p, "Date"), "Wed, 25 Nov 2026 12:00:00 +0000");
  EXPECT_EQ(Header(p, "Message-ID"),
            "<mixmaster.20261125-120000-000001-4242-abcd.start@"
            "build.example.org>");
  EXPECT_EQ(Header(p, "MIME-Version"), "1.0");
  EXPECT_EQ(Header(p, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Header(p, "Content-Transfer-Encoding"), "8bit");
  EXPECT_EQ(p.body.find(
                "Mixmaster has started building 01234567 on production.\n\n"
                "https://forge.example.org/example-org/example-repo/compare\n\n"
                "Fix the frobnicator\n\nIt was broken.\n"),
            0u)
      << p.body;
}

TEST(MailMessage, SubjectsSayStatusProjectTargetTaskAndCommit) {
  Job job = SampleJob();
  job.task = "docs";
  EXPECT_EQ(MailSubject(BuildEvent::kFail, job),
            "[mixmaster] FAILED example-org/example-repo production docs "
            "01234567");
  EXPECT_EQ(MailSubject(BuildEvent::kEnd, job, /*fixed=*/true),
            "[mixmaster] FIXED example-org/example-repo production docs "
            "01234567");
  job.task.clear();
  job.commit.clear();  // the head of the target, not yet checked out
  EXPECT_EQ(MailSubject(BuildEvent::kStart, job),
            "[mixmaster] Building example-org/example-repo production");
}

TEST(MailMessage, EveryMailNamesTheBuildPageWhenThereIsOne) {
  MailEnvelope e = SampleEnvelope();
  e.build_url = "https://ci.example.org/builds/example-org-example-repo/j1";
  for (BuildEvent kind :
       {BuildEvent::kStart, BuildEvent::kEnd, BuildEvent::kFail}) {
    ParsedMail p = Parse(Compose(kind, SampleJob(), e, "x"));
    EXPECT_THAT(p.body, HasSubstr("\nBuild page: " + e.build_url + "\n"));
  }
  ParsedMail p =
      Parse(Compose(BuildEvent::kEnd, SampleJob(), SampleEnvelope()));
  EXPECT_THAT(p.body, Not(HasSubstr("Build page:")));
}

TEST(MailMessage, NoFromHeaderWithoutMailfrom) {
  MailEnvelope e = SampleEnvelope();
  e.from.clear();
  ParsedMail p = Parse(Compose(BuildEvent::kStart, SampleJob(), e));
  EXPECT_EQ(p.headers.count("From"), 0u);
  EXPECT_EQ(Header(p, "To"), "dev@example.org");
}

TEST(MailMessage, EndAndFailureThreadUnderTheStartMail) {
  MailEnvelope start_env = SampleEnvelope();
  ParsedMail start = Parse(Compose(BuildEvent::kStart, SampleJob(), start_env));
  // Composed later, by what may be another process: only id and host agree.
  MailEnvelope later = SampleEnvelope();
  later.date.tv_sec += 3600;
  ParsedMail end = Parse(Compose(BuildEvent::kEnd, SampleJob(), later));
  ParsedMail fail = Parse(Compose(BuildEvent::kFail, SampleJob(), later, "x",
                                  LogFormat::kLogLines));
  std::string start_id = Header(start, "Message-ID");
  EXPECT_EQ(start.headers.count("In-Reply-To"), 0u);
  for (const ParsedMail* p : {&end, &fail}) {
    EXPECT_EQ(Header(*p, "In-Reply-To"), start_id);
    EXPECT_EQ(Header(*p, "References"), start_id);
  }
  EXPECT_EQ(Header(end, "Subject"),
            "[mixmaster] OK example-org/example-repo production 01234567");
  EXPECT_EQ(Header(fail, "Subject"),
            "[mixmaster] FAILED example-org/example-repo production 01234567");
  std::set<std::string> ids = {start_id, Header(end, "Message-ID"),
                               Header(fail, "Message-ID")};
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(end.body.find("Mixmaster has finished building 01234567 on "
                          "production.\n"),
            0u);
}

TEST(MailMessage, FailureWithoutStartMailIsItsOwnThread) {
  MailEnvelope e = SampleEnvelope();
  e.reply_to_start = false;
  ParsedMail p = Parse(
      Compose(BuildEvent::kFail, SampleJob(), e, "log", LogFormat::kLogLines));
  EXPECT_EQ(Header(p, "Subject"),
            "[mixmaster] FAILED example-org/example-repo production 01234567");
  EXPECT_EQ(p.headers.count("In-Reply-To"), 0u);
  EXPECT_EQ(p.headers.count("References"), 0u);
}

TEST(MailMessage, MessageIdsDependOnJobAndHostAndAreAtoms) {
  EXPECT_NE(MailMessageId("a", "h", BuildEvent::kStart),
            MailMessageId("b", "h", BuildEvent::kStart));
  EXPECT_NE(MailMessageId("a", "h1", BuildEvent::kStart),
            MailMessageId("a", "h2", BuildEvent::kStart));
  EXPECT_EQ(MailMessageId("a", "h", BuildEvent::kEnd), "<mixmaster.a.end@h>");
  EXPECT_EQ(MailMessageId("a", "h", BuildEvent::kFail),
            "<mixmaster.a.failure@h>");
  // A hand-written job id or odd hostname cannot break out of the brackets.
  EXPECT_EQ(MailMessageId("x>\nBcc: y@z", "..h\n>.", BuildEvent::kStart),
            "<mixmaster.x--Bcc--y-z.start@h-->");
  EXPECT_EQ(MailMessageId("", "", BuildEvent::kStart),
            "<mixmaster.job.start@localhost>");
}

TEST(MailMessage, NonAsciiSubjectIsEncodedAndDecodesBack) {
  Job job = SampleJob();
  job.project = "équipe/dépôt-ünïcödé 日本語のプロジェクト名前がとても長い";
  ParsedMail p = Parse(Compose(BuildEvent::kEnd, job, SampleEnvelope()));
  std::string subject = Header(p, "Subject");
  EXPECT_THAT(subject, HasSubstr("=?UTF-8?B?")) << subject;
  EXPECT_EQ(DecodeWords(subject),
            "[mixmaster] OK " + job.project + " production 01234567");
  for (const std::string& line : p.lines) {
    EXPECT_LE(line.size(), 998u) << line;
    for (char c : line) EXPECT_LT(static_cast<unsigned char>(c), 0x80) << line;
  }
  std::string header = EncodeUnstructuredHeader("Subject", job.project);
  for (const std::string& line : Parse(header + "\n\n").lines)
    EXPECT_LE(line.size(), 78u) << line;
}

TEST(MailMessage, TheViewUrlShowsNoCredentials) {
  Job job = SampleJob();
  job.view_url = "https://tok3n@forge.example.org/c";
  std::string mail = Compose(BuildEvent::kStart, job, SampleEnvelope(), "");
  EXPECT_NE(mail.find("\nhttps://***@forge.example.org/c\n"), std::string::npos)
      << mail;
  EXPECT_EQ(mail.find("tok3n"), std::string::npos) << mail;
}

TEST(MailMessage, LineBreaksInRequestValuesAddNoHeader) {
  Job job = SampleJob();
  job.project = "evil\r\nBcc: victim@example.org\nX-Injected: 1";
  job.target = "main\nCc: victim@example.org";
  job.task = "docs\r\nReply-To: x@y";
  job.commit = "abc\nX: y";
  job.view_url = "http://x/\nX-View: 1";
  job.message = "Subject line\n\nBcc: body-is-fine@example.org\r\n";
  job.id = "id\nX-Id: 1";
  for (BuildEvent kind :
       {BuildEvent::kStart, BuildEvent::kEnd, BuildEvent::kFail}) {
    ParsedMail p =
        Parse(Compose(kind, job, SampleEnvelope(), "[log]\nBcc: z\n"));
    std::set<std::string> expected = {"To",
                                      "From",
                                      "Subject",
                                      "Date",
                                      "Message-ID",
                                      "MIME-Version",
                                      "Content-Type",
                                      "Content-Transfer-Encoding",
                                      "Auto-Submitted"};
    if (kind != BuildEvent::kStart) {
      expected.insert("In-Reply-To");
      expected.insert("References");
    }
    EXPECT_EQ(Names(p), expected);
    EXPECT_EQ(p.headers.count("To"), 1u);
    std::string subject = DecodeWords(Header(p, "Subject"));
    EXPECT_THAT(subject,
                HasSubstr("evil  Bcc: victim@example.org X-Injected: 1"))
        << subject;
  }
}

TEST(MailMessage, RefusesAnAddressThatWouldAddAHeader) {
  std::string err;
  Job job = SampleJob();
  MailEnvelope e = SampleEnvelope();
  e.to = "a@example.org\nBcc: b@example.org";
  std::string message;
  EXPECT_FALSE(ComposeMail(BuildEvent::kStart, job, e, "", LogFormat::kBuildLog,
                           &message, &err));
  EXPECT_THAT(err, HasSubstr("control character")) << err;
}

TEST(MailMessage, WordingForTasksAndMissingCommits) {
  Job job = SampleJob();
  job.commit.clear();
  EXPECT_EQ(MailSummary(BuildEvent::kStart, job),
            "Mixmaster has started building the head of production.");
  EXPECT_EQ(MailSummary(BuildEvent::kFail, job),
            "Mixmaster was unable to build the head of production.");
  job.task = "docs";
  EXPECT_EQ(MailSummary(BuildEvent::kEnd, job),
            "Mixmaster has finished the docs task on the head of production.");
  job.commit = "0123456789abcdef";
  EXPECT_EQ(MailSummary(BuildEvent::kStart, job),
            "Mixmaster has started the docs task on production at 01234567.");
  EXPECT_EQ(MailSummary(BuildEvent::kFail, job),
            "Mixmaster was unable to run the docs task on production at "
            "01234567.");
}

TEST(MailMessage, FailureBodyCarriesTheLogPartOnly) {
  std::string log =
      "[job]\nid = x\nproject = secret-looking\n\n[build]\npid = 1\n\n"
      "[log]\n12:00:00 # Build started\n12:00:01 ! make: *** [all] Error 2\n"
      "\n[result]\nstatus = failure\n";
  ParsedMail p =
      Parse(Compose(BuildEvent::kFail, SampleJob(), SampleEnvelope(), log));
  EXPECT_EQ(p.body.find("Mixmaster was unable to build 01234567 on "
                        "production.\n"),
            0u)
      << p.body;
  EXPECT_THAT(p.body, HasSubstr("[log]\n12:00:00 # Build started\n"
                                "12:00:01 ! make: *** [all] Error 2\n"))
      << p.body;
  EXPECT_THAT(p.body, Not(HasSubstr("pid = 1")));
  EXPECT_THAT(p.body, Not(HasSubstr("status = failure")));
  // The start mail has no log; the end mail neither.
  ParsedMail start =
      Parse(Compose(BuildEvent::kStart, SampleJob(), SampleEnvelope(), log));
  EXPECT_THAT(start.body, Not(HasSubstr("Build started")));
}

TEST(MailMessage, HugeLogKeepsItsTailAndBodyLinesStayLegal) {
  MailEnvelope e = SampleEnvelope();
  e.max_log_bytes = 1000;
  std::string log;
  for (int i = 0; i < 500; ++i)
    log += "12:00:00 O line " + std::to_string(i) + "\n";
  log += "12:00:00 O " + std::string(5000, 'z') + "\r\n12:00:00 # end\n";
  Job job = SampleJob();
  job.message = std::string(3000, 'm');
  std::string message =
      Compose(BuildEvent::kFail, job, e, log, LogFormat::kLogLines);
  ParsedMail p = Parse(message);
  EXPECT_THAT(p.body, HasSubstr("bytes of the log are left out"));
  EXPECT_THAT(p.body, Not(HasSubstr("line 0\n")));
  EXPECT_THAT(p.body, HasSubstr("12:00:00 # end\n"));
  EXPECT_THAT(message, Not(HasSubstr("\r")));
  size_t start = 0;
  while (start < message.size()) {
    size_t nl = message.find('\n', start);
    if (nl == std::string::npos) nl = message.size();
    EXPECT_LE(nl - start, 998u);
    start = nl + 1;
  }
}

TEST(MailMessage, InvalidUtf8BecomesReplacementCharacters) {
  Job job = SampleJob();
  job.project = "bad\xff\xfe";
  job.message = "caf\xc3";
  ParsedMail p = Parse(Compose(BuildEvent::kStart, job, SampleEnvelope()));
  EXPECT_EQ(DecodeWords(Header(p, "Subject")),
            "[mixmaster] Building bad\xEF\xBF\xBD\xEF\xBF\xBD production "
            "01234567");
  EXPECT_THAT(p.body, HasSubstr("caf\xEF\xBF\xBD"));
}

TEST(MailMessage, FailureLogMayBeBareLogLines) {
  ParsedMail p =
      Parse(Compose(BuildEvent::kFail, SampleJob(), SampleEnvelope(),
                    "12:00:00 # x\n12:00:01 $ y", LogFormat::kLogLines));
  EXPECT_THAT(p.body, HasSubstr("\n[log]\n12:00:00 # x\n12:00:01 $ y\n"))
      << p.body;
  // A log that failed before its first line quotes nothing of the job.
  p = Parse(Compose(BuildEvent::kFail, SampleJob(), SampleEnvelope(),
                    "[job]\nbuildCommand = make\n\n[log]\n"));
  EXPECT_THAT(p.body, Not(HasSubstr("buildCommand"))) << p.body;
}

}  // namespace
}  // namespace mm
