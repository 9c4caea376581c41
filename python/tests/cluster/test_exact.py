"""4 shards against one database on the same data: the same ids and scores (Flat, IVF with a
shared quantizer, BM25 with global statistics, dense, hybrid), and HNSW's recall.

Each test builds its collection and its single database from the same rows; every comparison
is of ids and scores as returned (texts are distinct, vectors random, so no two scores tie).
"""

import numpy as np
import pytest

import quiver
from quiver.cluster import Collection

from .cluster_data import (TOPICS, checksum, skewed_corpus, vectors, write_jsonl_files,
                          write_word_vectors)

DIM = 16


def both(client, tmp_path, index="Flat", metric="cosine", n=3000, shards=4, train=None):
    """A collection and a single database holding the same n rows (ids r00000.., vectors,
    texts, metadata {"g": i % 3})."""
    ids = [f"r{i:05d}" for i in range(n)]
    rows = vectors(n, DIM, seed=1)
    texts = [f"{TOPICS[i % 30]} {TOPICS[(i * 7) % 30]} n{i}" for i in range(n)]
    metadata = [{"g": i % 3} for i in range(n)]
    collection = Collection.create(client, tmp_path / "coll", shards=shards, dim=DIM,
                                   metric=metric, index=index)
    single = quiver.open(tmp_path / "single", create=True, dim=DIM, metric=metric, index=index,
                         report=False)
    if train is not None:
        collection.train_index(rows[:train])
        single.train_index(rows[:train])
    for start in range(0, n, 1000):
        part = slice(start, start + 1000)
        collection.upsert(ids[part], rows[part], texts[part], metadata[part])
        single.upsert(ids[part], rows[part], texts[part], metadata[part])
    return collection, single, rows


def assert_same(a, b):
    assert a.ids.tolist() == b.ids.tolist()
    np.testing.assert_array_equal(a.scores, b.scores)


@pytest.mark.parametrize("metric", ["cosine", "l2"])
def test_flat_search_equals_one_database(client, tmp_path, metric):
    collection, single, rows = both(client, tmp_path, metric=metric)
    queries = vectors(40, DIM, seed=2)
    assert_same(collection.search(queries, k=10), single.search(queries, k=10))
    assert_same(collection.search(queries, k=7, where={"g": 2}, fields=()),
                single.search(queries, k=7, where={"g": 2}, fields=()))
    one = collection.search(queries[0], k=5)
    assert [h.id for h in one] == [h.id for h in single.search(queries[0], k=5)]
    assert one[0].text == single.get(one[0].id).text and one[0].metadata == {"g": int(
        one[0].id[1:]) % 3}
    assert collection.stats().count == single.stats().count == len(rows)
    assert checksum(collection.ids(), collection.get_many) == checksum(single.ids(),
                                                                       single.get_many)
    collection.verify()
    collection.close()
    single.close()


def test_ivf_with_shared_training_equals_one_database(client, tmp_path):
    collection, single, _ = both(client, tmp_path, index="IVF16,Flat", train=2000)
    queries = vectors(40, DIM, seed=3)
    for nprobe in (1, 4):
        assert_same(collection.search(queries, k=10, nprobe=nprobe),
                    single.search(queries, k=10, nprobe=nprobe))
    collection.close()
    single.close()


def test_hnsw_recall_against_flat(client, tmp_path):
    collection, _, rows = both(client, tmp_path, index="HNSW32", n=4000)
    queries = vectors(100, DIM, seed=4)
    found = collection.search(queries, k=10, fields=())
    normalized = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    truth = np.argsort(-(queries @ normalized.T), axis=1)[:, :10]
    hits = sum(len({f"r{i:05d}" for i in truth[q]} & set(found.ids[q])) for q in range(100))
    recall = hits / 1000
    print(f"HNSW32 recall@10 over 4 shards: {recall:.4f} (Flat: 1.0)")
    assert recall >= 0.98
    collection.close()


def test_bm25_on_a_skewed_corpus_equals_one_database(client, tmp_path):
    ids, texts = skewed_corpus(1200, 4)
    collection = Collection.create(client, tmp_path / "coll", shards=4, dim=DIM)
    single = quiver.open(tmp_path / "single", create=True, dim=DIM, report=False)
    rows = vectors(len(ids), DIM, seed=5)
    collection.upsert(ids, rows, texts)
    single.upsert(ids, rows, texts)
    questions = ["glacier", "meadow glacier", "river engine", "violin meadow"]
    for q in questions:
        assert_same_hits(collection.query(q, k=10, mode="bm25"),
                         single.query(q, k=10, mode="bm25"))
    assert_same(collection.query(questions, k=10, mode="bm25"),
                single.query(questions, k=10, mode="bm25"))
    # The skew is real: one shard alone scores "glacier" differently from the whole.
    collection.close()
    with quiver.open(tmp_path / "coll" / "shards" / "0001", read_only=True, report=False) as s:
        local = s.query("glacier", k=3, mode="bm25")
    whole = {h.id: h.score for h in single.query("glacier", k=1000, mode="bm25")}
    assert any(abs(h.score - whole[h.id]) > 1e-3 for h in local)
    single.close()


