"""The Python package, the CLI and the C++ API give the same answers on the same database, and
databases pass between Python and the CLI."""

import json

import numpy as np
import pytest

import quiver
from conftest import json_lines, low_rank, sentences


@pytest.fixture
def hnsw_db(tmp_path):
    """An HNSW database written from Python: 2,000 low-rank vectors with texts and metadata."""
    path = tmp_path / "hnsw.db"
    vectors = low_rank(2000, 24, seed=5)
    with quiver.open(path, create=True, dim=24, index="HNSW32", report=False) as db:
        db.upsert([f"id{i}" for i in range(2000)], vectors, texts=sentences(2000, seed=5),
                  metadata=[{"n": i, "odd": i % 2 == 1} for i in range(2000)])
    return path, vectors


def test_search_equals_cli_and_cpp_api(hnsw_db, tmp_path, cli, reference):
    path, vectors = hnsw_db
    queries = (vectors[:25] + 0.1 * low_rank(25, 24, seed=6)).astype(np.float32)
    np.save(tmp_path / "q.npy", queries)
    queries.tofile(tmp_path / "q.f32")
    with quiver.open(path, read_only=True, report=False) as db:
        py = db.search(queries, k=7, fields=())
        py_filtered = db.search(queries, k=7, where={"odd": True}, fields=())
    cpp = reference("search", path, tmp_path / "q.f32", 7)
    cpp_filtered = reference("search", path, tmp_path / "q.f32", 7, '{"odd": true}')
    out = json_lines(cli("search", path, "--vectors", tmp_path / "q.npy", "-k", 7, "--fields",
                         "none", "--json", "--read-only").stdout)
    for batch, rows in ((py, cpp), (py_filtered, cpp_filtered)):
        assert [(q, id_) for q, id_, _ in rows] == [
            (q, batch.ids[q, j]) for q in range(25) for j in range(7)]
        np.testing.assert_allclose([s for _, _, s in rows], batch.scores.ravel(), rtol=1e-6)
    assert [(o["query"] - 1, o["id"]) for o in out] == [(q, id_) for q, id_, _ in cpp]
    np.testing.assert_allclose([o["score"] for o in out], py.scores.ravel(), rtol=1e-6)


def test_bm25_query_equals_cli_and_cpp_api(hnsw_db, cli, reference):
    path, _ = hnsw_db
    with quiver.open(path, read_only=True, report=False) as db:
        py = db.query("violin harp", k=10, mode="bm25")
    cpp = reference("query", path, 10, "bm25", "violin harp")
    out = json_lines(cli("query", path, "violin harp", "--mode", "bm25", "-k", 10, "--json").stdout)
    assert [h.id for h in py] == [id_ for _, id_, _ in cpp] == [o["id"] for o in out]
    np.testing.assert_allclose([h.score for h in py], [o["score"] for o in out], rtol=1e-6)
    assert [h.text for h in py] == [o["text"] for o in out]


def test_python_database_opens_in_the_cli(hnsw_db, cli):
    path, vectors = hnsw_db
    cli("verify", path)
    stats = json.loads(cli("stats", path, "--json").stdout)
    assert (stats["count"], stats["dimension"], stats["index"]) == (2000, 24, "HNSW32")
    got = json.loads(cli("get", path, "id17", "--json").stdout)
    assert got["meta"] == {"n": 17, "odd": True} and got["text"] == sentences(2000, seed=5)[17]
    np.testing.assert_allclose(got["vector"], vectors[17], rtol=1e-6)


def test_cli_database_opens_in_python_and_back(tmp_path, cli):
    path = tmp_path / "cli.db"
    cli("create", path, "--dim", 3, "--metric", "ip")
    (tmp_path / "r.jsonl").write_text(
        '{"id": "a", "vector": [1, 0, 0], "text": "alpha", "meta": {"k": "x"}}\n'
        '{"id": "b", "vector": [0, 2, 0], "text": "beta"}\n')
    cli("add", path, tmp_path / "r.jsonl")
    with quiver.open(path, report=False) as db:
        assert db.stats().metric == "ip" and len(db) == 2
        a = db.get("a")
        assert (a.text, a.metadata, list(a.vector)) == ("alpha", {"k": "x"}, [1, 0, 0])
        assert [h.id for h in db.search([0, 1, 0], k=2)] == ["b", "a"]
        db.upsert("c", [0, 0, 3], texts="gamma", metadata={"k": "y"})
        db.delete("a")
    out = json_lines(cli("search", path, "--vector", "0,0,1", "-k", 2, "--json").stdout)
    assert [o["id"] for o in out] == ["c", "b"] and out[0]["meta"] == {"k": "y"}
    assert cli("get", path, "a", check=False).returncode != 0
    cli("verify", path)
