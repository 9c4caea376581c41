"""Merging the shards' answers: global top k, hybrid fusion, repeated texts.

A shard answers a batch of n queries with a tuple of parts, BatchResults' fields:
(ids (n, k) object, scores (n, k) float32, texts, metadata, sources, highlights: per-query
lists of the hits' values or None, vectors (n, k, dim) float32 or None). Every shard answers
with the same k columns (None/NaN-padded).

Order is the engine's: better score first (higher, or lower for L2 distances), ties by id
(bytewise, where one database breaks ties by its internal id: equal scores are the only place a
sharded answer may order differently from one database's).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from .._types import BatchResults

_LISTS = (2, 3, 4, 6)  # part indexes of per-query lists: texts, metadata, sources, highlights
_VECTORS = 5


def _sort_keys(scores: np.ndarray, lower_is_better: bool) -> np.ndarray:
    """Ascending keys: the best score smallest, padding (NaN) last."""
    keys = scores.astype(np.float64) if lower_is_better else -scores.astype(np.float64)
    return np.where(np.isnan(keys), np.inf, keys)


def _order(ids: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Per row, the column order by (key, id). Vectorized by key; rows with equal finite keys
    are re-sorted in Python by (key, id)."""
    order = np.argsort(keys, axis=1, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=1)
    ties = (np.diff(ordered, axis=1) == 0) & np.isfinite(ordered[:, 1:])
    for row in np.flatnonzero(ties.any(axis=1)):
        by = lambda c: (keys[row, c], "" if ids[row, c] is None else ids[row, c])  # noqa: E731
        order[row] = sorted(range(keys.shape[1]), key=by)
    return order


