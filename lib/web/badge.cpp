#include "web/badge.h"

#include "web/html.h"

namespace mm {
namespace {

// An estimate of the text's width in the badge's 11px sans-serif: no font
// metrics are at hand, and a little slack on either side looks fine.
int TextWidth(const std::string& text) {
  int width = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) width += 7;
  return width + 12;
}

}  // namespace

const char* StatusColour(const std::string& status) {
  if (status == "success") return "#2e8b3d";
  if (status == "failure") return "#c9302c";
  if (status == "error") return "#d9822b";
  if (status == "running") return "#2f6fb3";
  return "#777777";
}

std::string BadgeSvg(const std::string& label, const std::string& status) {
  int left = TextWidth(label), right = TextWidth(status);
  std::string w = std::to_string(left + right), l = std::to_string(left),
              r = std::to_string(right);
  std::string el = HtmlEscape(label), es = HtmlEscape(status);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + w +
         "\" height=\"20\" role=\"img\" aria-label=\"" + el + ": " + es +
         "\">\n<title>" + el + ": " + es + "</title>\n<rect width=\"" + l +
         "\" height=\"20\" fill=\"#555\"/>\n<rect x=\"" + l + "\" width=\"" +
         r + "\" height=\"20\" fill=\"" + StatusColour(status) +
         "\"/>\n<g fill=\"#fff\" font-family=\"Verdana,DejaVu "
         "Sans,sans-serif\" "
         "font-size=\"11\" text-anchor=\"middle\">\n<text x=\"" +
         std::to_string(left / 2) + "\" y=\"14\">" + el +
         "</text>\n<text x=\"" + std::to_string(left + right / 2) +
         "\" y=\"14\">" + es + "</text>\n</g>\n</svg>\n";
}

}  // namespace mm
