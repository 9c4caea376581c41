"""Round trips of every call of quiver.Database."""

import math

import numpy as np
import pytest

import quiver
from conftest import WORDS, low_rank, sentences, write_collection, write_glove


def test_open_creates_and_reopens_with_stored_settings(tmp_path):
    path = tmp_path / "db"
    with quiver.open(path, create=True, dim=8, metric="l2", index="HNSW32", report=False) as db:
        assert db.dimension == 8
        db.upsert(["a"], np.ones((1, 8), np.float32))
    with quiver.open(path, dim=99, metric="ip", report=False) as db:  # stored values win
        s = db.stats()
        assert (s.dimension, s.metric, s.index_spec, s.count) == (8, "l2", "HNSW32", 1)
    with pytest.raises(quiver.InvalidArgument):
        quiver.open(path, create=True, error_if_exists=True, dim=8, report=False)


def test_upsert_get_delete(vector_db):
    db, vectors = vector_db
    r = db.get("r007")
    assert r.id == "r007" and r.text == sentences(200)[7]
    assert r.metadata == {"n": 7, "group": "odd"}
    np.testing.assert_array_equal(r.vector, vectors[7])
    assert r.source is None
    assert "r007" in db and "nope" not in db and len(db) == 200
    assert db["r008"].metadata["group"] == "even"
    db.upsert("r007", np.zeros(16, np.float32) + 1, texts="replaced", metadata={"n": -1})
    assert db.get("r007").text == "replaced" and db.get("r007").metadata == {"n": -1}
    assert db.delete(["r007", "r008", "missing"]) == 2
    assert db.get_many(["r007", "r009"])[0] is None
    with pytest.raises(quiver.NotFound, match="r007"):
        db.get("r007")
    assert len(db) == 198


def test_search_one_vector_gives_hits_best_first(vector_db):
    db, vectors = vector_db
    hits = db.search(vectors[42], k=5)
    assert len(hits) == 5 and hits[0].id == "r042"
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].text == sentences(200)[42] and hits[0].metadata == {"n": 42, "group": "even"}
    r = repr(hits[0])
    assert r.startswith("Hit(id='r042', score=1.0000") and "metadata=" in r
    bare = db.search(vectors[42], k=3, fields=())
    assert bare[0].text is None and bare[0].metadata is None and bare[0].id == "r042"
    with_vec = db.search(vectors[42], k=1, fields=("vector",))
    np.testing.assert_array_equal(with_vec[0].vector, vectors[42])


def test_search_batch_gives_arrays_equal_to_single_searches(vector_db):
    db, vectors = vector_db
    queries = vectors[:20] + 0.01
    batch = db.search(queries, k=4, fields=("text",))
    assert isinstance(batch, quiver.BatchResults) and len(batch) == 20
    assert batch.ids.shape == (20, 4) and batch.scores.dtype == np.float32
    for i in range(20):
        single = db.search(queries[i], k=4, fields=("text",))
        assert [h.id for h in single] == list(batch.ids[i])
        np.testing.assert_allclose([h.score for h in single], batch.scores[i], rtol=1e-6)
        assert batch[i] == single
    assert batch.texts[3][0] == db.get(batch.ids[3, 0]).text


def test_search_pads_short_results_and_filters(vector_db):
    db, vectors = vector_db
    batch = db.search(vectors[:2], k=3, where={"n": {"$lt": 2}}, fields=())
    assert batch.ids[0, 2] is None and math.isnan(batch.scores[0, 2])
    assert set(batch.ids[0, :2]) == {"r000", "r001"} and len(batch[0]) == 2
    odd = db.search(vectors[0], k=10, where='{"group": "odd"}', fields=("metadata",))
    assert len(odd) == 10 and all(h.metadata["group"] == "odd" for h in odd)


def test_iteration_ids_and_scans(vector_db):
    db, _ = vector_db
    ids = [r.id for r in db]
    assert ids == sorted(ids) and len(ids) == 200
    assert db.ids({"n": {"$gte": 198}}) == ["r198", "r199"]
    evens = list(db.records(where={"group": "even"}, batch_size=7))
    assert len(evens) == 100 and all(r.metadata["n"] % 2 == 0 for r in evens)


