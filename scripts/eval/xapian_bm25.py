#!/usr/bin/python3
"""The peer baseline: Xapian's BM25 over the same corpus and queries, as a Xapian user gets it.

Usage: xapian_bm25.py CORPUS.jsonl QUERIES.jsonl RUN.jsonl [--k 10]
Needs Debian's python3-xapian (for the system /usr/bin/python3).

Indexes each page's "text" (one Xapian document per page, its id stored as the document data)
into a Glass database in a temporary directory, with a TermGenerator using the English
stemmer (the TermGenerator's default strategy, STEM_SOME). Each query of QUERIES.jsonl is
parsed by a QueryParser with the same English stemmer and otherwise its defaults: STEM_SOME,
default operator OR, FLAG_DEFAULT (phrases, boolean operators, +/- love/hate). A query the
parser rejects is parsed again with no flags (reported). Ranked with BM25Weight(), i.e. Xapian's
defaults, which Xapian 1.4 documents as k1=1, k2=0, k3=1, b=0.5, min_normlen=0.5.
Writes one JSON line per hit, in rank order:
    {"query": <1-based line number in QUERIES.jsonl>, "rank": r, "id": "<page id>", "score": s}
Timings and settings go to stderr.
"""
import argparse
import json
import sys
import tempfile
import time

import xapian

BM25_DEFAULTS = dict(  # documented for Xapian::BM25Weight (1.4); reported, not passed
    k1=1.0, k2=0.0, k3=1.0, b=0.5, min_normlen=0.5)


def index_corpus(db, corpus, stemmer):
    """Adds every record of CORPUS.jsonl to the writable `db` (its "text" indexed with
    `stemmer`, its "id" as the document data), commits, and returns how many there were."""
    tg = xapian.TermGenerator()
    tg.set_stemmer(stemmer)
    docs = 0
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            record = json.loads(line)
            doc = xapian.Document()
            tg.set_document(doc)
            tg.index_text(record["text"])
            doc.set_data(record["id"])
            db.add_document(doc)
            docs += 1
    db.commit()
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("run")
    ap.add_argument("--k", type=int, default=10, help="hits per query (default 10)")
    args = ap.parse_args()

    weight = xapian.BM25Weight()          # the defaults, BM25_DEFAULTS in Xapian 1.4's docs
    stemmer = xapian.Stem("english")

    with tempfile.TemporaryDirectory(prefix="xapian-bm25-") as tmp:
        t0 = time.perf_counter()
        db = xapian.WritableDatabase(tmp, xapian.DB_CREATE_OR_OVERWRITE)
        docs = index_corpus(db, args.corpus, stemmer)
        t_index = time.perf_counter() - t0

        qp = xapian.QueryParser()
        qp.set_stemmer(stemmer)
        qp.set_database(db)
        enquire = xapian.Enquire(db)
        enquire.set_weighting_scheme(weight)
        t0 = time.perf_counter()
        n = fallbacks = hits = 0
        with open(args.queries, encoding="utf-8") as f, open(args.run, "w", encoding="utf-8") as out:
            for n, line in enumerate(f, 1):
                text = json.loads(line)["query"]
                try:
                    query = qp.parse_query(text)
                except xapian.QueryParserError:
                    query = qp.parse_query(text, 0)
                    fallbacks += 1
                enquire.set_query(query)
                for rank, m in enumerate(enquire.get_mset(0, args.k), 1):
                    out.write(json.dumps({"query": n, "rank": rank, "id": m.document.get_data().decode(),
                                          "score": round(m.weight, 6)}) + "\n")
                    hits += 1
        t_query = time.perf_counter() - t0
        db.close()

    params = ", ".join(f"{k}={v:g}" for k, v in BM25_DEFAULTS.items())
    print(f"xapian_bm25: Xapian {xapian.version_string()}, BM25Weight({params}), English stemmer, "
          f"STEM_SOME, default op OR, FLAG_DEFAULT", file=sys.stderr)
    print(f"xapian_bm25: indexed {docs} pages in {t_index:.1f} s; {n} queries in {t_query:.2f} s "
          f"({1000 * t_query / max(n, 1):.2f} ms each), {hits} hits, "
          f"{fallbacks} reparsed without flags", file=sys.stderr)


if __name__ == "__main__":
    main()
