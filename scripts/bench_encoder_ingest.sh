#!/usr/bin/env bash
# End-to-end ingest and dense-query speed through the CLI with a transformer encoder (issue 12):
# the random MiniLM-L6-shaped model of scripts/bench_encoder.sh (.cache/bench-encoder/
# minilm-l6-random, built by scripts/bench_encoder/make_model.py when missing):
#   1. quiver create DB --dim 384; quiver import DB --model MODEL_DIR --precision P;
#      quiver model DB;
#   2. quiver ingest DB PAGES.jsonl: N of the rendered man pages of scripts/eval/run_eval.sh
#      ($EVAL_DIR/corpus-2000.jsonl; rendered by scripts/render_manpages.sh --limit 2000 when
#      missing), every k-th line so the sample is not alphabetical; MB/s is the records' text
#      (UTF-8 bytes of the "text" fields, counted here) over the ingest time `quiver ingest`
#      reports, chunks/s its chunk count over that time (its own MB/s has two decimals only);
#   3. quiver query DB --mode dense --queries FILE: the pages' NAME descriptions
#      ($EVAL_DIR/queries-2000.txt, or the sampled pages' "description" fields), Q of them;
#      latency per query = (time for Q queries - time for 1 query) / (Q - 1), so process start,
#      open and model load are left out (a mean, not a median: the CLI prints no timings).
# Raw output to bench/results/issue12_ingest.txt (--out).
# Usage: scripts/bench_encoder_ingest.sh [--records 200] [--queries 200] [--threads 0]
#          [--precision fp32|bf16|int8] [--dir .cache/bench-encoder] [--out FILE]
# Environment: QUIVER (default build/cli/quiver), EVAL_DIR (default .cache/eval).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
quiver=${QUIVER:-$root/build/cli/quiver}
records=200; queries=200; threads=0; precision=fp32; dir=$root/.cache/bench-encoder
out=$root/bench/results/issue12_ingest.txt
while (($#)); do
  case "$1" in
    --records) records=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --precision) precision=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done
eval_dir=${EVAL_DIR:-$root/.cache/eval}
model=$root/.cache/bench-encoder/minilm-l6-random
[ -x "$quiver" ] || { echo "bench_encoder_ingest: no quiver CLI at $quiver (set QUIVER)" >&2; exit 1; }
if ! "$quiver" import --help 2>&1 | grep -Eq -- '--model([^-a-z]|$)'; then
  echo "bench_encoder_ingest: $quiver has no 'import --model' (the encoder engine integration)" >&2
  exit 1
fi
if [ ! -f "$model/model.safetensors" ]; then
  modules=$("$root/scripts/bench_encoder/ort_node.sh")
  /usr/bin/python3 "$root/scripts/bench_encoder/make_model.py" "$model" --node-modules "$modules"
fi
pages=$eval_dir/corpus-2000.jsonl
if [ ! -s "$pages" ]; then
  mkdir -p "$eval_dir"
  "$root/scripts/render_manpages.sh" "$pages" --limit 2000 --jobs 2
fi
mkdir -p "$dir" "$(dirname "$out")"
sample=$dir/pages-$records.jsonl
total=$(wc -l < "$pages")
step=$(((total + records - 1) / records))
awk -v k="$step" -v n="$records" '(NR - 1) % k == 0 && c < n {print; ++c}' "$pages" > "$sample"
qfile=$dir/queries-$queries.txt
if [ -s "$eval_dir/queries-2000.txt" ]; then
  head -n "$queries" "$eval_dir/queries-2000.txt" > "$qfile"
else
  /usr/bin/python3 -c 'import json,sys; [print(json.loads(l)["description"]) for l in open(sys.argv[1])]' \
    "$sample" | head -n "$queries" > "$qfile"
fi
head -n 1 "$qfile" > "$dir/queries-1.txt"
nq=$(wc -l < "$qfile")

now() { date +%s%N; }
db=$dir/minilm-ingest-$precision.db
{
  echo "# scripts/bench_encoder_ingest.sh --records $records --queries $queries --threads $threads --precision $precision"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$root" rev-parse --short HEAD); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# quiver CLI: $quiver (built $(date -u -r "$quiver" +%Y-%m-%dT%H:%M:%SZ))"
  echo "# pages: $(wc -l < "$sample") of $total lines of $pages (every ${step}th), $(du -b "$sample" | cut -f1) bytes of JSONL"
  rm -rf "$db"
  "$quiver" create "$db" --dim 384
  "$quiver" import "$db" --model "$model" --precision "$precision"
  "$quiver" model "$db"
  t=$(now)
  line=$("$quiver" ingest "$db" "$sample" --threads "$threads" 2>/dev/null | tail -n 1)
  echo "$line"
  text_bytes=$(/usr/bin/python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1])))' "$sample")
  echo "$line" | awk -v b="$text_bytes" '{
    for (i = 1; i <= NF; ++i) { if ($(i + 1) == "chunks" && $(i + 2) == "added,") c = $i; if ($(i + 1) == "s" && $(i - 1) == "in") s = $i }
    printf "ingest: %d chunks, %d bytes of text in %.1f s: %.4f MB/s, %.2f chunks/s\n", c, b, s, b / 1e6 / s, c / s }'
  awk -v ns="$(($(now) - t))" 'BEGIN {printf "ingest process wall time: %.1f s\n", ns / 1e9}'
  "$quiver" query "$db" --mode dense --queries "$dir/queries-1.txt" > /dev/null  # warm the page cache
  t=$(now)
  "$quiver" query "$db" --mode dense --queries "$dir/queries-1.txt" > /dev/null
  t1=$(($(now) - t))
  t=$(now)
  "$quiver" query "$db" --mode dense --queries "$qfile" > /dev/null
  tq=$(($(now) - t))
  awk -v t1="$t1" -v tq="$tq" -v n="$nq" 'BEGIN {
    printf "dense query: 1 query %.1f ms (process), %d queries %.1f ms; per query %.2f ms\n",
      t1 / 1e6, n, tq / 1e6, (tq - t1) / 1e6 / (n - 1) }'
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
