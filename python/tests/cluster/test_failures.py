"""Surviving workers that die or hang: SIGKILL a worker mid-query, mid-ingest and mid-upsert
(counts, checksums and verify unchanged, no duplicates); a hanging worker gives coverage or a
clear Unavailable within the deadline; the epoch fences off stale owners; a re-sent batch is
applied once.
"""

import os
import signal
import threading
import time

import numpy as np
import pytest

import quiver
from quiver.cluster import Collection, StaleOwner, Unavailable
from quiver.cluster import _layout, _shard

from .cluster_data import checksum, vectors, write_jsonl_files, write_word_vectors

DIM = 32


def kill_owner_when_busy(client, owner, call, timeout=30.0):
    """SIGKILLs worker `owner` once it is running a task of `call` (an in_thread handle),
    asserting the call was still running then."""
    pid = client.run(os.getpid, workers=[owner])[owner]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not client.processing(workers=[owner]).get(owner):
        time.sleep(0.01)
    time.sleep(0.05)
    assert call.running(), "the call finished before the worker could be killed"
    os.kill(pid, signal.SIGKILL)


def in_thread(fn):
    """Runs fn() in a thread; returns a callable giving its result (or raising its error)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the test thread
            box["error"] = e
    thread = threading.Thread(target=run)
    thread.start()

    def result():
        thread.join(120)
        assert not thread.is_alive(), "the call did not finish within 120 s"
        if "error" in box:
            raise box["error"]
        return box["value"]
    result.running = thread.is_alive
    return result


def filled(client, tmp_path, n=20000, shards=4):
    collection = Collection.create(client, tmp_path / "coll", shards=shards, dim=DIM)
    rows = vectors(n, DIM, seed=7)
    ids = [f"v{i:06d}" for i in range(n)]
    for start in range(0, n, 5000):
        collection.upsert(ids[start:start + 5000], rows[start:start + 5000])
    return collection, ids, rows


def verify_every_shard(collection):
    collection.close()  # release the handles; then open each shard on its own
    for shard in range(collection.settings.shards):
        with quiver.open(_layout.shard_dir(collection.path, shard), read_only=True,
                         report=False) as db:
            db.verify()


def assert_holds_exactly(collection, tmp_path, ids, rows):
    """The collection holds each of `ids` once with its row, as one database given them does,
    and every shard verifies."""
    stored = collection.ids()
    assert len(stored) == len(set(stored)) == len(ids) == collection.stats().count
    with quiver.open(tmp_path / "single", create=True, dim=DIM, report=False) as single:
        single.upsert(ids, rows)
        assert checksum(stored, collection.get_many) == checksum(single.ids(), single.get_many)
    verify_every_shard(collection)


def test_sigkill_mid_query_completes_with_the_same_answer(own_client, tmp_path):
    collection, ids, _ = filled(own_client, tmp_path)
    queries = vectors(4000, DIM, seed=8)
    before = collection.search(queries, k=10, fields=())
    epoch = collection.shard_map.epoch
    victim = collection.shard_map.shards[0].owner
    answer = in_thread(lambda: collection.search(queries, k=10, fields=()))
    kill_owner_when_busy(own_client, victim, answer)
    after = answer()
    assert after.ids.tolist() == before.ids.tolist()
    np.testing.assert_array_equal(after.scores, before.scores)
    moved = [s for s, p in enumerate(collection.shard_map.shards) if p.owner == victim]
    assert moved == [] and collection.shard_map.epoch > epoch
    assert _layout.load_map(collection.path) == collection.shard_map
    assert collection.stats().count == len(ids)
    verify_every_shard(collection)


def test_hanging_worker_gives_coverage_or_unavailable_within_the_deadline(client, tmp_path):
    collection, _, _ = filled(client, tmp_path, n=2000)
    queries = vectors(5, DIM, seed=9)
    busy = collection.shard_map.shards[0].owner
    stuck = client.submit(time.sleep, 6, workers=[busy], pure=False)  # its only thread
    time.sleep(0.3)
    start = time.monotonic()
    partial = collection.search(queries, k=10, allow_partial=True, deadline=1.5)
    assert time.monotonic() - start < 4
    assert partial.coverage == 0.5  # 2 of 4 shards live on the busy worker
    assert all(id_ is not None for id_ in partial.results.ids[:, 0])
    start = time.monotonic()
    with pytest.raises(Unavailable, match="within 1.5 s; shards 0 on"):
        collection.search(queries, k=10, deadline=1.5)
    assert time.monotonic() - start < 4
    stuck.result()
    collection.close()


def test_sigkill_mid_ingest_loses_and_duplicates_nothing(own_client, tmp_path):
    glove = write_word_vectors(tmp_path / "glove.txt", DIM)
    files = write_jsonl_files(tmp_path / "corpus", files=40, per_file=100)
    single = quiver.open(tmp_path / "single", create=True, dim=DIM, report=False)
    single.import_word_vectors(glove)
    single.ingest(files, on_message=lambda m: None)
    collection = Collection.create(own_client, tmp_path / "coll", shards=4, dim=DIM)
    collection.import_word_vectors(glove)
    victim = collection.shard_map.shards[1].owner
    summary = in_thread(lambda: collection.ingest(tmp_path / "corpus"))
    kill_owner_when_busy(own_client, victim, summary)
    summary()
    again = collection.ingest(tmp_path / "corpus")  # everything already stored is unchanged
    assert again.files_unchanged == 40 and again.chunks_added == 0
    stored = collection.ids()
    assert len(stored) == len(set(stored)) == 4000 == collection.stats().count
    assert checksum(stored, collection.get_many) == checksum(single.ids(), single.get_many)
    single.close()
    verify_every_shard(collection)


def test_sigkill_mid_upserts_keeps_every_acknowledged_batch_once(own_client, tmp_path):
    n, batch = 24000, 1000
    rows = vectors(n, DIM, seed=10)
    ids = [f"u{i:06d}" for i in range(n)]
    collection = Collection.create(own_client, tmp_path / "coll", shards=4, dim=DIM)
    acknowledged = []

    def stream():
        for start in range(0, n, batch):
            collection.upsert(ids[start:start + batch], rows[start:start + batch])
            acknowledged.append(start)
    done = in_thread(stream)
    time.sleep(0.5)
    kill_owner_when_busy(own_client, collection.shard_map.shards[2].owner, done)
    done()
    assert len(acknowledged) == n // batch
    assert_holds_exactly(collection, tmp_path, ids, rows)


def test_the_epoch_fences_off_a_stale_owner(client, tmp_path):
    collection, _, _ = filled(client, tmp_path, n=400)
    old = collection.shard_map.shards[0]
    other = next(w for w in collection._runner.live_workers() if w != old.owner)
    # Another client moves shard 0; the old owner must refuse writes under the old epoch.
    newer = collection.shard_map.moved(0, other)
    client.submit(_shard.close_shard, collection.path, 0, workers=[old.owner],
                       pure=False).result()
    _layout.save_map(collection.path, newer)
    refused = client.submit(_shard.upsert, collection.path, 0, old.epoch, "w", 1, ["x"],
                                 np.ones((1, DIM), np.float32), None, None,
                                 workers=[old.owner], pure=False)
    with pytest.raises(StaleOwner, match=f"expected owner {old.owner} at epoch {old.epoch}"):
        refused.result()
    # This handle's map is stale too: its write is refused, it re-reads the map, and sends the
    # rows to the new owner.
    home0 = next(f"s{i}" for i in range(1000) if collection.shard_of(f"s{i}") == 0)
    collection.upsert([home0], np.ones((1, DIM), np.float32))
    assert collection.shard_map.shards[0].owner == other
    assert collection.get(home0).id == home0
    collection.close()


def test_a_resent_batch_is_applied_once(client, tmp_path):
    collection, _, _ = filled(client, tmp_path, n=400)
    placement = collection.shard_map.shards[3]
    home = [f"t{i}" for i in range(200) if collection.shard_of(f"t{i}") == 3][:5]

    def send(sequence, value):
        return client.submit(_shard.upsert, collection.path, 3, placement.epoch, "resender",
                                  sequence, home, np.full((len(home), DIM), value, np.float32),
                                  None, None, workers=[placement.owner], pure=False).result()
    assert send(1, 1.0) is True
    assert send(1, 1.0) is False  # the same batch again: already applied
    assert send(2, 2.0) is True
    assert send(1, 1.0) is False  # an old batch re-sent late does not roll back the newer one
    assert collection.get(home[0]).vector[0] == 2.0
    assert collection.stats().count == 400 + len(home)
    reopened = Collection.open(client, collection.path, writer="resender")
    assert reopened._sequence[3] == 2  # a re-opened writer continues its numbering
    collection.close()


def test_sigkill_mid_upsert_batches_stores_every_batch_once(own_client, tmp_path):
    n, batch = 60000, 1000  # pipelined, so more batches than above to still be running
    rows = vectors(n, DIM, seed=11)
    ids = [f"p{i:06d}" for i in range(n)]
    collection = Collection.create(own_client, tmp_path / "coll", shards=4, dim=DIM)
    done = in_thread(lambda: collection.upsert_batches(
        (ids[s:s + batch], rows[s:s + batch]) for s in range(0, n, batch)))
    time.sleep(0.2)
    kill_owner_when_busy(own_client, collection.shard_map.shards[1].owner, done)
    assert done() == n // batch
    assert_holds_exactly(collection, tmp_path, ids, rows)
