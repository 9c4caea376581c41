#!/usr/bin/python3
"""Known-item queries from a rendered man-page corpus (scripts/render_manpages.sh output).

Usage: make_queries.py CORPUS.jsonl QUERIES.jsonl [--text QUERIES.txt]

Each page's one-line NAME description becomes a query whose single right answer is that page:
    {"query": "list directory contents", "answer": "ls.1"}
The page text the systems index has its NAME section removed, so the description is not copied
verbatim into the answer. Descriptions shared by several pages (compared case- and
whitespace-insensitively, trailing period ignored) are skipped: their answer is ambiguous.
Queries keep the corpus order (sorted by id). --text also writes the queries one per line, so
line n of QUERIES.txt is line n of QUERIES.jsonl (the form `quiver query --queries` reads).
"""
import argparse
import collections
import json
import sys


def key(description):
    return " ".join(description.lower().split()).rstrip(".")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("--text", help="also write the queries as plain lines to this file")
    args = ap.parse_args()

    pages = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            page = json.loads(line)
            description = " ".join(page.get("description", "").split())
            if description:
                pages.append((description, page["id"]))
    counts = collections.Counter(key(d) for d, _ in pages)
    queries = [(d, pid) for d, pid in pages if counts[key(d)] == 1]

    with open(args.queries, "w", encoding="utf-8") as f:
        for d, pid in queries:
            f.write(json.dumps({"query": d, "answer": pid}, ensure_ascii=False) + "\n")
    if args.text:
        with open(args.text, "w", encoding="utf-8") as f:
            for d, _ in queries:
                f.write(d + "\n")
    print(f"make_queries: {len(queries)} queries from {len(pages)} pages "
          f"({len(pages) - len(queries)} skipped: description shared with another page)",
          file=sys.stderr)


if __name__ == "__main__":
    main()
