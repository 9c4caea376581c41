#!/usr/bin/python3
"""The Python package against the C++ API on the same work, in one run (issue 16):

  upsert   100,000 × 384 low-rank float32 vectors in batches of 10,000 into a new Flat
           database: Record construction + DB::Upsert in C++, Database.upsert in Python;
  search   one batch of 10,000 queries, k = 10, ids-only hits, on one HNSW32 database
           (DB::SearchBatch vs Database.search(queries, fields=()));
  threads  single-vector searches from 1 and from 4 Python threads on that database
           (queries per second; the GIL is released while the engine searches).

Each round runs the C++ step (bench/python_compare_harness.cc) and the Python one, C++ first
in odd rounds and Python first in even ones (the second writer of a round finds the disk
busier); the best of --rounds is kept. --reuse keeps the data and search database of an
earlier run in --dir. The Python search must return the C++ API's ids exactly.

  PYTHONPATH=build/python /usr/bin/python3 bench/python_bench.py \
      --harness build/bench/python_compare_harness [--dir /tmp/quiver_python_bench]
      [--n 100000] [--queries 10000] [--search-base 100000] [--rounds 2] [--out FILE]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time

import numpy as np

import quiver


def harness(args, step, **extra):
    command = [args.harness, step, f"--dir={args.dir}", f"--dim={args.dim}"]
    command += [f"--{k.replace('_', '-')}={v}" for k, v in extra.items()]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(re.findall(r"(\w+)=([\d.]+)", out))


def python_upsert(args, base, ids):
    path = os.path.join(args.dir, "py_upsert.db")
    shutil.rmtree(path, ignore_errors=True)
    with quiver.open(path, create=True, dim=args.dim, index="Flat", report=False) as db:
        start = time.perf_counter()
        for begin in range(0, len(ids), 10000):
            db.upsert(ids[begin:begin + 10000], base[begin:begin + 10000])
        return time.perf_counter() - start


def python_search(args, queries):
    with quiver.open(os.path.join(args.dir, "search.db"), read_only=True, report=False) as db:
        start = time.perf_counter()
        results = db.search(queries, k=10, fields=())
        seconds = time.perf_counter() - start
    with open(os.path.join(args.dir, "cpp_ids.txt")) as f:
        cpp = [line.split() for line in f]
    same = all(list(results.ids[i]) == cpp[i] for i in range(len(cpp)))
    return seconds, same


def thread_qps(db, queries, threads):
    """Queries per second of single-vector searches split over `threads` threads."""
    parts = np.array_split(np.arange(len(queries)), threads)

    def work(rows):
        for r in rows:
            db.search(queries[r], k=10, fields=())

    workers = [threading.Thread(target=work, args=(p,)) for p in parts]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return len(queries) / (time.perf_counter() - start)


def control_qps(threads, n=400):
    """The machine's own ceiling for the threads figure: SHA-256 of 1 MiB blocks (hashlib
    releases the GIL too) per second from `threads` threads. On a loaded machine this ratio
    falls as well, so the two are reported side by side."""
    import hashlib
    block = b"q" * (1 << 20)

    def work(k):
        for _ in range(k):
            hashlib.sha256(block).digest()

    workers = [threading.Thread(target=work, args=(n // threads,)) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return n / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--harness", required=True)
    p.add_argument("--dir", default="/tmp/quiver_python_bench")
    p.add_argument("--n", type=int, default=100000)
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--queries", type=int, default=10000)
    p.add_argument("--search-base", type=int, default=100000)
    p.add_argument("--thread-queries", type=int, default=4000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--out")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    lines = []

    def say(line):
        print(line, flush=True)
        lines.append(line)

    if args.reuse and os.path.exists(os.path.join(args.dir, "search.db")):
        say(f"data: reused from {args.dir}")
    else:
        data = harness(args, "data", n=args.n, queries=args.queries,
                       search_base=args.search_base)
        say(f"data: {args.n} x {args.dim} base, {args.queries} queries, HNSW32 search database "
            f"of {args.search_base} built in {float(data['build_seconds']):.1f} s (C++)")
    base = np.fromfile(os.path.join(args.dir, "base.f32"), np.float32).reshape(-1, args.dim)
    queries = np.fromfile(os.path.join(args.dir, "queries.f32"), np.float32).reshape(-1, args.dim)
    ids = [f"v{i}" for i in range(len(base))]
    best = {"cpp_upsert": 1e9, "py_upsert": 1e9, "cpp_search": 1e9, "py_search": 1e9}
    for r in range(args.rounds):
        if r % 2 == 0:
            cpp_u = float(harness(args, "upsert")["upsert_seconds"])
            py_u = python_upsert(args, base, ids)
            cpp_s = float(harness(args, "search")["search_seconds"])
            py_s, same = python_search(args, queries)
        else:
            py_u = python_upsert(args, base, ids)
            cpp_u = float(harness(args, "upsert")["upsert_seconds"])
            py_s, same = python_search(args, queries)
            cpp_s = float(harness(args, "search")["search_seconds"])
        assert same, "the Python search returned other ids than the C++ API"
        say(f"round {r + 1}: upsert C++ {cpp_u:.2f} s, Python {py_u:.2f} s; "
            f"search C++ {cpp_s:.2f} s, Python {py_s:.2f} s (same ids)")
        for key, value in (("cpp_upsert", cpp_u), ("py_upsert", py_u), ("cpp_search", cpp_s),
                           ("py_search", py_s)):
            best[key] = min(best[key], value)
    say(f"upsert {args.n} x {args.dim}: C++ {args.n / best['cpp_upsert']:,.0f} records/s, "
        f"Python {args.n / best['py_upsert']:,.0f} records/s: Python/C++ = "
        f"{best['cpp_upsert'] / best['py_upsert']:.3f}x")
    say(f"search {len(queries)} queries (batch, k=10): C++ {len(queries) / best['cpp_search']:,.0f} "
        f"q/s, Python {len(queries) / best['py_search']:,.0f} q/s: Python/C++ = "
        f"{best['cpp_search'] / best['py_search']:.3f}x")
    tq = queries[:args.thread_queries]
    with quiver.open(os.path.join(args.dir, "search.db"), read_only=True, report=False) as db:
        one = max(thread_qps(db, tq, 1) for _ in range(args.rounds))
        four = max(thread_qps(db, tq, 4) for _ in range(args.rounds))
    say(f"threads ({len(tq)} single-vector searches, {os.cpu_count()} cores): 1 thread "
        f"{one:,.0f} q/s, 4 threads {four:,.0f} q/s: {four / one:.2f}x")
    c1 = max(control_qps(1) for _ in range(args.rounds))
    c4 = max(control_qps(4) for _ in range(args.rounds))
    say(f"control (hashlib.sha256 of 1 MiB, GIL released): 4 threads / 1 thread = {c4 / c1:.2f}x"
        f"; load average {os.getloadavg()[0]:.1f}")
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
