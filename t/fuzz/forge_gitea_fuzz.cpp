// The Gitea payload mapper: see forge_fuzz.h.
#define MM_FUZZ_FORMAT kGitea
#include "forge_fuzz.h"
