#!/usr/bin/python3
"""Known-item corpus and queries from Debian's package descriptions (the second eval collection).

Usage: make_debian_descriptions.py CORPUS.jsonl QUERIES.jsonl [--text QUERIES.txt]
           [--queries N] [--limit-docs N] [--dump FILE] [--lists-dir DIR]
           [--translations FILE ...]

A document is a package's long description, its id the package name; the package's synopsis
(the first line of its Description) is the query whose single right answer is that package:
    corpus:  {"id": "ripgrep", "name": "ripgrep", "section": "utils",
              "description": "<synopsis>", "text": "<long description>"}
    queries: {"query": "Recursively searches directories for a regex pattern", "answer": "ripgrep"}
The synopsis is never part of the indexed "text" (it is kept in "description", as the man-page
corpus keeps its NAME line). The formats are those of make_queries.py for man pages, so
score.py and xapian_bm25.py read them unchanged.

Packages: the deb822 stanzas of `apt-cache dumpavail` (one stanza a package: its candidate
version), or of --dump FILE (e.g. a saved dumpavail, or a Packages file). A stanza's long
description is its own Description continuation lines where it has them; Debian's Packages
indices carry only the synopsis and a Description-md5, and the long text is then taken from
the archive's Translation-en indices (Description-en, matched by that md5): the files given by
--translations, else *_i18n_Translation-en* in --lists-dir, else in apt's Dir::State::Lists.
With --lists-dir, apt-cache also reads its package lists from there (so both halves come from
the same `apt-get update`). Compressed indices are read with apt-helper cat-file.
Text: each continuation line loses its one leading space, " ." lines become paragraph breaks
(documents are paragraphs separated by a blank line, lines kept within a paragraph).

Filtering rule (what makes it a fair known-item task), in this order:
  1. no long description, or a long description under 80 characters (whitespace collapsed):
     dropped;
  2. synopsis matching /transitional|dummy package/i (transitional and dummy packages, whose
     text is boilerplate): dropped;
  3. long descriptions equal after case folding and whitespace collapsing (-dev/-doc/-data
     siblings sharing one text, per-architecture or per-flavour variants): every package of
     such a group is dropped from the corpus, since no query could tell them apart;
  4. synopses equal after case folding, whitespace collapsing and ignoring a trailing period:
     those packages stay in the corpus as distractors, but none of them is a query;
  5. synopses of fewer than 2 words: stay in the corpus, are not queries.
Everything that survives 1-3 is in the corpus (sorted by package name), unless --limit-docs N
keeps only N of them (those whose sha1(name) is smallest, so the subset is not alphabetical).
Of the packages eligible as queries (4-5), --queries N (default 2000; 0 = all) are taken: the
N with the smallest sha1(name), a deterministic sample that grows by inclusion as N grows.
Queries are written in package-name order; --text also writes them one per line (line n of
QUERIES.txt is line n of QUERIES.jsonl, the form `quiver query --queries` reads).
Standard library only; counts go to stderr.
"""
import argparse
import bz2
import collections
import glob
import gzip
import hashlib
import json
import lzma
import os
import re
import shlex
import subprocess
import sys

MIN_CHARS = 80
BOILERPLATE = re.compile(r"transitional|dummy package", re.I)


def stanzas(text):
    """Yields deb822 stanzas as {field: value}, continuation lines kept with their newline."""
    fields, last = {}, None
    for line in text.split("\n"):
        if not line.strip():
            if fields:
                yield fields
            fields, last = {}, None
        elif line[0] in " \t":
            if last is not None:
                fields[last] += "\n" + line
        else:
            name, _, value = line.partition(":")
            last = name.strip()
            fields[last] = value.strip()
    if fields:
        yield fields


def split_description(value):
    """'synopsis\\n line\\n .\\n line' -> (synopsis, long description text)."""
    first, _, rest = value.partition("\n")
    paragraphs, lines = [], []
    for line in rest.split("\n") if rest else []:
        line = line[1:] if line[:1] in (" ", "\t") else line
        if line.strip() == ".":
            if lines:
                paragraphs.append("\n".join(lines))
            lines = []
        else:
            lines.append(line.rstrip())
    if lines:
        paragraphs.append("\n".join(lines))
    return " ".join(first.split()), "\n\n".join(p.strip("\n") for p in paragraphs if p.strip())


def read_index(path):
    """A possibly compressed apt index as text (apt-helper knows lz4; the rest is stdlib)."""
    openers = {".gz": gzip.open, ".xz": lzma.open, ".lzma": lzma.open, ".bz2": bz2.open}
    ext = os.path.splitext(path)[1]
    if ext in openers:
        with openers[ext](path) as f:
            return f.read().decode("utf-8", "replace")
    if ext in ("", ".txt"):
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    out = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", path], check=True,
                         stdout=subprocess.PIPE).stdout
    return out.decode("utf-8", "replace")


def apt_options(lists_dir):
    if not lists_dir:
        return []
    return ["-o", f"Dir::State::Lists={os.path.abspath(lists_dir)}",
            "-o", "Dir::Cache::pkgcache=", "-o", "Dir::Cache::srcpkgcache="]


