#!/usr/bin/python3
"""quiver.cluster against one process on the same work, in one run (issue 17):

  upsert    --n low-rank float32 vectors of --dim in batches of --batch: one quiver database in
            this process vs a --shards collection on --workers Dask worker processes, by
            upsert calls (each acknowledged before the next) and by upsert_batches (the same
            batches pipelined) into a second collection;
  search    one batch of --queries queries, k = 10, ids only (Flat: exact, so both sides must
            return the same ids, checked);
  hnsw      recall@10 of a --shards HNSW32 collection of the first --hnsw vectors against
            the exact (Flat) answer;
  overhead  --calls single-vector searches (k = 10) on a 1-shard collection vs the same call on
            a quiver database directly: the scatter/gather's cost per query;
  control   SHA-256 of 1 MiB blocks in 1 and in --workers processes: what the machine gives
            to parallel work right now (it is shared).

Fair shares: with --pin (default) the single process is restricted to CPU 0 and worker i to
CPU i, so "one process" means one core's work and the speedup is that of adding workers;
--no-pin lets every process use every core (quiver's batch search already spreads one process
over all cores, so then the 2-worker speedup is bounded by 1). Efficiency = speedup / workers.
The paper projection for 10 machines × 10M vectors is printed with its method.

  PYTHONPATH=build/python /usr/bin/python3 bench/cluster_bench.py [--dir /tmp/qcb]
      [--n 100000] [--dim 64] [--queries 2000] [--workers 2] [--shards 4] [--rounds 2]
      [--batch 10000] [--hnsw 50000] [--calls 300] [--no-pin]
      [--out bench/results/issue17_cluster.txt]
"""

import argparse
import hashlib
import multiprocessing
import os
import shutil
import statistics
import sys
import time

import distributed
import numpy as np

import quiver
from quiver.cluster import Collection


def low_rank(n, dim, seed):
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((32, dim)).astype(np.float32)
    weights = rng.standard_normal((n, 32)).astype(np.float32)
    return np.ascontiguousarray(weights @ basis + 0.05 * rng.standard_normal((n, dim)),
                                dtype=np.float32)


def pin(cpus):
    os.sched_setaffinity(0, cpus)


def upsert_all(target, ids, base, batch):
    start = time.perf_counter()
    for i in range(0, len(ids), batch):
        target.upsert(ids[i:i + batch], base[i:i + batch])
    return time.perf_counter() - start


def upsert_stream(collection, ids, base, batch):
    """The same batches through Collection.upsert_batches (pipelined)."""
    start = time.perf_counter()
    collection.upsert_batches((ids[i:i + batch], base[i:i + batch])
                              for i in range(0, len(ids), batch))
    return time.perf_counter() - start


def timed_search(target, queries):
    start = time.perf_counter()
    found = target.search(queries, k=10, fields=())
    return time.perf_counter() - start, found


def one_process_round(args, ids, base, queries, directory):
    """(upsert s, search s, upsert CPU s, search CPU s, results) of one quiver database."""
    shutil.rmtree(directory, ignore_errors=True)
    everything = os.sched_getaffinity(0)
    if args.pin:
        pin({0})
    try:
        with quiver.open(directory, create=True, dim=args.dim, report=False) as db:
            cpu = time.process_time()
            upsert = upsert_all(db, ids, base, args.batch)
            upsert_cpu, cpu = time.process_time() - cpu, time.process_time()
            search, found = timed_search(db, queries)
            search_cpu = time.process_time() - cpu
    finally:
        pin(everything)
    return upsert, search, upsert_cpu, search_cpu, found


def cluster_cpu(client):
    """CPU seconds used so far by this process (client and scheduler) and every worker."""
    return time.process_time() + sum(client.run(time.process_time).values())


