#!/usr/bin/env bash
# The main job on a default database: builds the CLI, stores the CSS named colours as RGB
# vectors in ./build/demo.db (replacing an earlier demo database), asks which stored colours
# are nearest to a few query colours, then shows stats and verifies the database.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" quiver_cli
quiver="$build/cli/quiver"
db=${QUIVER_DEMO_DB:-$build/demo.db}

rm -rf "$db"
run() { echo "\$ quiver $*"; "$quiver" "$@"; echo; }
run create "$db" --dim 3 --metric l2 --index HNSW32
run add "$db" "$root/examples/data/colors.jsonl"
echo "# nearest stored colours to a burnt orange (0.8, 0.35, 0.1):"
run search "$db" --vector 0.8,0.35,0.1 -k 5
echo "# ... to a pale blue (0.6, 0.8, 1.0), as JSON lines:"
run search "$db" --vector 0.6,0.8,1.0 -k 3 --json
run get "$db" teal
run stats "$db"
run verify "$db"