def default_lists_dir():
    out = subprocess.run(["apt-config", "shell", "D", "Dir::State::Lists/d"], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    value = shlex.split(out.partition("=")[2]) if "=" in out else []
    return value[0] if value else "/var/lib/apt/lists"


def norm(s):
    return " ".join(s.lower().split())


def sha1(s):
    return hashlib.sha1(s.encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("queries")
    ap.add_argument("--text", help="also write the queries as plain lines to this file")
    ap.add_argument("--queries", dest="n_queries", type=int, default=2000,
                    help="queries to sample (default 2000; 0 = every eligible package)")
    ap.add_argument("--limit-docs", type=int, default=0, help="keep N documents (0 = all)")
    ap.add_argument("--dump", help="read the package stanzas from FILE, not apt-cache dumpavail")
    ap.add_argument("--lists-dir", help="apt lists directory to read (default: apt's own)")
    ap.add_argument("--translations", nargs="*", help="Translation-en files (default: the lists')")
    args = ap.parse_args()

    if args.dump:
        dump = read_index(args.dump)
    else:
        dump = subprocess.run(["apt-cache", *apt_options(args.lists_dir), "dumpavail"], check=True,
                              stdout=subprocess.PIPE).stdout.decode("utf-8", "replace")
    if args.translations is None:
        lists = args.lists_dir or default_lists_dir()
        args.translations = sorted(glob.glob(os.path.join(lists, "*_i18n_Translation-en*")))
    english = {}                                   # Description-md5 -> Description-en
    for path in args.translations:
        for st in stanzas(read_index(path)):
            if "Description-md5" in st and "Description-en" in st:
                english[st["Description-md5"]] = st["Description-en"]

    packages, seen = {}, 0
    drop = collections.Counter()
    for st in stanzas(dump):
        name = st.get("Package")
        if not name or "Description" not in st:
            continue
        seen += 1
        if name in packages:                       # a second stanza (another version): first wins
            continue
        synopsis, text = split_description(st["Description"])
        if not text and st.get("Description-md5") in english:
            text = split_description(english[st["Description-md5"]])[1]
        if not text:
            drop["no long description"] += 1
        elif len(" ".join(text.split())) < MIN_CHARS:
            drop[f"long description < {MIN_CHARS} chars"] += 1
        elif BOILERPLATE.search(synopsis):
            drop["transitional/dummy"] += 1
        else:
            packages[name] = (synopsis, text, st.get("Section", ""))
    if drop["no long description"] > seen / 2:
        sys.exit(f"make_debian_descriptions: {drop['no long description']} of {seen} packages "
                 "have no long description. Debian's Packages indices carry only synopses; the "
                 "long texts are in Translation-en, which this machine's apt does not fetch "
                 "(Acquire::Languages \"none\"). Fetch them with apt-get update -o "
                 "Acquire::Languages=en (run_eval.sh does so into a lists directory of its own "
                 "and passes --lists-dir).")

    by_text = collections.Counter(norm(t) for _, t, _ in packages.values())
    dup = [n for n, (_, t, _) in packages.items() if by_text[norm(t)] > 1]
    drop["same long description as another"] = len(dup)
    for n in dup:
        del packages[n]
    names = sorted(packages)
    if args.limit_docs and len(names) > args.limit_docs:
        names = sorted(sorted(names, key=sha1)[:args.limit_docs])

    by_synopsis = collections.Counter(norm(packages[n][0]).rstrip(".") for n in names)
    shared = [n for n in names if by_synopsis[norm(packages[n][0]).rstrip(".")] > 1]
    short = [n for n in names if len(packages[n][0].split()) < 2]
    eligible = sorted(set(names) - set(shared) - set(short))
    chosen = eligible
    if args.n_queries and len(eligible) > args.n_queries:
        chosen = sorted(sorted(eligible, key=sha1)[:args.n_queries])

    chars = 0
    with open(args.corpus, "w", encoding="utf-8") as f:
        for n in names:
            synopsis, text, section = packages[n]
            chars += len(text)
            f.write(json.dumps({"id": n, "name": n, "section": section, "description": synopsis,
                                "text": text}, ensure_ascii=False) + "\n")
    with open(args.queries, "w", encoding="utf-8") as f:
        for n in chosen:
            f.write(json.dumps({"query": packages[n][0], "answer": n}, ensure_ascii=False) + "\n")
    if args.text:
        with open(args.text, "w", encoding="utf-8") as f:
            for n in chosen:
                f.write(packages[n][0] + "\n")
    print(f"make_debian_descriptions: {seen} packages, {len(english)} Translation-en texts; dropped "
          + ", ".join(f"{v} {k}" for k, v in drop.items()), file=sys.stderr)
    print(f"make_debian_descriptions: {len(names)} documents ({chars / 1e6:.1f} M chars); "
          f"{len(eligible)} eligible queries ({len(shared)} skipped: synopsis shared, "
          f"{len(short)}: under 2 words); wrote {len(chosen)} queries", file=sys.stderr)


if __name__ == "__main__":
    main()
