#!/usr/bin/env bash
# Retrieval quality on real data with known answers, end to end, on one of two collections:
#   manpages (the default): N man pages of sections 1 and 8; query = a page's NAME description,
#     answer = that page (indexed without its NAME section);
#   debian: the long descriptions of Debian's packages; query = a package's synopsis (its
#     Description's first line), answer = that package (indexed: the long description only).
# For the chosen collection it
#   1. builds the corpus: man pages: renders them (scripts/render_manpages.sh --limit N);
#      debian: reads `apt-cache dumpavail` plus the archive's Translation-en indices, which hold
#      the long descriptions and which this machine's apt does not fetch (Acquire::Languages
#      "none"): the first run (and --fresh) fetches them with
#        apt-get update -o Acquire::Languages=en -o Dir::State::Lists=$EVAL_DIR/debian-apt-lists
#      into a lists directory of its own (needs root and the Debian archive; the system's apt
#      lists and caches are left alone), and later runs reuse that snapshot;
#   2. makes the known-item queries (man pages: scripts/eval/make_queries.py; debian:
#      scripts/eval/make_debian_descriptions.py, which also writes the corpus, and whose header
#      gives the filtering rule: no transitional/dummy packages, no shared texts or synopses);
#   3. runs the queries through Xapian's BM25 as the peer baseline (scripts/eval/xapian_bm25.py);
#   4. ingests the same corpus into a fresh quiver database and runs the queries in the bm25,
#      dense and hybrid modes:
#        $QUIVER ingest DB CORPUS.jsonl
#        $QUIVER query DB --queries QUERIES.txt --mode M -k 30 --json
#      (QUERIES.txt: one query a line; each hit line carries at least "query" = the 1-based
#      line number, "id" = page id or "<page id>#<chunk>", "score");
#   5. scores every run (scripts/eval/score.py) and prints a markdown table of MRR@10 and
#      recall@10 per system/mode, with wall times, also written to results-TAG.md.
#
# Usage: scripts/eval/run_eval.sh [--collection manpages|debian|all] [--pages N] [--docs N]
#                                 [--queries N] [--skip-quiver] [--fresh]
#   --collection   which collection (default manpages); all runs manpages, then debian, and
#                  prints both tables again at the end
#   --pages N      man pages to render (default 2000; see below)
#   --docs N       debian: keep N package descriptions (default 0 = all, ~58,000; a subset is
#                  chosen by a hash of the name, not alphabetically)
#   --queries N    debian: queries to sample (default 2000; 0 = every eligible package)
#   --skip-quiver  run only the Xapian half (e.g. before the CLI is built); says so in the table
#   --fresh        man pages: render again even if the corpus for N is already there;
#                  debian: fetch the package lists and Translation-en again
# Environment: QUIVER (default build/cli/quiver), EVAL_DIR (default .cache/eval),
#              RENDER_JOBS (default 2).
# Outputs in $EVAL_DIR, where TAG is N (the page count) for man pages and "debian" for Debian
#   ("debian-N" with --docs N): corpus-TAG.jsonl, queries-TAG.jsonl, queries-TAG.txt,
#   run-TAG-<system>.jsonl, quiver-TAG.db, results-TAG.md, and the logs of each step (*.log);
#   debian also keeps its apt lists in debian-apt-lists/.
#
# Why 2000 pages: rendering costs ~0.1 s of CPU a page (under 2 min for 2000 on 2 idle cores),
# and 2000 pages are ~17 MB of text, which quiver should ingest (tokenize, train its word
# vectors, index) in a few minutes on 2 cores (its Brown-corpus train, 6 MB, takes ~12 s).
# 2000 also covers every section 1/8 page of a typical Debian install; where one package ships
# thousands of pages (google-cloud-cli), the renderer's family round robin keeps that package
# to the share left after all the others.
# The debian collection is ~58,000 documents, ~22 MB of text (so ~30x the documents of the man
# pages, each short: most fit one chunk), with 2000 of its ~56,000 eligible queries by default.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
py=/usr/bin/python3
usage() { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
collection=manpages; pages=2000; docs_limit=0; n_queries=2000; skip_quiver=0; fresh=0
args=("$@")
while (($#)); do
  case "$1" in
    --collection) collection=${2:-}; shift 2 ;;
    --pages) pages=$2; shift 2 ;;
    --docs) docs_limit=$2; shift 2 ;;
    --queries) n_queries=$2; shift 2 ;;
    --skip-quiver) skip_quiver=1; shift ;;
    --fresh) fresh=1; shift ;;
    *) usage ;;
  esac
done
[[ "$pages" =~ ^[0-9]+$ && "$docs_limit" =~ ^[0-9]+$ && "$n_queries" =~ ^[0-9]+$ ]] || usage
case "$collection" in
  manpages) tag=$pages ;;
  debian) tag=debian; ((docs_limit == 0)) || tag=debian-$docs_limit ;;
  all) ;;
  *) usage ;;
