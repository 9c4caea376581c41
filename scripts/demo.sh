#!/usr/bin/env bash
# The main job on a default database: builds the CLI, renders a varied sample of this
# machine's man pages to text (build/demo-manpages.jsonl, kept for the next run), ingests them
# into ./build/demo.db (replacing an earlier demo database; the embedding model is trained on
# the pages first), then asks it questions in each query mode, with a metadata filter and
# with --like, and verifies the database.
#
# Environment: QUIVER_BUILD_DIR (default build), QUIVER_DEMO_DB (default build/demo.db),
# QUIVER_DEMO_PAGES (default 800: about a minute of rendering on 2 cores).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QUIVER_BUILD_DIR:-$root/build}
"$root/scripts/build.sh" quiver_cli
quiver="$build/cli/quiver"
db=${QUIVER_DEMO_DB:-$build/demo.db}
pages=${QUIVER_DEMO_PAGES:-800}
corpus=$build/demo-manpages-$pages.jsonl

if [ ! -s "$corpus" ]; then
  echo "# rendering $pages man pages to text (one JSON line per page)..."
  "$root/scripts/render_manpages.sh" "$corpus.partial" --limit "$pages" 2> "$build/demo-render.log"
  tail -n 1 "$build/demo-render.log"
  mv "$corpus.partial" "$corpus"
fi

rm -rf "$db"
run() { echo "\$ quiver $*"; "$quiver" "$@"; echo; }
run ingest "$db" "$corpus" --meta-fields name section description --dim 256
echo "# hybrid (the default): full-text BM25 and dense lists fused by a weighted combination of normalized scores"
run query "$db" "copy files to another computer over the network" -k 5
echo "# bm25 only, then dense only"
run query "$db" "show free and used memory" -k 5 --mode bm25
run query "$db" "compress and decompress archives" -k 5 --mode dense
echo "# only section 8 (system administration) pages, as JSON lines"
run query "$db" "mount a file system" -k 3 --where '{"section": "8"}' --json
first=$(head -c 200 "$corpus" | sed -n 's/^{"id": *"\([^"]*\)".*/\1/p')
echo "# chunks most like the first chunk of $first"
run query "$db" --like "$first#0" -k 3
run stats "$db"
run verify "$db"