def cluster_round(args, client, ids, base, queries, directory):
    """As one_process_round, for a collection (CPU: this process plus the workers); then the
    same upserts pipelined (upsert_batches) into a second, fresh collection: (..., stream s,
    stream CPU s, results)."""
    shutil.rmtree(directory, ignore_errors=True)
    with Collection.create(client, directory, shards=args.shards, dim=args.dim) as collection:
        cpu = cluster_cpu(client)
        upsert = upsert_all(collection, ids, base, args.batch)
        upsert_cpu, cpu = cluster_cpu(client) - cpu, cluster_cpu(client)
        search, found = timed_search(collection, queries)
        search_cpu = cluster_cpu(client) - cpu
    streamed = directory + "-stream"
    shutil.rmtree(streamed, ignore_errors=True)
    with Collection.create(client, streamed, shards=args.shards, dim=args.dim) as collection:
        cpu = cluster_cpu(client)
        stream = upsert_stream(collection, ids, base, args.batch)
        stream_cpu = cluster_cpu(client) - cpu
        if collection.stats().count != len(ids):
            raise SystemExit(f"upsert_batches: expected {len(ids)} records; found "
                             f"{collection.stats().count}")
    return upsert, search, upsert_cpu, search_cpu, stream, stream_cpu, found


def overhead(args, client, base, directory):
    """Median and p90 latency of single-vector searches, direct and through a 1-shard
    collection, on the first 20,000 vectors."""
    shutil.rmtree(directory, ignore_errors=True)
    n = min(20000, len(base))
    ids = [f"o{i}" for i in range(n)]
    queries = low_rank(args.calls, args.dim, seed=3)
    results = {}
    with quiver.open(os.path.join(directory, "direct"), create=True, dim=args.dim,
                     report=False) as db, \
            Collection.create(client, os.path.join(directory, "one"), shards=1,
                              dim=args.dim) as collection:
        db.upsert(ids, base[:n])
        collection.upsert(ids, base[:n])
        for name, target in (("direct", db), ("1-shard collection", collection)):
            target.search(queries[0], k=10, fields=())  # warm
            times = []
            for q in queries:
                start = time.perf_counter()
                target.search(q, k=10, fields=())
                times.append(time.perf_counter() - start)
            times.sort()
            results[name] = (statistics.median(times), times[int(0.9 * len(times))])
    return results


def recall(found, exact):
    hits = sum(len(set(found.ids[q]) & set(exact.ids[q])) for q in range(len(exact.ids)))
    return hits / exact.ids.size


def hnsw_recall(args, client, base, queries, exact, directory):
    """Recall@10 against Flat's exact answer, on the first --hnsw vectors, of one HNSW32
    database and of a --shards HNSW32 collection (per-shard over-fetch); and the collection's
    build and batch search times."""
    n = min(args.hnsw, len(base))
    ids = [f"v{i:07d}" for i in range(n)]
    shutil.rmtree(directory, ignore_errors=True)
    with quiver.open(os.path.join(directory, "one"), create=True, dim=args.dim,
                     index="HNSW32", report=False) as db:
        upsert_all(db, ids, base[:n], args.batch)
        one = recall(db.search(queries, k=10, fields=()), exact)
    with Collection.create(client, os.path.join(directory, "sharded"), shards=args.shards,
                           dim=args.dim, index="HNSW32") as collection:
        start = time.perf_counter()
        upsert_all(collection, ids, base[:n], args.batch)
        build = time.perf_counter() - start
        seconds, found = timed_search(collection, queries)
    return one, recall(found, exact), build, seconds


def exact_answer(args, base, queries, directory):
    n = min(args.hnsw, len(base))
    shutil.rmtree(directory, ignore_errors=True)
    with quiver.open(directory, create=True, dim=args.dim, report=False) as db:
        db.upsert([f"v{i:07d}" for i in range(n)], base[:n])
        return db.search(queries, k=10, fields=())


def _hash_blocks(blocks):
    block = os.urandom(1 << 20)
    for _ in range(blocks):
        hashlib.sha256(block).digest()


