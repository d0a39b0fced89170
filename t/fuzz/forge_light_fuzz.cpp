// The Lightweight payload mapper: see forge_fuzz.h.
#define MM_FUZZ_FORMAT kLightweight
#include "forge_fuzz.h"
