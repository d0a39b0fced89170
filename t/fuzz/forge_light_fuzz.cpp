// The Lightweight payload mapper: see forge_fuzz.h.
#define MM_FUZZ_FORMAT kNone  // the lightweight JSON of `/`
#include "forge_fuzz.h"
