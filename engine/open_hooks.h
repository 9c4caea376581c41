// Test-only hooks into opening a database, outside the installed API: the fault suites open
// a DB whose every file operation (store, checkpoints) asks a util::FaultInjector first.
#ifndef QUIVER_ENGINE_OPEN_HOOKS_H_
#define QUIVER_ENGINE_OPEN_HOOKS_H_

#include <memory>
#include <string>

#include "quiver/db.h"
#include "util/fault_injection.h"

namespace quiver::engine {

struct OpenHooks {
  // Consulted before each file creation, write, sync and rename; must outlive the DB.
  util::FaultInjector* faults = nullptr;
};

// DB::Open with `hooks`.
Result<std::unique_ptr<DB>> OpenWithHooks(const Options& options, const std::string& path,
                                          const OpenHooks& hooks);

}  // namespace quiver::engine

#endif  // QUIVER_ENGINE_OPEN_HOOKS_H_
