"""Threads: searches run without the GIL, in parallel with each other and with a writer."""

import threading
import time

import numpy as np

import quiver
from conftest import low_rank


def test_threads_search_while_one_thread_writes(tmp_path):
    stable = low_rank(300, 32, seed=1)
    with quiver.open(tmp_path / "db", create=True, dim=32, index="HNSW32", report=False) as db:
        db.upsert([f"s{i}" for i in range(300)], stable)
        errors, searches = [], [0] * 4
        stop = threading.Event()

        def reader(t):
            rng = np.random.default_rng(t)
            try:
                while not stop.is_set():
                    rows = rng.integers(0, 300, 8)
                    batch = db.search(stable[rows], k=3, fields=())
                    assert list(batch.ids[:, 0]) == [f"s{i}" for i in rows]
                    one = db.search(stable[rows[0]], k=1, fields=("metadata",))
                    assert one[0].id == f"s{rows[0]}"
                    searches[t] += 1
            except BaseException as e:  # noqa: B902 - reported below
                errors.append(e)

        def writer():
            rng = np.random.default_rng(9)
            try:
                for round_ in range(30):
                    ids = [f"w{round_}_{j}" for j in range(20)]
                    db.upsert(ids, rng.standard_normal((20, 32)), metadata=[{"r": round_}] * 20)
                    if round_ % 3 == 2:
                        db.delete(ids[:10])
            except BaseException as e:  # noqa: B902
                errors.append(e)

        readers = [threading.Thread(target=reader, args=(t,)) for t in range(4)]
        w = threading.Thread(target=writer)
        for t in readers:
            t.start()
        w.start()
        w.join()
        stop.set()
        for t in readers:
            t.join()
        assert not errors, errors
        assert all(n > 0 for n in searches)
        assert len(db) == 300 + 30 * 20 - 10 * 10
        db.verify()


def test_a_long_search_lets_other_python_threads_run(tmp_path):
    base = low_rank(20000, 64, seed=2)
    with quiver.open(tmp_path / "db", create=True, dim=64, report=False) as db:
        db.upsert([str(i) for i in range(len(base))], base)
        queries = np.repeat(base[:200], 10, axis=0)
        start = time.perf_counter()
        db.search(queries, k=10, fields=())
        alone = time.perf_counter() - start
        done = threading.Event()
        ticks = 0

        def search():
            db.search(queries, k=10, fields=())
            done.set()

        t = threading.Thread(target=search)
        t.start()
        while not done.is_set():
            ticks += 1  # runs only while the search thread has released the GIL
            time.sleep(0.001)
        t.join()
        # With the GIL held through the search, this thread could not tick until it ended.
        assert alone > 0.05 and ticks >= 10, (alone, ticks)
