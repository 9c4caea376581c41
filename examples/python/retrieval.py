#!/usr/bin/python3
"""A small retrieval app over quiver: index a folder of documents, then answer questions.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/retrieval.py notes.db ~/notes \
        --ask "how do I rotate the logs?" --ask "backup schedule" [-k 5] [--mode hybrid]

The first run creates notes.db, trains an embedding model on the documents (or imports one:
--model DIR, a sentence-transformers directory) and ingests them; later runs ingest only what
changed. Ctrl-C during the ingest stops it cleanly: rerun to finish. Each answer is printed
with its source file and a one-line excerpt, with control characters neutralised.
"""

import argparse
import sys

import quiver


def printable(text: str, limit: int = 100, keep_end: bool = False) -> str:
    """One line of `text` safe for a terminal: whitespace folded, control characters shown
    as U+FFFD, cut to `limit` characters (keeping its end with `keep_end`, for paths)."""
    line = " ".join(text.split())
    line = "".join(c if c.isprintable() else "\ufffd" for c in line)
    if len(line) <= limit:
        return line
    return "…" + line[1 - limit:] if keep_end else line[: limit - 1] + "…"


def show_progress(p: quiver.IngestProgress) -> None:
    print(f"\r  {p.files_done}/{p.files_total} files, {p.chunks} chunks", end="",
          file=sys.stderr, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="Index documents and answer questions.")
    parser.add_argument("db", help="database directory (created when missing)")
    parser.add_argument("docs", nargs="*", help="files or folders to ingest (.txt .md .jsonl .csv)")
    parser.add_argument("--ask", action="append", default=[], help="a question (repeatable)")
    parser.add_argument("-k", type=int, default=5, help="answers per question")
    parser.add_argument("--mode", default="hybrid", choices=("hybrid", "dense", "bm25"))
    parser.add_argument("--model", help="a sentence-transformers model directory to import")
    parser.add_argument("--dim", type=int, default=128, help="dimension of a new database")
    args = parser.parse_args()

    try:
        with quiver.open(args.db, create=True, dim=args.dim, report=False) as db:
            if args.model:
                db.import_model(args.model)
            if args.docs:
                summary = db.ingest(args.docs, progress=show_progress,
                                    train={"vocab_size": 2000})
                print(f"\ningested {summary.files_added} new and {summary.files_replaced} "
                      f"changed files ({summary.chunks_added} chunks), "
                      f"{summary.files_unchanged} unchanged", file=sys.stderr)
            if not args.ask:
                return 0
            for question, hits in zip(args.ask, db.query(args.ask, k=args.k, mode=args.mode)):
                print(f"? {printable(question)}")
                for rank, hit in enumerate(hits, 1):
                    where = hit.source.path if hit.source else hit.id
                    print(f"  {rank}. {hit.score:.3f}  {printable(where, 60, keep_end=True)}")
                    print(f"     {printable(hit.text)}")
    except KeyboardInterrupt:
        print("\ninterrupted: what was ingested is kept; run again to finish", file=sys.stderr)
        return 130
    except quiver.Error as e:
        print(f"retrieval: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
