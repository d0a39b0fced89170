// The version, set by the Makefile.
#ifndef MIXMASTER_VERSION_H_
#define MIXMASTER_VERSION_H_

#ifndef MIXMASTER_VERSION
#define MIXMASTER_VERSION "unknown"
#endif

namespace mm {
inline const char* Version() { return MIXMASTER_VERSION; }
}  // namespace mm

#endif  // MIXMASTER_VERSION_H_