def test_query_bm25_and_like(vector_db):
    db, _ = vector_db
    hits = db.query("violin cello", k=5, mode="bm25", highlight=True)
    assert len(hits) == 5
    assert all("violin" in h.text or "cello" in h.text for h in hits)
    begin, end = hits[0].highlights[0]
    assert hits[0].text.encode()[begin:end].decode() in ("violin", "cello")
    batch = db.query(["river", "piston"], k=3, mode="bm25", fields=())
    assert batch.ids.shape == (2, 3)
    assert list(batch.ids[0]) == [h.id for h in db.query("river", k=3, mode="bm25")]
    like = db.query_like("r010", k=3)
    assert len(like) == 3 and "r010" not in [h.id for h in like]


def test_stats_verify_compact(vector_db):
    db, _ = vector_db
    db.delete([f"r{i:03d}" for i in range(50)])
    s = db.stats()
    assert s.count == 150 and s.lexical_deleted == 50 and s.lexical_documents == 150
    db.verify()
    db.compact()
    assert db.stats().lexical_deleted == 0
    db.verify()


def test_word_vector_model_embed_tokenize_neighbors(tmp_path):
    glove = write_glove(tmp_path / "glove.txt", 12)
    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        db.import_word_vectors(glove)
        info = db.model_info()
        assert info.tokenizer_kind == "word" and info.vocab_size >= len(WORDS)
        t = db.tokenize("River Forest")
        assert [tok.piece for tok in t.tokens][-2:] == ["river", "forest"]
        assert t.ids.dtype == np.int32
        np.testing.assert_allclose(db.token_vector("river"),
                                   db.embed("river").token_vectors[0], rtol=1e-6)
        e = db.embed("river forest unknownword")
        assert e.known_tokens == 2 and e.vector.shape == (12,)
        assert abs(np.linalg.norm(e.vector) - 1) < 1e-5
        near = db.neighbors("river", k=5)
        assert len(near) == 5 and all(n.token in WORDS[:10] for n in near[:3])
        with pytest.raises(quiver.InvalidArgument):
            db.import_word_vectors(glove)  # already has a model
        db.import_word_vectors(glove, replace=True)


def test_ingest_query_sources_reembed_reindex(tmp_path):
    glove = write_glove(tmp_path / "glove.txt", 12)
    files = write_collection(tmp_path / "docs", 5)
    seen = []
    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        db.import_word_vectors(glove)
        summary = db.ingest(tmp_path / "docs", progress=seen.append, metadata={"set": "a"})
        assert summary.files_added == 5 and summary.chunks_added == len(db)
        assert seen[-1].files_done == 5 and seen[-1].files_total == 5
        hits = db.query("violin harp", k=3, mode="dense")
        assert hits[0].source.path in [str(f) for f in files]
        assert hits[0].metadata["set"] == "a" and hits[0].metadata["relpath"].endswith(".txt")
        assert len(db.query("violin harp", k=3)) == 3  # hybrid
        assert [s.path for s in db.sources()] == sorted(str(f) for f in files)
        assert db.ingest([str(f) for f in files], metadata={"set": "a"}).files_unchanged == 5
        db.train([tmp_path / "docs"], vocab_size=400, replace=True)
        with pytest.raises(quiver.InvalidArgument):
            db.query("violin", mode="dense")  # the vectors were made by the old model
        assert db.reembed().records == len(db)
        assert db.query("violin", k=1, mode="dense")[0].id
        db.reindex("none")
        assert db.stats().analyzer == "none"
        db.verify()


def test_tokenize_file_without_database(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("\n".join(WORDS) + "\n")
    t = quiver.tokenize(words, "river ocean")
    assert t.tokenizer_kind == "word" and [x.piece for x in t.tokens][-2:] == ["river", "ocean"]


def test_low_rank_l2_database_scores_are_squared_distances(tmp_path):
    v = low_rank(50, 8, seed=3)
    with quiver.open(tmp_path / "db", create=True, dim=8, metric="l2", report=False) as db:
        db.upsert([str(i) for i in range(50)], v)
        hits = db.search(v[5] + 0.5, k=1, fields=())
        assert hits[0].score == pytest.approx(float(np.sum((0.5) ** 2 * 8)), rel=1e-4)
