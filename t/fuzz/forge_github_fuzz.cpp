// The GitHub payload mapper: see forge_fuzz.h.
#define MM_FUZZ_FORMAT kGitHub
#include "forge_fuzz.h"