esac
quiver=${QUIVER:-$root/build/cli/quiver}
dir=${EVAL_DIR:-$root/.cache/eval}
mkdir -p "$dir"
if [ "$collection" = all ]; then
  # Each collection in turn, with the same options (--collection last wins), then both tables.
  bash "$0" "${args[@]}" --collection manpages
  bash "$0" "${args[@]}" --collection debian
  d_tag=debian; ((docs_limit == 0)) || d_tag=debian-$docs_limit
  echo
  cat "$dir/results-$pages.md"
  echo
  cat "$dir/results-$d_tag.md"
  exit 0
fi
"$py" -c 'import xapian' 2>/dev/null || {
  echo "run_eval: python3-xapian is missing (scripts/setup.sh installs it)" >&2; exit 1; }
if ((!skip_quiver)) && [ ! -x "$quiver" ]; then
  echo "run_eval: no quiver CLI at $quiver (build it, set QUIVER, or pass --skip-quiver)" >&2
  exit 1
fi

corpus=$dir/corpus-$tag.jsonl queries=$dir/queries-$tag.jsonl qtext=$dir/queries-$tag.txt
now() { date +%s%N; }
secs() { local ms=$((($2 - $1) / 1000000)); printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)); }

if [ "$collection" = manpages ]; then
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
else
  lists=$dir/debian-apt-lists
  if ((fresh)) || ! compgen -G "$lists/*_i18n_Translation-en*" > /dev/null; then
    t=$(now)
    mkdir -p "$lists/partial"
    apt-get update -o Acquire::Languages=en -o Dir::State::Lists="$lists" \
        -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= > "$dir/apt-update-debian.log" 2>&1 || {
      echo "run_eval: apt-get update into $lists failed; the end of $dir/apt-update-debian.log:" >&2
      tail -n 20 "$dir/apt-update-debian.log" >&2; exit 1; }
    echo "run_eval: fetched the package lists and Translation-en into $lists in $(secs "$t" "$(now)") s"
  else
    echo "run_eval: reusing the package lists in $lists (--fresh fetches them again)"
  fi
  "$py" "$root/scripts/eval/make_debian_descriptions.py" "$corpus" "$queries" --text "$qtext" \
      --lists-dir "$lists" --queries "$n_queries" --limit-docs "$docs_limit"
fi
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
run=$dir/run-$tag-xapian.jsonl
"$py" "$root/scripts/eval/xapian_bm25.py" "$corpus" "$queries" "$run" 2> "$dir/xapian-$tag.log"
sed 's/^/  /' "$dir/xapian-$tag.log"
x_index=$(sed -n 's/.*indexed [0-9]* pages in \([0-9.]*\) s.*/\1/p' "$dir/xapian-$tag.log")
x_query=$(sed -n 's/.* queries in \([0-9.]*\) s.*/\1/p' "$dir/xapian-$tag.log")
score "Xapian BM25 (peer)" "$run" "$x_index" "$x_query"

if ((!skip_quiver)); then
  db=$dir/quiver-$tag.db
  rm -rf "$db"
  t=$(now)
  "$quiver" ingest "$db" "$corpus" 2>&1 | tee "$dir/quiver-ingest-$tag.log" | tail -n 5 | sed 's/^/  /'
  ingest_s=$(secs "$t" "$(now)")
  echo "run_eval: quiver ingest: $ingest_s s"
  for mode in bm25 dense hybrid; do
    run=$dir/run-$tag-quiver-$mode.jsonl
    t=$(now)
    log=$dir/quiver-query-$mode-$tag.log
    # quiver returns chunks and Xapian whole documents: asking for 30 chunks lets score.py rank
    # the first 10 distinct pages for both.
    "$quiver" query "$db" --queries "$qtext" --mode "$mode" -k 30 --json > "$run" 2> "$log" || {
      echo "run_eval: quiver query --mode $mode failed; the end of $log:" >&2; tail -n 20 "$log" >&2; exit 1; }
    score "quiver $mode" "$run" "$ingest_s" "$(secs "$t" "$(now)")"
  done
fi

{
  if [ "$collection" = manpages ]; then
    echo "Known-item retrieval on $docs man pages (sections 1, 8; $mb MB of text), $nq queries:"
    echo "query = the page's NAME description, answer = that page (indexed without its NAME section)."
  else
    echo "Known-item retrieval on $docs Debian package descriptions ($mb MB of text), $nq queries:"
    echo "query = the package's synopsis, answer = that package (indexed: its long description only)."
  fi
  echo
  echo "| system/mode | MRR@10 | recall@10 | index (s) | queries (s) |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  ((!skip_quiver)) || echo "(quiver not run: --skip-quiver)"
} | tee "$dir/results-$tag.md"
