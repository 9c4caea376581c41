#!/usr/bin/env bash
# Ingest throughput and reopen time through the CLI, with the embedding model already trained:
#   1. a model database trained once on the Brown corpus (.cache/testdata/brown.txt, from
#      scripts/fetch_test_data.sh): quiver train;
#   2. short records: the corpus cut at sentence ends into records of ~100 bytes (JSONL
#      {"id","text"}), N of them (--records, default 200000, cycling over the corpus with the
#      copy number in the id), ingested into a fresh database with --model-from (MB/s as
#      `quiver ingest` reports it: record text bytes over the ingest time);
#   3. man pages: $EVAL_DIR/corpus-2000.jsonl (scripts/eval/run_eval.sh renders it), the same
#      way;
#   4. reopen: with --reopen-records M (default 0: skipped), M short records are ingested,
#      the database closed, and `quiver stats DB` timed three times (process start, open with
#      both checkpoints loaded, stats, close).
# Usage: scripts/bench_ingest.sh [--records N] [--reopen-records M] [--dir DIR]
# Environment: QUIVER (default build/cli/quiver), EVAL_DIR (default .cache/eval).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quiver=${QUIVER:-$root/build/cli/quiver}
records=200000; reopen=0; dir=$root/.cache/bench-ingest
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --reopen-records) reopen=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done
eval_dir=${EVAL_DIR:-$root/.cache/eval}
brown=$root/.cache/testdata/brown.txt
[ -s "$brown" ] || { echo "bench_ingest: no $brown (run scripts/fetch_test_data.sh)" >&2; exit 1; }
mkdir -p "$dir"
model=$dir/model.db
if [ ! -d "$model" ]; then
  rm -rf "$model.tmp"
  "$quiver" create "$model.tmp" --dim 256 >/dev/null
  "$quiver" train "$model.tmp" --corpus "$brown" >/dev/null
  mv "$model.tmp" "$model"
fi
short_records() {  # short_records N OUT
  /usr/bin/python3 - "$brown" "$1" "$2" <<'PY'
import json, re, sys
brown, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
pieces = []
for line in open(brown, encoding="utf-8"):
    piece = ""
    for sentence in re.split(r"(?<=[.!?]) ", line.strip()):
        piece = (piece + " " + sentence).strip()
        if len(piece) >= 80:
            pieces.append(piece)
            piece = ""
    if piece:
        pieces.append(piece)
with open(out, "w", encoding="utf-8") as f:
    for i in range(n):
        f.write(json.dumps({"id": "r%d" % i, "text": pieces[i % len(pieces)]}) + "\n")
PY
}
ingest() {  # ingest LABEL DB FILE
  rm -rf "$2"
  local line
  line=$("$quiver" ingest "$2" "$3" --model-from "$model" 2>/dev/null | tail -n 1)
  echo "$1: $line"
}
short=$dir/short-$records.jsonl
[ -s "$short" ] || short_records "$records" "$short"
echo "short records: $(wc -l < "$short") records, $(du -h "$short" | cut -f1) of JSONL"
ingest "short records" "$dir/short.db" "$short"
pages=$eval_dir/corpus-2000.jsonl
if [ -s "$pages" ]; then
  ingest "man pages" "$dir/pages.db" "$pages"
else
  echo "man pages: skipped (no $pages; scripts/eval/run_eval.sh renders it)"
fi
if ((reopen > 0)); then
  big=$dir/short-$reopen.jsonl
  [ -s "$big" ] || short_records "$reopen" "$big"
  [ -d "$dir/reopen-$reopen.db" ] || ingest "reopen corpus" "$dir/reopen-$reopen.db" "$big"
  for i in 1 2 3; do
    start=$(date +%s%N)
    "$quiver" stats "$dir/reopen-$reopen.db" > "$dir/reopen-stats.txt"
    end=$(date +%s%N)
    echo "reopen $reopen records (quiver stats, whole process): $(( (end - start) / 1000000 )) ms"
  done
  grep -E "^count|checkpoint|full-text" "$dir/reopen-stats.txt" || true
fi