def merge_top_k(parts: list, k: int, lower_is_better: bool = False) -> tuple:
    """The best k hits per query among every shard's, as parts of k columns."""
    ids = np.concatenate([p[0] for p in parts], axis=1)
    scores = np.concatenate([p[1] for p in parts], axis=1)
    n, total = ids.shape
    width = parts[0][0].shape[1]
    order = _order(ids, _sort_keys(scores, lower_is_better))[:, :k]
    out_ids = np.full((n, k), None, dtype=object)
    out_scores = np.full((n, k), np.nan, dtype=np.float32)
    columns = min(k, total)
    out_ids[:, :columns] = np.take_along_axis(ids, order, axis=1)
    out_scores[:, :columns] = np.take_along_axis(scores, order, axis=1)
    merged: list = [out_ids, out_scores, None, None, None, None, None]
    for field in _LISTS:
        if parts[0][field] is not None:
            merged[field] = [[parts[c // width][field][q][c % width]
                              for c in order[q] if ids[q, c] is not None] for q in range(n)]
    if parts[0][_VECTORS] is not None:
        vectors = np.concatenate([p[_VECTORS] for p in parts], axis=1)
        out = np.full((n, k, vectors.shape[2]), np.nan, dtype=np.float32)
        out[:, :columns] = np.take_along_axis(vectors, order[:, :, None], axis=1)
        merged[_VECTORS] = out
    return tuple(merged)


def _hits(parts: tuple, q: int) -> list:
    """Query q's hits as (id, score, {field index: value}), best first."""
    hits = []
    for c, id_ in enumerate(parts[0][q]):
        if id_ is None:
            break
        fields = {f: parts[f][q][c] for f in _LISTS if parts[f] is not None}
        if parts[_VECTORS] is not None:
            fields[_VECTORS] = parts[_VECTORS][q, c]
        hits.append((id_, float(parts[1][q, c]), fields))
    return hits


def _fused_scores(lists: list, weights: list, fusion: str, rrf_k: int) -> dict:
    """The engine's fusion (engine/fusion.cc), in float32 as it computes:
    convex: each list min-max normalized over its candidates (1 when all are equal), fused =
    sum of weight * normalized; rrf: sum of weight / (rrf_k + rank), ranks from 1."""
    fused: dict = {}
    for hits, weight in zip(lists, weights):
        if not hits:
            continue
        weight = np.float32(weight)
        scores = [np.float32(s) for _, s, _ in hits]
        low, high = min(scores), max(scores)
        span = np.float32(high - low)
        for rank, ((id_, _, _), score) in enumerate(zip(hits, scores)):
            if fusion == "rrf":
                part = weight / np.float32(rrf_k + rank + 1)
            else:
                part = weight * ((score - low) / span if span > 0 else np.float32(1))
            fused[id_] = np.float32(fused.get(id_, np.float32(0)) + part)
    return fused


def fuse(bm25: tuple, dense: tuple, k: int, fusion: str, dense_weight: float, rrf_k: int,
         dense_lower_is_better: bool, constrained: Optional[list] = None) -> tuple:
    """Hybrid hits per query: the globally merged bm25 and dense lists (each fusion depth deep)
    fused as the engine fuses them, best k first (ties by id). L2 distances are negated first
    (fusion wants higher = better), as the engine does. For a query with +required/-excluded
    clauses (constrained[q]) only documents of the bm25 list, which obey them, are fused."""
    n = bm25[0].shape[0]
    rows = []
    for q in range(n):
        lexical, vector = _hits(bm25, q), _hits(dense, q)
        if dense_lower_is_better:
            vector = [(i, -s, f) for i, s, f in vector]
        if constrained is not None and constrained[q]:
            allowed = {i for i, _, _ in lexical}
            vector = [hit for hit in vector if hit[0] in allowed]
        if not vector or not lexical:
            rows.append((lexical or vector)[:k])
            continue
        fields = {i: f for i, _, f in vector}
        fields.update({i: f for i, _, f in lexical})
        fused = _fused_scores([lexical, vector], [np.float32(1) - np.float32(dense_weight),
                                                  dense_weight], fusion, rrf_k)
        best = sorted(fused.items(), key=lambda item: (-float(item[1]), item[0]))[:k]
        rows.append([(i, float(s), fields[i]) for i, s in best])
    return _parts_of_rows(rows, k, bm25, dense)


def _parts_of_rows(rows: list, k: int, *like: tuple) -> tuple:
    n = len(rows)
    ids = np.full((n, k), None, dtype=object)
    scores = np.full((n, k), np.nan, dtype=np.float32)
    for q, row in enumerate(rows):
        for c, (id_, score, _) in enumerate(row):
            ids[q, c], scores[q, c] = id_, score
    parts: list = [ids, scores, None, None, None, None, None]
    for field in _LISTS:
        if any(p[field] is not None for p in like):
            parts[field] = [[f.get(field) for _, _, f in row] for row in rows]
    vectors = [p[_VECTORS] for p in like if p[_VECTORS] is not None]
    if vectors:
        out = np.full((n, k, vectors[0].shape[2]), np.nan, dtype=np.float32)
        for q, row in enumerate(rows):
            for c, (_, _, f) in enumerate(row):
                out[q, c] = f[_VECTORS]
        parts[_VECTORS] = out
    return tuple(parts)


def drop_repeated_texts(parts: tuple, k: int, keep_texts: bool) -> tuple:
    """Keeps the first (best) hit of every distinct non-empty text per query, then k; hits
    without text are all kept (the engine's QueryOptions::dedupe). Needs the texts part;
    drops it afterwards unless `keep_texts`."""
    n = parts[0].shape[0]
    rows = []
    for q in range(n):
        seen, row = set(), []
        for hit in _hits(parts, q):
            text = hit[2].get(2)
            if text:
                if text in seen:
                    continue
                seen.add(text)
            row.append(hit)
        rows.append(row[:k])
    out = list(_parts_of_rows(rows, k, parts))
    if not keep_texts:
        out[2] = None
    return tuple(out)


def batch_results(parts: tuple) -> BatchResults:
    """BatchResults over merged parts (metadata already parsed, sources already Source)."""
    results = BatchResults.__new__(BatchResults)
    (results.ids, results.scores, results.texts, results.metadata, results.sources,
     results.vectors, results.highlights) = parts
    return results

