// Layering probe, expected to compile: tokenizer/ may include util/ and its own headers.
#include "tokenizer/tokenizer.h"
#include "util/utf8.h"

int LayeringProbeAllowed() { return static_cast<int>(quiver::utf8::IsValid("ok")); }
