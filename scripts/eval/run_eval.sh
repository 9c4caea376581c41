#!/usr/bin/env bash
# Retrieval quality on real data with known answers, end to end:
#   1. renders N man pages of sections 1 and 8 (scripts/render_manpages.sh --limit N);
#   2. turns each page's NAME description into a query whose answer is that page
#      (scripts/eval/make_queries.py; the indexed text has no NAME section);
#   3. runs the queries through Xapian's BM25 as the peer baseline (scripts/eval/xapian_bm25.py);
#   4. ingests the same pages into a fresh quiver database and runs the queries in the bm25,
#      dense and hybrid modes:
#        $QUIVER ingest DB CORPUS.jsonl
#        $QUIVER query DB --queries QUERIES.txt --mode M -k 10 --json
#      (QUERIES.txt: one query a line; each hit line carries at least "query" = the 1-based
#      line number, "id" = page id or "<page id>#<chunk>", "score");
#   5. scores every run (scripts/eval/score.py) and prints a markdown table of MRR@10 and
#      recall@10 per system/mode, with wall times, also written to results-N.md.
#
# Usage: scripts/eval/run_eval.sh [--pages N] [--skip-quiver] [--fresh]
#   --pages N      pages to render (default 2000; see below)
#   --skip-quiver  run only the Xapian half (e.g. before the CLI is built); says so in the table
#   --fresh        render again even if the corpus for N is already there
# Environment: QUIVER (default build/cli/quiver), EVAL_DIR (default .cache/eval),
#              RENDER_JOBS (default 2).
# Outputs in $EVAL_DIR: corpus-N.jsonl, queries-N.jsonl, queries-N.txt, run-N-<system>.jsonl,
#   quiver-N.db, results-N.md, and the logs of each step (*.log).
#
# Why 2000 pages: rendering costs ~0.1 s of CPU a page (under 2 min for 2000 on 2 idle cores),
# and 2000 pages are ~17 MB of text, which quiver should ingest (tokenize, train its word
# vectors, index) in a few minutes on 2 cores (its Brown-corpus train, 6 MB, takes ~12 s).
# 2000 also covers every section 1/8 page of a typical Debian install; where one package ships
# thousands of pages (google-cloud-cli), the renderer's family round robin keeps that package
# to the share left after all the others.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
pages=2000; skip_quiver=0; fresh=0
while (($#)); do
  case "$1" in
    --pages) pages=$2; shift 2 ;;
    --skip-quiver) skip_quiver=1; shift ;;
    --fresh) fresh=1; shift ;;
    *) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done
quiver=${QUIVER:-$root/build/cli/quiver}
dir=${EVAL_DIR:-$root/.cache/eval}
mkdir -p "$dir"
"$py" -c 'import xapian' 2>/dev/null || {
  echo "run_eval: python3-xapian is missing (scripts/setup.sh installs it)" >&2; exit 1; }
if ((!skip_quiver)) && [ ! -x "$quiver" ]; then
  echo "run_eval: no quiver CLI at $quiver (build it, set QUIVER, or pass --skip-quiver)" >&2
  exit 1
fi

corpus=$dir/corpus-$pages.jsonl queries=$dir/queries-$pages.jsonl qtext=$dir/queries-$pages.txt
now() { date +%s%N; }
secs() { local ms=$((($2 - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

if ((fresh)) || [ ! -s "$corpus" ]; then
  t=$(now)
  RENDER_JOBS=${RENDER_JOBS:-2}
  "$root/scripts/render_manpages.sh" "$corpus" --limit "$pages" --jobs "$RENDER_JOBS" 2> "$dir/render-$pages.log"
  echo "run_eval: rendered $corpus in $(secs "$t" "$(now)") s"
else
  echo "run_eval: reusing $corpus (--fresh renders it again)"
fi
tail -n 2 "$dir/render-$pages.log" 2>/dev/null | sed 's/^/  /' || true
"$py" "$root/scripts/eval/make_queries.py" "$corpus" "$queries" --text "$qtext"
docs=$(wc -l < "$corpus"); nq=$(wc -l < "$queries")
mb=$("$py" -c 'import json,sys; print(round(sum(len(json.loads(l)["text"].encode()) for l in open(sys.argv[1]))/1e6, 1))' "$corpus")

rows=()
score() {  # score LABEL RUN INDEX_S QUERY_S
  local r; r=$("$py" "$root/scripts/eval/score.py" "$queries" "$2" --json)
  rows+=("$("$py" -c 'import json,sys; r=json.loads(sys.argv[1]); a=sys.argv
print("| %s | %.3f | %.3f | %s | %s |" % (a[2], r["mrr@10"], r["recall@10"], a[3], a[4]))' "$r" "$1" "$3" "$4")")
  echo "run_eval: $1: $r"
}

# Xapian: index and query in one process; its own log has the split.
run=$dir/run-$pages-xapian.jsonl
"$py" "$root/scripts/eval/xapian_bm25.py" "$corpus" "$queries" "$run" 2> "$dir/xapian-$pages.log"
sed 's/^/  /' "$dir/xapian-$pages.log"
x_index=$(sed -n 's/.*indexed [0-9]* pages in \([0-9.]*\) s.*/\1/p' "$dir/xapian-$pages.log")
x_query=$(sed -n 's/.* queries in \([0-9.]*\) s.*/\1/p' "$dir/xapian-$pages.log")
score "Xapian BM25 (peer)" "$run" "$x_index" "$x_query"

if ((!skip_quiver)); then
  db=$dir/quiver-$pages.db
  rm -rf "$db"
  t=$(now)
  "$quiver" ingest "$db" "$corpus" 2>&1 | tee "$dir/quiver-ingest-$pages.log" | tail -n 5 | sed 's/^/  /'
  ingest_s=$(secs "$t" "$(now)")
  echo "run_eval: quiver ingest: $ingest_s s"
  for mode in bm25 dense hybrid; do
    run=$dir/run-$pages-quiver-$mode.jsonl
    t=$(now)
    log=$dir/quiver-query-$mode-$pages.log
    # quiver returns chunks and Xapian whole pages: asking for 30 chunks lets score.py rank
    # the first 10 distinct pages for both.
    "$quiver" query "$db" --queries "$qtext" --mode "$mode" -k 30 --json > "$run" 2> "$log" || {
      echo "run_eval: quiver query --mode $mode failed; the end of $log:" >&2; tail -n 20 "$log" >&2; exit 1; }
    score "quiver $mode" "$run" "$ingest_s" "$(secs "$t" "$(now)")"
  done
fi

{
  echo "Known-item retrieval on $docs man pages (sections 1, 8; $mb MB of text), $nq queries:"
  echo "query = the page's NAME description, answer = that page (indexed without its NAME section)."
  echo
  echo "| system/mode | MRR@10 | recall@10 | index (s) | queries (s) |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  ((!skip_quiver)) || echo "(quiver not run: --skip-quiver)"
} | tee "$dir/results-$pages.md"
