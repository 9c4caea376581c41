// Layering probe, expected NOT to compile: cli/ sees only the installed API (include/quiver/).
#include "quiver/db.h"
#include "storage/store.h"

int LayeringProbeCliSeesStorage() { return 0; }
