#!/usr/bin/env bash
# Lexical query throughput, quiver against Xapian, one thread each, same queries, one run:
#   quiver: build/bench/text_query_harness DB QUERIES --mode=bm25 --k=K (DB::Query through the
#           public API, hits with text, metadata and source);
#   xapian: scripts/eval/xapian_qps.py (python3-xapian in process, query parsing excluded,
#           get_mset plus each hit's document data).
# Both warm up once, then take the best of 3 passes. Prints both lines and the ratio.
#
# Usage: scripts/eval/lexical_qps.sh TAG [--k 10]
#   TAG names a collection scripts/eval/run_eval.sh has run (manpages-2000 is "2000", the
#   Debian collection is "debian"): it needs $EVAL_DIR/corpus-TAG.jsonl, queries-TAG.txt and
#   the quiver database quiver-TAG.db that run_eval.sh leaves behind.
# Environment: EVAL_DIR (default .cache/eval), HARNESS (default build/bench/text_query_harness).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tag=${1:?usage: lexical_qps.sh TAG [--k 10]}; shift
k=10
while (($#)); do
  case "$1" in
    --k) k=$2; shift 2 ;;
    *) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done
dir=${EVAL_DIR:-$root/.cache/eval}
harness=${HARNESS:-$root/build/bench/text_query_harness}
for f in "$dir/corpus-$tag.jsonl" "$dir/queries-$tag.txt" "$dir/quiver-$tag.db"; do
  [ -e "$f" ] || { echo "lexical_qps: missing $f (run scripts/eval/run_eval.sh first)" >&2; exit 1; }
done
mkdir -p "$dir/xapian-$tag"
x=$(/usr/bin/python3 "$root/scripts/eval/xapian_qps.py" "$dir/corpus-$tag.jsonl" "$dir/queries-$tag.txt" "$dir/xapian-$tag" --k "$k")
q=$("$harness" "$dir/quiver-$tag.db" "$dir/queries-$tag.txt" --mode=bm25 --k="$k")
echo "$x"
echo "$q"
/usr/bin/python3 - "$x" "$q" <<'PY'
import re, sys
qps = [float(re.search(r"([0-9.]+) queries/s", line).group(1)) for line in sys.argv[1:]]
print("ratio quiver/xapian: %.2fx" % (qps[1] / qps[0]))
PY
