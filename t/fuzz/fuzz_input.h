// Splitting one libFuzzer input into the parts a target needs: lines taken
// off the front, then the rest as one string.
#ifndef MIXMASTER_FUZZ_INPUT_H_
#define MIXMASTER_FUZZ_INPUT_H_

#include <stddef.h>
#include <stdint.h>

#include <string>

namespace mm_fuzz {

class Input {
 public:
  Input(const uint8_t* data, size_t size)
      : text_(reinterpret_cast<const char*>(data), size) {}
  // The next line (without its newline); the rest when there is none.
  std::string Line() {
    size_t nl = text_.find('\n', pos_);
    if (nl == std::string::npos) nl = text_.size();
    std::string line = text_.substr(pos_, nl - pos_);
    pos_ = nl < text_.size() ? nl + 1 : nl;
    return line;
  }
  std::string Rest() const { return text_.substr(pos_); }

 private:
  std::string text_;
  size_t pos_ = 0;
};

}  // namespace mm_fuzz

#endif  // MIXMASTER_FUZZ_INPUT_H_