def assert_same_hits(a, b):
    assert [(h.id, h.score) for h in a] == [(h.id, h.score) for h in b]


def ingested_both(client, tmp_path):
    """A collection and a single database that ingested the same .jsonl files with the same
    word-vector model."""
    glove = write_word_vectors(tmp_path / "glove.txt", DIM)
    files = write_jsonl_files(tmp_path / "corpus", files=12, per_file=60)
    collection = Collection.create(client, tmp_path / "coll", shards=4, dim=DIM)
    collection.import_word_vectors(glove)
    summary = collection.ingest(tmp_path / "corpus", metadata_fields=["n"])
    single = quiver.open(tmp_path / "single", create=True, dim=DIM, report=False)
    single.import_word_vectors(glove)
    single.ingest([str(f) for f in files], metadata_fields=["n"], on_message=lambda m: None)
    assert summary.files_added == 12 and summary.chunks_added == 720
    return collection, single


def test_dense_query_and_ingest_equal_one_database(client, tmp_path):
    collection, single = ingested_both(client, tmp_path)
    questions = ["river glacier", "turbine motor", "cello harp"]
    assert_same(collection.query(questions, k=10, mode="dense"),
                single.query(questions, k=10, mode="dense"))
    assert_same(collection.query(questions, k=10, mode="dense", where={"n": {"$lt": 300}}),
                single.query(questions, k=10, mode="dense", where={"n": {"$lt": 300}}))
    assert collection.stats().count == single.stats().count == 720
    assert checksum(collection.ids(), collection.get_many) == checksum(single.ids(),
                                                                       single.get_many)
    collection.close()
    single.close()


@pytest.mark.parametrize("fusion", ["convex", "rrf"])
def test_hybrid_equals_one_database(client, tmp_path, fusion):
    collection, single = ingested_both(client, tmp_path)
    questions = ["river glacier", "turbine motor n7", "cello harp violin"]
    for depth in (100, 20):
        assert_same(
            collection.query(questions, k=10, fusion=fusion, fusion_depth=depth),
            single.query(questions, k=10, fusion=fusion, fusion_depth=depth))
    collection.close()
    single.close()


def test_a_filter_field_only_some_shards_have_is_not_an_error(client, tmp_path):
    ids = [f"f{i:04d}" for i in range(400)]
    rows = vectors(400, DIM, seed=6)
    collection = Collection.create(client, tmp_path / "coll", shards=4, dim=DIM)
    metadata = [{"rare": i} if collection.shard_of(id_) == 0 else {"common": 1}
                for i, id_ in enumerate(ids)]
    collection.upsert(ids, rows, metadata=metadata)
    with quiver.open(tmp_path / "single", create=True, dim=DIM, report=False) as single:
        single.upsert(ids, rows, metadata=metadata)
        queries = vectors(5, DIM, seed=7)
        where = {"rare": {"$gte": 0}}
        assert_same(collection.search(queries, k=5, where=where),
                    single.search(queries, k=5, where=where))
    with pytest.raises(quiver.InvalidArgument, match='no record has field "nowhere".*no shard'):
        collection.search(queries, k=5, where={"nowhere": 1})
    collection.close()


def test_upsert_batches_equals_upsert_calls_and_keeps_their_order(client, tmp_path):
    n = 3000
    ids = [f"b{i:05d}" for i in range(n)]
    rows = vectors(n, DIM, seed=5)
    texts = [f"{TOPICS[i % 30]} n{i}" for i in range(n)]
    metadata = [{"g": i % 3} for i in range(n)]
    newer = rows[:500] * -1.0  # the first 500 ids again, later, other vectors, no texts
    batches = [(ids[s:s + 400], rows[s:s + 400], texts[s:s + 400], metadata[s:s + 400])
               for s in range(0, n, 400)]
    batches += [([], np.zeros((0, DIM), np.float32)), (ids[:500], newer)]
    collection = Collection.create(client, tmp_path / "coll", shards=4, dim=DIM)
    with quiver.open(tmp_path / "single", create=True, dim=DIM, report=False) as single:
        for batch in batches:
            single.upsert(*batch)
        assert collection.upsert_batches(iter(batches)) == len(batches)
        assert collection.stats().count == single.stats().count == n
        assert checksum(collection.ids(), collection.get_many) == checksum(single.ids(),
                                                                           single.get_many)
        np.testing.assert_array_equal(collection.get(ids[7]).vector, single.get(ids[7]).vector)
        queries = vectors(20, DIM, seed=6)
        assert_same(collection.search(queries, k=10), single.search(queries, k=10))
        # the stream's tags continue the handle's numbering: a later call is not taken for a
        # batch sent before
        collection.upsert([ids[0]], rows[:1])
        single.upsert([ids[0]], rows[:1])
        np.testing.assert_array_equal(collection.get(ids[0]).vector, single.get(ids[0]).vector)
    collection.close()
