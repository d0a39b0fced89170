// The exit codes every program shares (EXIT STATUS in each man page).
#ifndef MIXMASTER_EXIT_CODES_H_
#define MIXMASTER_EXIT_CODES_H_

namespace mm {

constexpr int kExitOk = 0;  // done
// A job or input was bad (already logged); for mmsetup, the question was
// not answered yes.
constexpr int kExitBadInput = 1;
constexpr int kExitUsage = 2;   // usage error
constexpr int kExitConfig = 3;  // configuration error
constexpr int kExitSystem = 4;  // system error (I/O, fork)

}  // namespace mm

#endif  // MIXMASTER_EXIT_CODES_H_
