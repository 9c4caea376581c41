#!/usr/bin/env bash
# The kill loop: quiver CLI writes (add, ingest, delete, reembed, compact) SIGKILLed at random
# moments until N kills have landed, the database checked after each (scripts/kill_loop.py has
# the checks). Prints the figures: operations, kills, acknowledged, lost_writes, half_visible,
# rebuilds, records, seconds, kills by op. Exits 1 when a check fails, keeping the database.
#   scripts/kill_loop.sh N [--seed S] [--keep]
# The CLI is $QUIVER_CLI, else build/cli/quiver (scripts/build.sh quiver_cli). ctest runs
# N = 10 as kill_loop.10.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export QUIVER_CLI=${QUIVER_CLI:-$root/build/cli/quiver}
exec python3 "$root/scripts/kill_loop.py" "$@"
