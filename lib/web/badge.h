// The status badge of the web view (mmbridge(1) WEB VIEW): a small SVG with
// a label and the last build's status, for a README or a dashboard.
#ifndef MIXMASTER_BADGE_H_
#define MIXMASTER_BADGE_H_

#include <string>

namespace mm {

// The colour a status is shown in on the pages and the badge (a CSS colour):
// green success, red failure, orange error, grey killed or unknown, blue
// running.
const char* StatusColour(const std::string& status);

// An SVG image: `label` on grey, `status` on its colour. Both are escaped.
std::string BadgeSvg(const std::string& label, const std::string& status);

}  // namespace mm

#endif  // MIXMASTER_BADGE_H_
