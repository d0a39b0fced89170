#include "http/signature.h"

#include <gtest/gtest.h>

#include <string>

namespace mm {
namespace {

// RFC 4231, section 4: HMAC-SHA-256 test cases.
TEST(SignatureTest, Rfc4231KnownAnswers) {
  struct Case {
    std::string key, data, hmac;
  };
  const Case cases[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11"
       "\x12\x13\x14\x15\x16\x17\x18\x19",
       std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {std::string(131, '\xaa'),
       "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than "
       "block-size data. The key needs to be hashed before being used by the "
       "HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const Case& c : cases) EXPECT_EQ(HmacSha256Hex(c.key, c.data), c.hmac);
  // Test case 5 is truncated to 128 bits.
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0c'), "Test With Truncation")
                .substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
}

const char kSecret[] = "s3cret";
const char kBody[] = "{\"project\":\"o/r\"}";

HttpRequest Signed(const std::string& header, const std::string& value) {
  HttpRequest r;
  r.body = kBody;
  r.headers.push_back({"Content-Type", "application/json"});
  if (!header.empty()) r.headers.push_back({header, value});
  return r;
}

SignatureCheck Check(const HttpRequest& r) {
  std::string detail;
  return CheckSignature(kSecret, r, &detail);
}

TEST(SignatureTest, AcceptsEachForgesForm) {
  std::string hex = HmacSha256Hex(kSecret, kBody);
  EXPECT_EQ(Check(Signed("X-Gitea-Signature", hex)), SignatureCheck::kValid);
  EXPECT_EQ(Check(Signed("X-Forgejo-Signature", hex)), SignatureCheck::kValid);
  EXPECT_EQ(Check(Signed("X-Hub-Signature-256", "sha256=" + hex)),
            SignatureCheck::kValid);
  EXPECT_EQ(Check(Signed("X-Gitlab-Token", kSecret)), SignatureCheck::kValid);
  // Header names are case-insensitive; hex digits may be upper-case.
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(toupper(c));
  EXPECT_EQ(Check(Signed("x-gitea-signature", upper)), SignatureCheck::kValid);
}

TEST(SignatureTest, MissingSignatureIsMissing) {
  std::string detail;
  EXPECT_EQ(CheckSignature(kSecret, Signed("", ""), &detail),
            SignatureCheck::kMissing);
  EXPECT_EQ(detail, "no signature header");
  // The SHA-1 X-Hub-Signature is not one of the accepted forms.
  EXPECT_EQ(Check(Signed("X-Hub-Signature", "sha1=abc")),
            SignatureCheck::kMissing);
}

TEST(SignatureTest, WrongSignaturesAreWrong) {
  std::string hex = HmacSha256Hex(kSecret, kBody);
  std::string flipped = hex;
  flipped[63] = flipped[63] == '0' ? '1' : '0';
  EXPECT_EQ(Check(Signed("X-Gitea-Signature", flipped)),
            SignatureCheck::kWrong);
  EXPECT_EQ(Check(Signed("X-Gitea-Signature", hex.substr(0, 63))),
            SignatureCheck::kWrong);
  EXPECT_EQ(Check(Signed("X-Gitea-Signature", "")), SignatureCheck::kWrong);
  // The hex alone, without `sha256=`, is not GitHub's form.
  EXPECT_EQ(Check(Signed("X-Hub-Signature-256", hex)), SignatureCheck::kWrong);
  EXPECT_EQ(Check(Signed("X-Gitlab-Token", "s3cre")), SignatureCheck::kWrong);
  EXPECT_EQ(Check(Signed("X-Gitlab-Token", hex)), SignatureCheck::kWrong);
  // A signature of another body.
  EXPECT_EQ(Check(Signed("X-Gitea-Signature", HmacSha256Hex(kSecret, "{}"))),
            SignatureCheck::kWrong);
  std::string detail;
  CheckSignature(kSecret, Signed("X-Hub-Signature-256", "sha256=00"), &detail);
  EXPECT_EQ(detail, "wrong signature in X-Hub-Signature-256");
}

TEST(SignatureTest, AnySignatureHeaderCountsAsPresentWithoutTheBody) {
  // The bridge asks this before it reads the body, to answer 401 early.
  HttpRequest r = Signed("", "");
  r.body.clear();
  EXPECT_FALSE(HasSignatureHeader(r));
  r.headers.push_back({"X-Hub-Signature", "sha1=00"});  // not a form we take
  EXPECT_FALSE(HasSignatureHeader(r));
  for (const char* name : {"X-Gitea-Signature", "x-forgejo-signature",
                           "X-Hub-Signature-256", "X-GITLAB-TOKEN"}) {
    HttpRequest one = r;
    one.headers.push_back({name, "wrong"});
    EXPECT_TRUE(HasSignatureHeader(one)) << name;
  }
}

TEST(SignatureTest, OneValidSignatureAmongSeveralIsEnough) {
  HttpRequest r = Signed("X-Gitea-Signature", "00");
  r.headers.push_back(
      {"X-Hub-Signature-256", "sha256=" + HmacSha256Hex(kSecret, kBody)});
  EXPECT_EQ(Check(r), SignatureCheck::kValid);
}

}  // namespace
}  // namespace mm
