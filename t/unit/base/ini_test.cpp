#include "base/ini.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using ::testing::HasSubstr;
using ::testing::Not;

namespace mm {
namespace {

TEST(IniTest, SectionsKeysAndComments) {
  IniDocument doc;
  std::string err;
  ASSERT_TRUE(
      ParseIni("; a comment\n"
               "  # another\n"
               "[_]\n"
               "buildRoot = ~/Builds\n"
               "\n"
               "[owner/repo]\n"
               "  production   =   make deploy  \n",
               "x.ini", &doc, &err))
      << err;
  ASSERT_EQ(doc.sections.size(), 2u);
  EXPECT_EQ(doc.sections[0].name, "_");
  EXPECT_EQ(doc.sections[1].name, "owner/repo");
  ASSERT_NE(doc.sections[1].Find("production"), nullptr);
  EXPECT_EQ(doc.sections[1].Find("production")->value, "make deploy");
  EXPECT_EQ(doc.sections[1].Find("production")->line, 7);
  EXPECT_EQ(doc.Find("missing"), nullptr);
}

TEST(IniTest, SemicolonHashEqualsAndBracketStayInValues) {
  IniDocument doc;
  std::string err;
  ASSERT_TRUE(
      ParseIni("[p]\nmaster = make a; make b # not a comment\n"
               "x = FOO=bar [baz]\n",
               "x.ini", &doc, &err));
  EXPECT_EQ(doc.sections[0].Find("master")->value,
            "make a; make b # not a comment");
  EXPECT_EQ(doc.sections[0].Find("x")->value, "FOO=bar [baz]");
}

TEST(IniTest, EmptyValueAndCrlf) {
  IniDocument doc;
  std::string err;
  ASSERT_TRUE(ParseIni("[_]\r\nmailto =\r\n", "x.ini", &doc, &err)) << err;
  EXPECT_EQ(doc.sections[0].Find("mailto")->value, "");
}

TEST(IniTest, SectionNameTakenLiterally) {
  IniDocument doc;
  std::string err;
  ASSERT_TRUE(ParseIni("[Org Name/repo.git]\n", "x.ini", &doc, &err));
  EXPECT_EQ(doc.sections[0].name, "Org Name/repo.git");
}

struct BadCase {
  const char* text;
  const char* message;
};

TEST(IniTest, BadLinesNameFileAndLine) {
  const BadCase cases[] = {
      {"[p]\nthis is not ini\n", "x.ini:2: expected `key = value`"},
      {"[p]\n\n= value\n", "x.ini:3: empty key"},
      {"[unclosed\n", "x.ini:1: malformed section header"},
      {"[]\n", "x.ini:1: malformed section header"},
      {"key = value\n", "x.ini:1: `key` is outside any [section]"},
  };
  for (const BadCase& c : cases) {
    IniDocument doc;
    std::string err;
    EXPECT_FALSE(ParseIni(c.text, "x.ini", &doc, &err)) << c.text;
    EXPECT_EQ(err.rfind(c.message, 0), 0u) << err;
  }
}

TEST(IniTest, NulByteIsReportedWithItsLine) {
  IniDocument doc;
  std::string err;
  EXPECT_FALSE(
      ParseIni(std::string("[p]\na = b\0c\n", 11), "x.ini", &doc, &err));
  EXPECT_EQ(err, "x.ini:2: NUL byte in line");
}

TEST(IniTest, ReadMissingFileSaysWhich) {
  IniDocument doc;
  std::string err;
  EXPECT_FALSE(ReadIniFile("/nonexistent/mixmaster.ini", &doc, &err));
  EXPECT_THAT(err, HasSubstr("/nonexistent/mixmaster.ini"));
  EXPECT_THAT(err, HasSubstr("No such file"));
}

TEST(IniTest, FormatThenParseRoundTrips) {
  std::string text = FormatIniSection("job", {{"id", "1"}, {"b", "x = y"}});
  EXPECT_EQ(text, "[job]\nid = 1\nb = x = y\n");
  IniDocument doc;
  std::string err;
  ASSERT_TRUE(ParseIni(text, "j", &doc, &err));
  EXPECT_EQ(doc.sections[0].Find("b")->value, "x = y");
}

}  // namespace
}  // namespace mm
