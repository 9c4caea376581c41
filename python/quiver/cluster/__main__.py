"""python3 -m quiver.cluster demo [--dir DIR] [--workers N] [--shards S]

Starts a local Dask cluster (worker processes on 127.0.0.1), creates a small sharded
collection, upserts vectors with texts, searches and queries it, prints what it found and
where the shards live, then shuts the cluster down. The collection is left in DIR (default: a
temporary directory, removed afterwards) to be opened again with Collection.open.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

_WORDS = ("river mountain forest ocean desert valley island glacier canyon meadow "
          "engine piston turbine valve gear bearing shaft motor rotor clutch").split()


def _demo(directory: str, workers: int, shards: int) -> None:
    import distributed
    from quiver.cluster import Collection

    start = time.monotonic()
    local = distributed.LocalCluster(processes=True, host="127.0.0.1", n_workers=workers,
                                     threads_per_worker=1, dashboard_address=":0",
                                     silence_logs=40)
    with local as cluster, distributed.Client(cluster) as client:
        print(f"cluster: scheduler {cluster.scheduler_address}, {workers} worker processes "
              f"({time.monotonic() - start:.1f} s)")
        rng = np.random.default_rng(0)
        n, dim = 5000, 32
        ids = [f"doc{i:05d}" for i in range(n)]
        vectors = rng.standard_normal((n, dim)).astype(np.float32)
        texts = [" ".join(rng.choice(_WORDS, size=6)) for _ in range(n)]
        with Collection.create(client, os.path.join(directory, "demo"), shards=shards,
                               dim=dim) as collection:
            at = time.monotonic()
            for begin in range(0, n, 1000):
                collection.upsert(ids[begin:begin + 1000], vectors[begin:begin + 1000],
                                  texts[begin:begin + 1000],
                                  [{"half": i * 2 // n} for i in range(begin, begin + 1000)])
            stats = collection.stats()
            print(f"upserted {stats.count} records into {shards} shards in "
                  f"{time.monotonic() - at:.2f} s: {[s.count for s in stats.per_shard]} per shard")
            for shard, owner in enumerate(stats.owners):
                print(f"  shard {shard}: {owner}")
            hits = collection.search(vectors[42], k=3, where={"half": 0})
            print("search(vectors[42], k=3, where={'half': 0}):")
            for hit in hits:
                print(f"  {hit.id}  {hit.score:.4f}  {hit.text}")
            print("query('glacier meadow', mode='bm25'), global BM25 statistics:")
            for hit in collection.query("glacier meadow", k=3, mode="bm25"):
                print(f"  {hit.id}  {hit.score:.4f}  {hit.text}")
            collection.verify()
            print(f"verify: every shard consistent; done in {time.monotonic() - start:.1f} s")


def main(argv: list) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m quiver.cluster",
                                     description="quiver sharded collections on Dask")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="try a sharded collection on a local cluster")
    demo.add_argument("--dir", help="where to leave the collection (default: a temporary "
                                    "directory, removed)")
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--shards", type=int, default=4)
    args = parser.parse_args(argv)
    if args.dir:
        os.makedirs(args.dir, exist_ok=True)
        _demo(args.dir, args.workers, args.shards)
    else:
        with tempfile.TemporaryDirectory(prefix="quiver-cluster-") as directory:
            _demo(directory, args.workers, args.shards)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
