#include "report/mail_header.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/mail_test_support.h"

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(MailHeader, LongAsciiWordIsFoldedIntoEncodedWords) {
  std::string text = "x" + std::string(300, 'a') + " =?not-a-word?= end";
  std::string header = EncodeUnstructuredHeader("Subject", text);
  ParsedMail p = Parse(header + "\n\n");
  for (const std::string& line : p.lines) EXPECT_LE(line.size(), 78u) << line;
  EXPECT_EQ(DecodeWords(Header(p, "Subject")), text);
}

TEST(MailHeader, BlanksBetweenEncodedWordsSurvive) {
  std::string text = "Re: ä  ö x";
  ParsedMail p = Parse(EncodeUnstructuredHeader("Subject", text) + "\n\n");
  EXPECT_EQ(DecodeWords(Header(p, "Subject")), text);
}

TEST(MailHeader, RejectsAddressesThatCouldAddRecipientsOrHeaders) {
  std::string header, err;
  for (const char* bad :
       {"a@example.org, b@example.org", "a@example.org\nBcc: b@example.org",
        "a@example.org\r", "a@example.org; b@example.org", "",
        "Name <a@example.org> <b@example.org>", "<a@example.org",
        "a b@example.org", "a@exa mple.org", "\"x\"y\" <a@example.org>",
        "ä@example.org", "a@@example.org"}) {
    err.clear();
    EXPECT_FALSE(CheckMailAddress(bad, &header, &err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  EXPECT_TRUE(CheckMailAddress(" dev@example.org ", &header, &err)) << err;
  EXPECT_EQ(header, "dev@example.org");
  EXPECT_TRUE(CheckMailAddress("builder", &header, &err)) << err;
  EXPECT_EQ(header, "builder");
  // Even quoted, a comma is refused: too easy to get wrong downstream.
  EXPECT_FALSE(CheckMailAddress("\"Build, Bot\" <b@x.org>", &header, &err));
  EXPECT_TRUE(CheckMailAddress("Build Bot Jr. <b@x.org>", &header, &err));
  EXPECT_EQ(header, "\"Build Bot Jr.\" <b@x.org>");
  EXPECT_TRUE(CheckMailAddress("Jörg <j@x.org>", &header, &err)) << err;
  EXPECT_EQ(header, "=?UTF-8?B?SsO2cmc=?= <j@x.org>");
}

TEST(MailHeader, ControlCharactersBecomeBlanks) {
  std::string header = EncodeUnstructuredHeader("Subject",
                                                "a\r\nBcc: b\x01"
                                                "c\x7f\xc2\x85"
                                                "d");
  EXPECT_EQ(header, "Subject: a  Bcc: b c  d");
  // U+2028, a line separator to some readers, is not kept either.
  EXPECT_EQ(EncodeUnstructuredHeader("Subject", "x\xe2\x80\xa8y"),
            "Subject: x y");
}

TEST(MailHeader, ShortAsciiTextStaysReadable) {
  EXPECT_EQ(EncodeUnstructuredHeader("Subject", "Re: [mixmaster] Building a/b"),
            "Subject: Re: [mixmaster] Building a/b");
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word" + std::to_string(i) + " ";
  std::string header = EncodeUnstructuredHeader("Subject", words);
  EXPECT_THAT(header, Not(HasSubstr("=?"))) << header;
  ParsedMail p = Parse(header + "\n\n");
  EXPECT_GT(p.lines.size(), 1u);
  for (const std::string& line : p.lines) EXPECT_LE(line.size(), 78u) << line;
  EXPECT_EQ(Header(p, "Subject"), words);
}

TEST(MailHeader, ValidUtf8ReplacesEveryBadByte) {
  EXPECT_EQ(ValidUtf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"),
            "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");             // surrogate
  EXPECT_EQ(ValidUtf8("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // cut short
}

}  // namespace
}  // namespace mm
