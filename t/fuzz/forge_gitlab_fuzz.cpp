// The GitLab payload mapper: see forge_fuzz.h.
#define MM_FUZZ_FORMAT kGitLab
#include "forge_fuzz.h"
