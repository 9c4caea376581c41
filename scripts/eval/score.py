#!/usr/bin/python3
"""Scores a run of known-item queries: MRR@k and recall@k (k = 10 by default).

Usage: score.py QUERIES.jsonl RUN.jsonl [--k 10] [--json] [--query-base 1]

QUERIES.jsonl: {"query": text, "answer": page id} per line (scripts/eval/make_queries.py).
RUN.jsonl: one hit per line with at least {"query": q, "id": hit id}; "rank" and "score" are
optional. q is the query's line number in QUERIES.jsonl (1-based unless --query-base 0) or the
query text itself. Hits are taken in "rank" order where given, else in file order. A hit id of
the form "<page id>#<n>" (a chunk of a page) counts as the page: each page is counted once, at
its best rank, and ranks are positions among distinct pages. A query's reciprocal rank is
1/rank of its answer if that is within the first k pages, else 0 (also when it has no hits);
recall@k is the share of queries whose answer is within the first k pages (one right answer
per query). Prints `MRR@10=0.xxx recall@10=0.yyy queries=N`, or with --json one JSON object.
"""
import argparse
import json
import re
import sys

CHUNK = re.compile(r"#\d+$")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("queries")
    ap.add_argument("run")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--query-base", type=int, default=1, choices=(0, 1),
                    help="number of the first query line in RUN (default 1)")
    args = ap.parse_args()

    answers, by_text = [], {}
    with open(args.queries, encoding="utf-8") as f:
        for i, line in enumerate(f):
            q = json.loads(line)
            answers.append(q["answer"])
            by_text.setdefault(q["query"], i)

    hits = [[] for _ in answers]          # per query: (rank or file position, page id)
    stray = 0
    with open(args.run, encoding="utf-8") as f:
        for pos, line in enumerate(f):
            if not line.strip():
                continue
            h = json.loads(line)
            q = h["query"]
            i = by_text.get(q) if isinstance(q, str) else int(q) - args.query_base
            if i is None or not 0 <= i < len(answers):
                stray += 1
                continue
            hits[i].append((h.get("rank", pos), pos, CHUNK.sub("", str(h["id"]))))
    if stray:
        print(f"score: ignored {stray} hits whose query is not in {args.queries}", file=sys.stderr)

    rr = found = answered = 0
    for answer, qhits in zip(answers, hits):
        answered += bool(qhits)
        pages = []
        for _, _, page in sorted(qhits):
            if page not in pages:
                pages.append(page)
                if len(pages) == args.k:
                    break
        if answer in pages:
            rr += 1 / (pages.index(answer) + 1)
            found += 1
    n = len(answers)
    mrr, recall = (rr / n, found / n) if n else (0.0, 0.0)
    if args.json:
        print(json.dumps({f"mrr@{args.k}": round(mrr, 4), f"recall@{args.k}": round(recall, 4),
                          "queries": n, "queries_with_hits": answered, "k": args.k}))
    else:
        print(f"MRR@{args.k}={mrr:.3f} recall@{args.k}={recall:.3f} queries={n}")


if __name__ == "__main__":
    main()
