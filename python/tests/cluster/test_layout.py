"""The collection's files and routing: the stable shard hash, atomic JSON, the shard map and
settings with their errors, the merge order, and the demo command."""

import hashlib
import os
import subprocess
import sys

import numpy as np
import pytest

import quiver
from quiver.cluster import _layout, _merge, shard_of


def test_shard_of_is_blake2b_big_endian_mod_shards():
    # Fixed values: a change of hash would scatter an existing collection's documents.
    assert [shard_of(f"doc{i}", 8) for i in range(6)] == [
        int.from_bytes(hashlib.blake2b(f"doc{i}".encode(), digest_size=8).digest(), "big") % 8
        for i in range(6)]
    assert shard_of("doc0", 1 << 30) == 449962448  # pinned: the hash itself must not change
    assert shard_of("a", 1) == 0
    counts = np.bincount([shard_of(f"id{i}", 4) for i in range(4000)], minlength=4)
    assert counts.min() > 900  # balanced


def test_map_and_settings_round_trip_and_errors(tmp_path):
    settings = _layout.Settings(shards=3, dim=8, metric="l2", index="HNSW32")
    _layout.save_settings(str(tmp_path), settings)
    assert _layout.load_settings(str(tmp_path)) == settings
    shard_map = _layout.first_map(["tcp://b:1", "tcp://a:1"], 3)
    assert [p.owner for p in shard_map.shards] == ["tcp://a:1", "tcp://b:1", "tcp://a:1"]
    moved = shard_map.moved(1, "tcp://a:1")
    assert moved.epoch == 2 and moved.shards[1] == _layout.Placement("tcp://a:1", 2)
    assert moved.shards[0].epoch == 1
    _layout.save_map(str(tmp_path), moved)
    assert _layout.load_map(str(tmp_path), 3) == moved
    assert not [n for n in os.listdir(tmp_path) if ".tmp." in n]
    with pytest.raises(quiver.InvalidArgument, match="expected 4 shards in .*; found 3"):
        _layout.load_map(str(tmp_path), 4)
    (tmp_path / "collection.json").write_text('{"format": 9}')
    with pytest.raises(quiver.NotSupported, match="expected collection format 1 .*found 9"):
        _layout.load_settings(str(tmp_path))
    with pytest.raises(quiver.InvalidArgument, match="settings at .*found no such file"):
        _layout.load_settings(str(tmp_path / "nowhere"))


def parts(ids, scores):
    return (np.array(ids, dtype=object), np.array(scores, dtype=np.float32), None, None, None,
            None, None)


def test_merge_orders_by_score_then_id_and_pads():
    a = parts([["b", "d", None]], [[0.9, 0.5, np.nan]])
    b = parts([["a", "c", "e"]], [[0.9, 0.7, 0.1]])
    merged = _merge.merge_top_k([a, b], 4)
    assert merged[0].tolist() == [["a", "b", "c", "d"]]
    merged = _merge.merge_top_k([a, b], 4, lower_is_better=True)
    assert merged[0].tolist() == [["e", "d", "c", "a"]]
    merged = _merge.merge_top_k([parts([["x", None]], [[1.0, np.nan]])] * 1, 3)
    assert merged[0].tolist() == [["x", None, None]] and np.isnan(merged[1][0, 1:]).all()


def test_convex_fusion_is_the_engines_formula():
    bm25 = (np.array([["a", "b", "c"]], dtype=object), np.array([[3.0, 2.0, 1.0]], np.float32),
            [["ta", "tb", "tc"]], None, None, None, None)
    dense = (np.array([["c", "d", None]], dtype=object),
             np.array([[0.8, 0.4, np.nan]], np.float32), [["tc", "td"]], None, None, None, None)
    fused = _merge.fuse(bm25, dense, 4, "convex", 0.5, 60, False)
    # a: 0.5*1; b: 0.5*0.5; c: 0.5*0 + 0.5*1; d: 0.5*0 -> a and c tie at 0.5, by id
    assert fused[0].tolist() == [["a", "c", "b", "d"]]
    np.testing.assert_allclose(fused[1][0], [0.5, 0.5, 0.25, 0.0])
    rrf = _merge.fuse(bm25, dense, 2, "rrf", 0.5, 60, False)
    assert rrf[0].tolist() == [["c", "a"]]  # c is in both lists


def test_demo_runs_and_tears_down():
    done = subprocess.run([sys.executable, "-m", "quiver.cluster", "demo"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "upserted 5000 records into 4 shards" in done.stdout
    assert "global BM25 statistics" in done.stdout
    assert "verify: every shard consistent" in done.stdout


def test_shards_of_equals_shard_of_for_every_id():
    ids = [f"doc-{i}" for i in range(500)] + ["", "é", "日本語"]
    for shards in (1, 3, 8):
        assert _layout.shards_of(ids, shards).tolist() == [_layout.shard_of(i, shards)
                                                           for i in ids]
    assert _layout.shards_of([], 4).tolist() == []
