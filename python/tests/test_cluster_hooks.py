"""The engine hooks quiver.cluster builds on: tagged (idempotent) writes, BM25 statistics summed
over shards, and one index training shared by every shard."""

import pickle

import numpy as np
import pytest

import quiver
from conftest import low_rank, sentences


def _open(path, **kw):
    kw.setdefault("dim", 8)
    return quiver.open(path, create=True, report=False, **kw)


# ---- tagged writes ----

def test_tagged_upsert_applies_once(tmp_path):
    with _open(tmp_path / "db") as db:
        v = np.ones((1, 8), np.float32)
        assert db.write_sequence("w") == 0
        assert db.upsert(["a"], v, texts=["first"], writer="w", sequence=1) is True
        assert db.upsert(["a"], v, texts=["retried"], writer="w", sequence=1) is False
        assert db.get("a").text == "first"
        assert db.upsert(["a"], v, texts=["later"], writer="w", sequence=9) is True
        assert db.write_sequence("w") == 9
        assert db.upsert(["b"], v) is True  # untagged
        assert db.write_sequence("w") == 9
        assert db.delete(["a"], writer="w", sequence=9) == 0  # already applied
        assert "a" in db
        assert db.delete(["a"], writer="w", sequence=10) == 1
        assert "a" not in db
    with quiver.open(tmp_path / "db", report=False) as db:
        assert db.write_sequence("w") == 10
        assert db.write_sequence("other") == 0


@pytest.mark.parametrize("kwargs", [{"writer": "w"}, {"sequence": 3}, {"writer": "", "sequence": 1},
                                    {"writer": "w", "sequence": 0},
                                    {"writer": "w", "sequence": -2},
                                    {"writer": 5, "sequence": 1}])
def test_bad_write_tags_are_invalid_argument(tmp_path, kwargs):
    with _open(tmp_path / "db") as db:
        with pytest.raises(quiver.InvalidArgument):
            db.upsert(["a"], np.ones(8, np.float32), **kwargs)
        with pytest.raises(quiver.InvalidArgument):
            db.delete(["a"], **kwargs)
        assert len(db) == 0


# ---- global BM25 statistics ----

def _corpus(n=300):
    texts = sentences(n, seed=3)
    # A rare word, all of whose records go to the first shard below.
    for i in range(0, n, 37):
        texts[i] += " zeppelin river"
    return [f"r{i:04d}" for i in range(n)], texts


def test_statistics_pickle_and_sum():
    a = quiver.TermStatistics(3, 30, {"river": 2, "ocean": 1}, False)
    b = quiver.TermStatistics(5, 20, {"river": 1}, True)
    total = a + b
    assert total == quiver.TermStatistics(8, 50, {"river": 3, "ocean": 1}, True)
    assert sum([a, b]) == total
    assert sum([b], a) == total
    assert pickle.loads(pickle.dumps(total)) == total
    assert a == quiver.TermStatistics(3, 30, {"river": 2, "ocean": 1}, False)  # unchanged


def test_summed_statistics_give_the_whole_databases_scores(tmp_path):
    ids, texts = _corpus()
    vectors = low_rank(len(ids), 8, seed=1)
    shard_of = [0 if "zeppelin" in t or i % 5 < 3 else 1 for i, t in enumerate(texts)]
    with _open(tmp_path / "whole") as whole, _open(tmp_path / "s0") as s0, \
            _open(tmp_path / "s1") as s1:
        whole.upsert(ids, vectors, texts=texts)
        shards = [s0, s1]
        for s, shard in enumerate(shards):
            rows = [i for i in range(len(ids)) if shard_of[i] == s]
            shard.upsert([ids[i] for i in rows], vectors[rows], texts=[texts[i] for i in rows])
        queries = ["zeppelin", "river ocean", '"river mountain" zeppelin', "+ocean -river"]
        stats = sum(shard.term_statistics(queries) for shard in shards)
        assert stats == whole.term_statistics(queries)
        assert stats.constrained
        assert isinstance(stats.frequencies["zeppelin"], int)
        for q in queries:
            expected = {h.id: h.score for h in whole.query(q, k=1000, mode="bm25")}
            found = {}
            for shard in shards:
                found.update({h.id: h.score for h in
                              shard.query(q, k=1000, mode="bm25", statistics=stats)})
            assert found == expected, q
        # One object serves a batch.
        batch = s0.query(queries, k=5, mode="bm25", statistics=stats)
        assert [h.id for h in batch[0]] == [h.id for h in s0.query(queries[0], k=5, mode="bm25",
                                                                     statistics=stats)]
        # Without the sum, the shard holding most records scores with its own N and avgdl.
        whole_scores = {h.id: h.score for h in whole.query("zeppelin", k=1000, mode="bm25")}
        local = {h.id: h.score for h in s0.query("zeppelin", k=1000, mode="bm25")}
        assert any(local[i] != whole_scores[i] for i in local)
        with pytest.raises(quiver.InvalidArgument):
            s0.query("river", mode="bm25", statistics=(1, 2, {}, False))


# ---- shared index training ----

def test_training_copy_gives_the_whole_databases_results(tmp_path):
    vectors = low_rank(1500, 8, seed=2)
    sample = low_rank(600, 8, seed=3)
    ids = [f"v{i}" for i in range(len(vectors))]
    with _open(tmp_path / "whole", index="IVF8,Flat", metric="l2") as whole:
        with pytest.raises(quiver.NotFound):
            whole.index_training()
        whole.train_index(sample)
        whole.upsert(ids, vectors)
        training = whole.index_training()
        assert isinstance(training, bytes)
        with _open(tmp_path / "a", index="IVF8,Flat", metric="l2") as a, \
                _open(tmp_path / "b", index="IVF8,Flat", metric="l2") as b:
            a.set_index_training(training)
            b.set_index_training(training)
            a.upsert(ids[:900], vectors[:900])
            b.upsert(ids[900:], vectors[900:])
            queries = low_rank(10, 8, seed=4)
            for q in queries:
                expected = [(h.id, h.score) for h in whole.search(q, k=10, nprobe=2)]
                merged = sorted([(h.id, h.score) for db in (a, b)
                                 for h in db.search(q, k=10, nprobe=2)], key=lambda p: p[1])[:10]
                assert merged == expected
    with quiver.open(tmp_path / "whole", report=False) as whole:
        assert whole.index_training() == training


def test_training_errors(tmp_path):
    with _open(tmp_path / "flat") as flat:
        with pytest.raises(quiver.InvalidArgument, match="needs no training"):
            flat.train_index(low_rank(100, 8))
    with _open(tmp_path / "ivf", index="IVF8,Flat") as ivf:
        with pytest.raises(quiver.InvalidArgument, match="needs at least 8 vectors"):
            ivf.train_index(low_rank(3, 8))
        with pytest.raises(quiver.InvalidArgument, match="expected an index training"):
            ivf.set_index_training(b"garbage")
        with _open(tmp_path / "ivf4", index="IVF4,Flat") as other:
            other.train_index(low_rank(100, 8))
            with pytest.raises(quiver.InvalidArgument, match="spec 'IVF4,Flat'"):
                ivf.set_index_training(other.index_training())
