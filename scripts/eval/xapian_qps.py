#!/usr/bin/python3
"""Xapian's query throughput, in process, as the peer for quiver's lexical queries.

Usage: xapian_qps.py CORPUS.jsonl QUERIES.txt XAPIAN_DIR [--k 10] [--repeat 3]

Indexes CORPUS.jsonl into XAPIAN_DIR (kept and reused when it already holds a database) the
way scripts/eval/xapian_bm25.py does (English stemmer, STEM_SOME, one document per record, its
id as the document data). Parses every query of QUERIES.txt first (parse time excluded), then
times, one thread, per query: get_mset(0, k) with BM25Weight() and reading each hit's document
data (what an application needs to show a hit). One untimed warm-up pass, then --repeat timed
passes; prints the best pass: queries/s, mean/p50/p99 latency.
"""
import argparse
import os
import time

import xapian

from xapian_bm25 import index_corpus


def build(corpus, path):
    if os.path.exists(os.path.join(path, "iamglass")):
        return xapian.Database(path)
    db = xapian.WritableDatabase(path, xapian.DB_CREATE_OR_OVERWRITE)
    index_corpus(db, corpus, xapian.Stem("english"))
    db.close()
    return xapian.Database(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("xapian_dir")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    db = build(args.corpus, args.xapian_dir)
    qp = xapian.QueryParser()
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_database(db)
    parsed = []
    with open(args.queries, encoding="utf-8") as f:
        for line in f:
            text = line.rstrip("\n")
            if not text:
                continue
            try:
                parsed.append(qp.parse_query(text))
            except xapian.QueryParserError:
                parsed.append(qp.parse_query(text, 0))
    enquire = xapian.Enquire(db)
    enquire.set_weighting_scheme(xapian.BM25Weight())

    def run_all():
        latencies, hits = [], 0
        for query in parsed:
            start = time.perf_counter()
            enquire.set_query(query)
            for m in enquire.get_mset(0, args.k):
                m.document.get_data()
                hits += 1
            latencies.append((time.perf_counter() - start) * 1000)
        return latencies, hits

    run_all()
    best, hits = None, 0
    for _ in range(max(1, args.repeat)):
        latencies, hits = run_all()
        if best is None or sum(latencies) < sum(best):
            best = latencies
    best.sort()
    total = sum(best)
    n = len(best)
    print("xapian bm25: %d queries, k %d, best of %d passes: %.1f queries/s, mean %.3f ms, "
          "p50 %.3f ms, p99 %.3f ms, %d hits (%d documents)" % (
              n, args.k, args.repeat, n / (total / 1000), total / n, best[n // 2],
              best[min(n - 1, int(n * 0.99))], hits, db.get_doccount()))


if __name__ == "__main__":
    main()
