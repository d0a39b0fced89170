#include "http/form.h"

#include <gtest/gtest.h>

#include <string>

namespace mm {
namespace {

std::string Field(const std::string& body,
                  const std::string& name = "payload") {
  std::string value, err;
  if (!FormField(body, name, &value, &err)) return "ERR " + err;
  return value;
}

TEST(FormTest, MediaType) {
  EXPECT_EQ(MediaType("application/json"), "application/json");
  EXPECT_EQ(MediaType(" Application/X-WWW-Form-Urlencoded ; charset=utf-8"),
            "application/x-www-form-urlencoded");
  EXPECT_EQ(MediaType(""), "");
  EXPECT_EQ(MediaType(" ; x=1"), "");
}

TEST(FormTest, IsFormContentType) {
  std::string form = "application/x-www-form-urlencoded";
  std::string with_charset = form + "; charset=UTF-8";
  std::string json = "application/json";
  EXPECT_TRUE(IsFormContentType(&form));
  EXPECT_TRUE(IsFormContentType(&with_charset));
  EXPECT_FALSE(IsFormContentType(&json));
  EXPECT_FALSE(IsFormContentType(nullptr));
}

// As GitHub sends it: payload=<the JSON, URL-encoded>.
TEST(FormTest, DecodesThePayload) {
  EXPECT_EQ(Field("payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D"),
            R"({"ref":"refs/heads/main"})");
  EXPECT_EQ(Field("payload=a+b%20c%2Bd"), "a b c+d");
  EXPECT_EQ(Field("other=1&payload=x&more"), "x");
  EXPECT_EQ(Field("payload="), "");
  EXPECT_EQ(Field("payload"), "");
  // Any byte, NUL and UTF-8 included, as the JSON parser then judges it.
  EXPECT_EQ(Field("payload=%00%C3%A9"), std::string("\0\xc3\xa9", 3));
  // The name is decoded too.
  EXPECT_EQ(Field("pay%6Coad=1"), "1");
}

TEST(FormTest, RefusesWhatIsAmbiguous) {
  EXPECT_EQ(Field(""), "ERR form body has no field payload");
  EXPECT_EQ(Field("payloads=1&xpayload=2"),
            "ERR form body has no field payload");
  EXPECT_EQ(Field("payload=1&payload=2"),
            "ERR form body has more than one field payload");
  EXPECT_EQ(Field("payload=%7"),
            "ERR form field payload has a %-escape that is not %XX");
  EXPECT_EQ(Field("payload=%zz"),
            "ERR form field payload has a %-escape that is not %XX");
  // A broken escape in another field is not the payload's business.
  EXPECT_EQ(Field("x=%zz&payload=ok"), "ok");
}

}  // namespace
}  // namespace mm