def control(workers, blocks=150):
    """Throughput ratio of `workers` processes hashing vs one."""
    def run(processes):
        start = time.perf_counter()
        pool = [multiprocessing.Process(target=_hash_blocks, args=(blocks,))
                for _ in range(processes)]
        for p in pool:
            p.start()
        for p in pool:
            p.join()
        return processes * blocks / (time.perf_counter() - start)
    return run(workers) / run(1)


def projection(args, best_single_search, efficiency, upsert_efficiency, overhead_s,
               best_single_upsert, queries):
    """The paper projection for 10 machines × 10M vectors each (100M in all)."""
    scan_rate = len_base(args) * queries / best_single_search  # vector-query pairs / s / core
    machines, per_machine, cores = 10, 10_000_000, 2
    lines = [
        "projection: 10 machines x 10M vectors each (100M), machines like this one (2 cores,"
        " 1 worker per core, 2 shards per worker), Flat (exact) search, dim "
        f"{args.dim}:",
        f"  method: one core scans {scan_rate:,.0f} vector-query pairs/s (measured: single "
        f"process, {len_base(args):,} vectors x {queries:,} queries); a query visits every "
        f"shard; shards are scanned in parallel, one per core; the measured efficiencies "
        f"(search {efficiency:.2f}, capped at 1: shards of 10M vectors gain nothing from "
        f"caches; upsert, pipelined, {upsert_efficiency:.2f}) are applied to throughput; the "
        f"measured scatter/gather overhead {overhead_s * 1e3:.2f} ms is added to latency (a "
        f"10-machine scatter adds network round trips of the same order, not modelled beyond "
        f"it).",
    ]
    latency = per_machine / cores / scan_rate + overhead_s
    throughput = machines * cores * scan_rate / (machines * per_machine) * efficiency
    load = machines * per_machine / (machines * cores * len_base(args) / best_single_upsert *
                                     upsert_efficiency)
    lines += [
        f"  single-query latency ~ 10M / 2 cores / scan rate + overhead = {latency * 1e3:,.0f} ms",
        f"  batch throughput ~ 20 cores x scan rate / 100M x efficiency = {throughput:,.2f} q/s",
        f"  loading 100M vectors ~ 100M / (20 cores x {len_base(args) / best_single_upsert:,.0f} "
        f"records/s x upsert efficiency) = {load / 60:,.0f} min",
        "  (an HNSW index makes a shard's search cost grow ~log(n) instead of n: the scan "
        "figures are the exact-search bound, not a forecast for HNSW.)"]
    return lines


