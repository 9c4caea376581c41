#!/usr/bin/env bash
# Builds everything and runs the whole test suite under ctest, then the sanitizer stage:
# the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# the concurrency and stress suites under ThreadSanitizer (build-tsan/), by scripts/sanitize.sh.
# QUIVER_SANITIZE picks the sanitizer stage: "thread" (the default) runs the concurrency and
# stress suites under ThreadSanitizer, about 10 min with a warm ccache (one build of the tree
# at -O1 plus a 20 s run); "all" (or 1) adds the whole suite under ASan+UBSan, a second extra
# build that with a cold ccache would push CI past its 90-minute limit on this 2-core machine,
# so it stays opt-in for now; 0 runs none. See docs/benchmarks.md "Reliability (issue 14)".
# Assumes scripts/setup.sh has installed the packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
if [ -x "$root/scripts/fetch_test_data.sh" ]; then
  "$root/scripts/fetch_test_data.sh"
fi
(cd "$build" && ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 900)
case "${QUIVER_SANITIZE:-thread}" in
  0) kinds=() ;;
  thread) kinds=(thread) ;;
  1 | all) kinds=(address,undefined thread) ;;
  *)
    echo "test: QUIVER_SANITIZE is 0, thread or all; found '$QUIVER_SANITIZE'" >&2
    exit 2
    ;;
esac
for kind in "${kinds[@]}"; do
  start=$SECONDS
  "$root/scripts/sanitize.sh" "$kind"
  echo "test: sanitizer stage $kind passed in $((SECONDS - start)) s"
done
