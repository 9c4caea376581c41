#!/usr/bin/env bash
# The hybrid fusion settings side by side on collections run_eval.sh has built, to choose the
# default fusion from more than one collection (docs/benchmarks.md keeps the table):
# for every TAG given and every setting, `quiver query DB --queries Q --mode hybrid
# --fusion F --dense-weight W -k 30 --json`, scored by score.py (MRR@10, recall@10).
# Settings: convex with w = 0.05, 0.1, 0.2, 0.3; rrf with w = 0.1, 0.2, 0.35, 0.5 (0.5 = plain RRF).
# Usage: scripts/eval/fusion_grid.sh TAG... (e.g. 2000 debian)
# Environment: QUIVER (default build/cli/quiver), EVAL_DIR (default .cache/eval).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
quiver=${QUIVER:-$root/build/cli/quiver}
dir=${EVAL_DIR:-$root/.cache/eval}
(($#)) || { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
settings=("convex 0.05" "convex 0.1" "convex 0.2" "convex 0.3" "rrf 0.1" "rrf 0.2" "rrf 0.35" "rrf 0.5")
echo "| collection | fusion | dense weight | MRR@10 | recall@10 |"
echo "|---|---|---:|---:|---:|"
for tag in "$@"; do
  for setting in "${settings[@]}"; do
    read -r fusion weight <<< "$setting"
    run=$dir/grid-$tag-$fusion-$weight.jsonl
    "$quiver" query "$dir/quiver-$tag.db" --queries "$dir/queries-$tag.txt" --mode hybrid \
      --fusion "$fusion" --dense-weight "$weight" -k 30 --json --read-only > "$run"
    /usr/bin/python3 "$root/scripts/eval/score.py" "$dir/queries-$tag.jsonl" "$run" --json |
      /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin); a=sys.argv
print("| %s | %s | %s | %.3f | %.3f |" % (a[1], a[2], a[3], r["mrr@10"], r["recall@10"]))' "$tag" "$fusion" "$weight"
  done
done