def len_base(args):
    return args.n


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dir", default="/tmp/quiver_cluster_bench")
    parser.add_argument("--n", type=int, default=100000)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--hnsw", type=int, default=50000,
                        help="vectors of the HNSW recall step (0: skip it)")
    parser.add_argument("--pin", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--out")
    args = parser.parse_args()
    out = []

    def say(line):
        print(line, flush=True)
        out.append(line)

    say("command: " + " ".join([sys.executable, *sys.argv]))
    base, queries = low_rank(args.n, args.dim, seed=1), low_rank(args.queries, args.dim, seed=2)
    ids = [f"v{i:07d}" for i in range(args.n)]
    cluster = distributed.LocalCluster(processes=True, host="127.0.0.1", n_workers=args.workers,
                                       threads_per_worker=1, dashboard_address=":0",
                                       silence_logs=40)
    client = distributed.Client(cluster)
    if args.pin:
        for cpu, address in enumerate(sorted(client.scheduler_info()["workers"])):
            client.run(pin, {cpu % os.cpu_count()}, workers=[address])
    say(f"data: {args.n} x {args.dim} low-rank float32, {args.queries} queries, batches of "
        f"{args.batch}; {args.workers} workers, {args.shards} shards, pinned={args.pin}; "
        f"load average {os.getloadavg()[0]:.1f}")
    singles, clusters = [], []
    for r in range(args.rounds):
        order = ("single", "cluster") if r % 2 == 0 else ("cluster", "single")
        for side in order:
            if side == "single":
                *figures, one = one_process_round(args, ids, base, queries,
                                                  os.path.join(args.dir, "single"))
                singles.append(figures)
            else:
                *figures, many = cluster_round(args, client, ids, base, queries,
                                               os.path.join(args.dir, "collection"))
                clusters.append(figures)
        same = one.ids.tolist() == many.ids.tolist()
        say(f"round {r + 1}: upsert one process {singles[-1][0]:.2f} s ({singles[-1][2]:.2f} "
            f"CPU s), cluster {clusters[-1][0]:.2f} s ({clusters[-1][2]:.2f} CPU s); search one "
            f"process {singles[-1][1]:.2f} s ({singles[-1][3]:.2f} CPU s), cluster "
            f"{clusters[-1][1]:.2f} s ({clusters[-1][3]:.2f} CPU s); upsert_batches "
            f"(pipelined) cluster {clusters[-1][4]:.2f} s ({clusters[-1][5]:.2f} CPU s) "
            f"({'same ids' if same else 'IDS DIFFER'})")
    best = lambda rows, i: min(row[i] for row in rows)  # noqa: E731
    u1, s1, uc, sc = best(singles, 0), best(singles, 1), best(clusters, 0), best(clusters, 1)
    w = args.workers
    say(f"upsert {args.n}: one process {args.n / u1:,.0f} records/s, {w} workers "
        f"{args.n / uc:,.0f} records/s: speedup {u1 / uc:.2f}x, efficiency {u1 / uc / w:.2f}; "
        f"CPU per record one process / cluster = {best(singles, 2) / best(clusters, 2):.2f}")
    up = best(clusters, 4)
    say(f"upsert_batches {args.n} (pipelined): one process (upsert calls) {args.n / u1:,.0f} "
        f"records/s, {w} workers {args.n / up:,.0f} records/s: speedup {u1 / up:.2f}x, "
        f"efficiency {u1 / up / w:.2f}; CPU per record one process / cluster = "
        f"{best(singles, 2) / best(clusters, 5):.2f}")
    say(f"search {args.queries} (batch, k=10, Flat): one process {args.queries / s1:,.0f} q/s, "
        f"{w} workers {args.queries / sc:,.0f} q/s: speedup {s1 / sc:.2f}x, efficiency "
        f"{s1 / sc / w:.2f}; CPU per query one process / cluster = "
        f"{best(singles, 3) / best(clusters, 3):.2f}")
    latencies = overhead(args, client, base, os.path.join(args.dir, "overhead"))
    for name, (median, p90) in latencies.items():
        say(f"single-vector search, {name}: median {median * 1e3:.2f} ms, p90 {p90 * 1e3:.2f} ms")
    extra = latencies["1-shard collection"][0] - latencies["direct"][0]
    say(f"scatter/gather overhead per query (median difference): {extra * 1e3:.2f} ms")
    if args.hnsw:
        exact = exact_answer(args, base, queries, os.path.join(args.dir, "exact"))
        one, sharded, build, seconds = hnsw_recall(args, client, base, queries, exact,
                                                   os.path.join(args.dir, "hnsw"))
        say(f"HNSW32 recall@10 against Flat's exact answer, {min(args.hnsw, args.n)} vectors, "
            f"default ef_search: one database {one:.4f}, {args.shards} shards (2k hits asked "
            f"of each) {sharded:.4f}; the collection built in {build:.1f} s, searched "
            f"{len(queries) / seconds:,.0f} q/s")
    ratio = control(w)
    say(f"control (SHA-256 of 1 MiB blocks): {w} processes / 1 = {ratio:.2f}x; load average "
        f"{os.getloadavg()[0]:.1f}")
    for line in projection(args, s1, min(1.0, s1 / sc / w), u1 / up / w, extra, u1,
                           args.queries):
        say(line)
    client.close()
    cluster.close()
    if args.out:
        with open(args.out, "w") as f:
            f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
