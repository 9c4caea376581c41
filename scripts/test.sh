#!/usr/bin/env bash
# Builds everything and runs the whole test suite under ctest, then the sanitizer stage:
# the whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/) and
# the concurrency and stress suites under ThreadSanitizer (build-tsan/), by scripts/sanitize.sh.
# QUIVER_SANITIZE picks the sanitizer stage: "all" (the default, or 1) runs both; "thread" only
# the ThreadSanitizer half; 0 none. With a warm ccache the ASan+UBSan half is a rebuild of what
# changed plus a ~15-minute run of the suite, the TSan half a rebuild plus 20 s; with a cold
# ccache each is a whole extra build of the tree at -O1 (about an hour for ASan+UBSan on this
# 2-core machine). See docs/benchmarks.md "Reliability (issue 14)".
# Assumes scripts/setup.sh has installed the packages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
if [ -x "$root/scripts/fetch_test_data.sh" ]; then
  "$root/scripts/fetch_test_data.sh"
fi
(cd "$build" && ctest --output-on-failure -j"${QUIVER_JOBS:-2}" --timeout 900)
case "${QUIVER_SANITIZE:-all}" in
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
