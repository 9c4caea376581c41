// Layering probe, expected NOT to compile: tokenizer/ sits left of engine/ and cannot see it.
#include "engine/db_impl.h"

int LayeringProbeTokenizerSeesEngine() { return 0; }
