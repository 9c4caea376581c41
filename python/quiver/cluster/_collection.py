"""quiver.cluster.Collection: a quiver database sharded over the workers of a Dask cluster.

The calls are those of quiver.Database; what differs is said at each. A Collection handle is
used from one thread (its writes are numbered in order); several handles may read at once.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
import uuid
from typing import Any, Iterable, NamedTuple, Optional, Sequence, Union

import distributed
import numpy as np

import quiver
from .._db import DEFAULT_FIELDS
from .._types import IngestSummary
from . import _layout, _merge, _shard
from ._runner import ShardRunner, Task

# A +required or -excluded clause in a text query (a word or "phrase" right after + or -).
_CLAUSE = re.compile(r'(^|\s)[+-][^\s+-]')

# The files ingest() takes from a directory (quiver's readers; .gz of each).
_INGESTED = (".txt", ".md", ".jsonl", ".csv")


class Partial(NamedTuple):
    """What search/query return with allow_partial=True: the results over the shards that
    answered within the deadline, and `coverage`, the fraction of shards that did."""
    results: Any
    coverage: float


@dataclasses.dataclass(frozen=True)
class ClusterStats:
    """Counts summed over the shards, the placement, and each shard's own quiver.Stats."""
    shards: int
    count: int
    deleted: int
    disk_bytes: int
    epoch: int
    owners: tuple  # owner worker address per shard
    per_shard: tuple  # quiver.Stats per shard


class Collection:
    """A sharded collection. Make one with Collection.create or Collection.open."""

    def __init__(self, client: distributed.Client, path: str, settings: _layout.Settings,
                 shard_map: _layout.ShardMap, writer: Optional[str], deadline: float):
        self._client = client
        self._path = path
        self._settings = settings
        self._runner = ShardRunner(client, path, shard_map)
        self._deadline = deadline
        self.writer = writer or f"client-{uuid.uuid4().hex[:12]}"
        self._runner.place_orphans()
        found = self._everywhere(_shard.write_sequence, self.writer)
        self._sequence = [found[s] for s in range(settings.shards)]

    # ---- lifetime ----
    @classmethod
    def create(cls, client: distributed.Client, path: Union[str, "os.PathLike[str]"], *,
               shards: int, dim: int, metric: str = "cosine", index: str = "Flat",
               analyzer: str = "english", writer: Optional[str] = None,
               deadline: float = 120.0) -> "Collection":
        """Creates the collection in directory `path` (which must be new or empty, on storage
        every worker sees): `shards` quiver databases of the given `dim`, `metric`, `index`
        and `analyzer`, fixed from now on, spread round robin over the client's workers.
        `writer` names this client's writes (default: a fresh id); `deadline` (seconds)
        bounds every call."""
        path = os.path.abspath(os.fspath(path))
        if shards <= 0:
            raise quiver.InvalidArgument(f"shards: expected > 0; found {shards}")
        if os.path.exists(path) and os.listdir(path):
            raise quiver.InvalidArgument(f"expected a new or empty directory for the collection; "
                                         f"found {len(os.listdir(path))} entries in {path}")
        workers = sorted(client.scheduler_info()["workers"])
        if not workers:
            raise quiver.InvalidArgument("expected a cluster with workers; found none")
        settings = _layout.Settings(shards, int(dim), metric, index, analyzer)
        os.makedirs(os.path.join(path, "shards"), exist_ok=True)
        os.makedirs(_layout.empty_dir(path), exist_ok=True)
        _layout.save_settings(path, settings)
        shard_map = _layout.first_map(workers, shards)
        _layout.save_map(path, shard_map)
        runner = ShardRunner(client, path, shard_map)
        tasks = {s: Task(s, _shard.create, (settings,)) for s in range(shards)}
        runner.run(tasks, deadline)
        client.submit(_create_model_db, path, settings, pure=False).result(timeout=deadline)
        return cls(client, path, settings, runner.map, writer, deadline)

    @classmethod
    def open(cls, client: distributed.Client, path: Union[str, "os.PathLike[str]"], *,
             writer: Optional[str] = None, deadline: float = 120.0) -> "Collection":
        """Opens the collection in `path`. Shards whose owners are no longer in the cluster are
        given to live workers. Reusing a `writer` name continues its numbering."""
        path = os.path.abspath(os.fspath(path))
        settings = _layout.load_settings(path)
        shard_map = _layout.load_map(path, settings.shards)
        return cls(client, path, settings, shard_map, writer, deadline)

    def close(self) -> None:
        """Closes the shards' handles on every worker (they checkpoint their indexes)."""
        self._runner.run_everywhere(_shard.close_collection, self._path)

    def __enter__(self) -> "Collection":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"quiver.cluster.Collection({self._path!r}, shards={self._settings.shards}, "
                f"dim={self._settings.dim}, index={self._settings.index!r})")

    @property
    def path(self) -> str:
        return self._path

    @property
    def settings(self) -> _layout.Settings:
        return self._settings

    @property
    def shard_map(self) -> _layout.ShardMap:
        return self._runner.map

    def shard_of(self, id: str) -> int:
        return _layout.shard_of(id, self._settings.shards)

    # ---- running on shards ----
    def _run(self, tasks: dict, deadline: Optional[float] = None,
             allow_partial: bool = False) -> tuple:
        return self._runner.run(tasks, self._deadline if deadline is None else deadline,
                                allow_partial)

    def _everywhere(self, fn, *args, deadline: Optional[float] = None) -> dict:
        """fn on every shard: {shard: result}."""
        results, _ = self._run({s: Task(s, fn, args) for s in range(self._settings.shards)},
                               deadline)
        return results

    def _grouped(self, ids: Sequence[str]) -> "_ShardGroups":
        return _ShardGroups(_layout.shards_of(ids, self._settings.shards))

    def _tag(self, shard: int) -> int:
        self._sequence[shard] += 1
        return self._sequence[shard]

    # ---- writing ----
    def upsert(self, ids: Union[str, Sequence[str]], vectors: Any,
               texts: Optional[Union[str, Sequence[str]]] = None,
               metadata: Optional[Union[dict, Sequence[Optional[dict]]]] = None) -> None:
        """quiver.Database.upsert, sharded: the rows of each shard are one atomic write on its
        owner, tagged (writer, sequence) so a batch sent twice (a retry after a worker died)
        applies once. Returns once every shard has committed its rows; atomic per shard, not
        across shards."""
        self._run(self._upsert_tasks(ids, vectors, texts, metadata))

    def upsert_batches(self, batches: Iterable[tuple]) -> int:
        """upsert(*batch) of every batch of `batches` ((ids, vectors[, texts[, metadata]])
        tuples, e.g. a generator reading a file), pipelined: while the shards commit a batch,
        the next ones are routed and sent, and every shard commits its part of each batch one
        after the other, in order (so a later batch's value of an id wins, as with upsert
        calls in a row). Each batch is atomic per shard, as upsert; returns the number of
        batches once every shard committed all of them; Unavailable when no shard commits
        anything for the handle's deadline. After an error, batches before the failing one
        may be partly committed: sending the stream again is safe (an upsert of the same
        rows)."""
        calls = (self._upsert_tasks(*batch) for batch in batches)
        return self._runner.run_in_order(calls, self._deadline)

    def _upsert_tasks(self, ids: Union[str, Sequence[str]], vectors: Any,
                      texts: Optional[Union[str, Sequence[str]]] = None,
                      metadata: Optional[Union[dict, Sequence[Optional[dict]]]] = None) -> dict:
        """upsert's tasks: {shard: Task}, each shard's rows tagged with its next sequence."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        vectors = np.asarray(vectors, dtype=np.float32)
        vectors = vectors.reshape(1, -1) if vectors.ndim == 1 else vectors
        if vectors.shape[0] != len(ids):
            raise quiver.InvalidArgument(f"vectors: expected {len(ids)} rows, one per id; "
                                         f"found {vectors.shape[0]}")
        texts = [texts] if isinstance(texts, str) else texts
        metadata = [metadata] if isinstance(metadata, dict) else metadata
        for name, values in (("texts", texts), ("metadata", metadata)):
            if values is not None and len(values) != len(ids):
                raise quiver.InvalidArgument(f"{name}: expected {len(ids)} entries, one per id; "
                                             f"found {len(values)}")
        groups = self._grouped(ids)
        ids, texts, metadata = (groups.pick(v) for v in (ids, texts, metadata))
        vectors = vectors[groups.order]  # one copy; each shard's rows a contiguous slice
        tasks = {}
        for shard, rows in groups.slices.items():
            tasks[shard] = Task(shard, _shard.upsert, (
                self.writer, self._tag(shard), ids[rows], vectors[rows],
                None if texts is None else texts[rows],
                None if metadata is None else metadata[rows]))
        return tasks

    def delete(self, ids: Union[str, Sequence[str]]) -> int:
        """Removes the records with these ids (each from its shard, tagged like upsert);
        returns how many existed. Ingested chunks live in their file's shard: remove them by
        ingesting with prune=True."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        groups = self._grouped(ids)
        grouped = groups.pick(ids)
        tasks = {shard: Task(shard, _shard.delete, (self.writer, self._tag(shard), grouped[rows]))
                 for shard, rows in groups.slices.items()}
        results, _ = self._run(tasks)
        return sum(results.values())

    def ingest(self, paths: Union[str, Iterable[str]], **options: Any) -> IngestSummary:
        """quiver.Database.ingest, sharded by file: each file (directories are listed here, on
        the client) goes to shard shard_of(its absolute path), ingested by the shard's owner
        with the collection's model (give it one first: import_word_vectors, import_model,
        train). Each file is one atomic write; an ingest interrupted by a dead worker is
        finished on the shard's new owner, files already stored being skipped as unchanged.
        `options` are ingest()'s keyword arguments except model_from, progress, on_message."""
        for refused in ("model_from", "progress", "on_message"):
            if refused in options:
                raise quiver.InvalidArgument(f"ingest: {refused} is not taken by a collection "
                                             f"(every shard uses the collection's model)")
        files = _list_files([paths] if isinstance(paths, (str, os.PathLike)) else paths)
        by_shard: dict = {}
        for file in files:
            by_shard.setdefault(_layout.shard_of(file, self._settings.shards), []).append(file)
        if options.get("prune"):
            for shard in range(self._settings.shards):  # prune also the shards given no file
                by_shard.setdefault(shard, [_layout.empty_dir(self._path)])
        tasks = {shard: Task(shard, _shard.ingest, (files, options))
                 for shard, files in by_shard.items()}
        results, _ = self._run(tasks)
        return _summed([summary for summary, _ in results.values()])

    # ---- reading ----
    def get(self, id: str) -> quiver.Record:
        """The record with this id; quiver.NotFound when no shard has it."""
        record = self.get_many([id])[0]
        if record is None:
            raise quiver.NotFound(f"expected a record with id {id!r}; found none in "
                                  f"{self._settings.shards} shards")
        return record

    def get_many(self, ids: Sequence[str]) -> list:
        """The records with these ids, in order, None for each not stored. Each id is looked up
        in its shard, and (ingested chunks live with their file) in the others when missing."""
        ids = list(ids)
        found: list = [None] * len(ids)
        groups = self._grouped(ids)
        grouped = groups.pick(ids)
        tasks = {s: Task(s, _shard.get_many, (grouped[rows],))
                 for s, rows in groups.slices.items()}
        results, _ = self._run(tasks)
        order = groups.order.tolist()
        for shard, rows in groups.slices.items():
            for row, record in zip(order[rows], results[shard]):
                found[row] = record
        missing = [r for r, record in enumerate(found) if record is None]
        if missing and self._settings.shards > 1:
            wanted = [ids[r] for r in missing]
            results = self._everywhere(_shard.get_many, wanted)
            for i, row in enumerate(missing):
                found[row] = next((results[s][i] for s in sorted(results)
                                   if results[s][i] is not None), None)
        return found

    def ids(self, where: Any = None) -> list:
        """The ids of the records `where` matches (all without it) over every shard, in id
        order (bytewise)."""
        found = self._everywhere(_shard.ids, where)
        return sorted((id_ for shard_ids in found.values() for id_ in shard_ids),
                      key=lambda id_: id_.encode("utf-8"))

    def search(self, vectors: Any, k: int = 10, where: Any = None,
               fields: Iterable[str] = DEFAULT_FIELDS, *, ef_search: int = 0, nprobe: int = 0,
               allow_partial: bool = False, deadline: Optional[float] = None):
        """quiver.Database.search over every shard, the per-shard top lists merged (better
        score first, ties by id). Exact for Flat; for IVF/PQ equal to one database's answer at
        the same nprobe once train_index() gave every shard the same training; HNSW asks each
        shard for 2k hits (ef_search at least 2k, the index's default when larger). With `allow_partial`, returns
        Partial(results, coverage) once the deadline passes instead of failing."""
        single = np.ndim(vectors) == 1
        batch = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        depth, ef_search = self._fetch_depth(k, ef_search)
        options = {"k": depth, "where": where, "fields": tuple(fields), "ef_search": ef_search,
                   "nprobe": nprobe}
        tasks = {s: Task(s, _shard.search, (batch, options)) for s in range(self._settings.shards)}
        results, coverage = self._run(tasks, deadline, allow_partial)
        answers = _known_field_answers(list(results.values()))
        parts = (_merge.merge_top_k(answers, k, self._lower_is_better())
                 if answers else _no_hits(len(batch), k))
        return self._answer(parts, single, allow_partial, coverage)

    def query(self, text: Union[str, Sequence[str]], k: int = 10, mode: str = "hybrid",
              where: Any = None, fields: Iterable[str] = DEFAULT_FIELDS, *,
              highlight: bool = False, fusion: str = "convex", dense_weight: float = 0.1,
              fusion_depth: int = 100, rrf_k: int = 60, bm25_k1: float = 1.2,
              bm25_b: float = 0.75, ef_search: int = 0, nprobe: int = 0,
              allow_partial: bool = False, deadline: Optional[float] = None):
        """quiver.Database.query over every shard. bm25 runs in two rounds: the query's term
        statistics summed over the shards, then every shard scores with those global figures,
        so scores equal one database's. dense merges like search(). hybrid merges the global
        bm25 and dense lists (each max(k, fusion_depth) deep) and fuses them here with the
        engine's formula. Repeated texts are dropped after the merge, as one database drops
        them. `allow_partial` as for search()."""
        if mode not in ("bm25", "dense", "hybrid"):
            raise quiver.InvalidArgument(f"mode: expected bm25, dense or hybrid; found {mode!r}")
        single = isinstance(text, str)
        texts = [text] if single else list(text)
        wanted = tuple(fields)
        options = {"where": where, "fields": tuple(sorted(set(wanted) | {"text"})),
                   "highlight": highlight, "bm25_k1": bm25_k1, "bm25_b": bm25_b,
                   "ef_search": ef_search, "nprobe": nprobe}
        depth = max(k, fusion_depth) if mode == "hybrid" else k
        budget = self._deadline if deadline is None else deadline
        lists, coverage = self._ranked_lists(texts, mode, depth, options, budget, allow_partial)
        if not lists:
            parts = _no_hits(len(texts), k)
        elif mode == "hybrid":
            bm25, dense = lists
            constrained = [_CLAUSE.search(t) is not None for t in texts]
            parts = _merge.fuse(bm25, dense, depth, fusion, dense_weight, rrf_k,
                                self._lower_is_better(), constrained)
        else:
            parts = lists[0]
        parts = _merge.drop_repeated_texts(parts, k, keep_texts="text" in wanted)
        return self._answer(parts, single, allow_partial, coverage)

    def _ranked_lists(self, texts: list, mode: str, depth: int, options: dict,
                      deadline: float, allow_partial: bool) -> tuple:
        """The globally merged lists a query needs, each `depth` deep: [bm25], [dense] or
        [bm25, dense]; and the coverage. Both rounds of a bm25 query share the deadline; with
        allow_partial, the statistics are those of the shards that answered the first."""
        shards = range(self._settings.shards)
        statistics, coverage_before = None, 1.0
        if mode != "dense":
            start = time.monotonic()
            found, coverage_before = self._run(
                {s: Task(s, _shard.term_statistics, (texts,)) for s in shards}, deadline,
                allow_partial)
            if not found:
                return [], 0.0
            statistics = _summed_statistics([found[s] for s in sorted(found)])
            deadline = max(0.0, deadline - (time.monotonic() - start))
        tasks = {}
        kinds = ("bm25", "dense") if mode == "hybrid" else (mode,)
        for kind in kinds:
            k, ef_search = (self._fetch_depth(depth, options["ef_search"]) if kind == "dense"
                            else (depth, options["ef_search"]))
            shard_options = dict(options, k=k, ef_search=ef_search, mode=kind)
            for s in shards:
                tasks[(kind, s)] = Task(s, _shard.query, (
                    texts, shard_options, statistics if kind == "bm25" else None))
        results, coverage = self._run(tasks, deadline, allow_partial)
        coverage = min(coverage, coverage_before)
        lists = []
        for kind in kinds:
            answers = _known_field_answers(
                [results[(kind, s)] for s in shards if (kind, s) in results])
            if not answers:
                return [], coverage
            lower = kind == "dense" and self._lower_is_better()
            width = sum(a[0].shape[1] for a in answers)  # everything: dedupe comes after
            lists.append(_merge.merge_top_k(answers, width if mode != "hybrid" else depth, lower))
        return lists, coverage

    def _fetch_depth(self, k: int, ef_search: int) -> tuple:
        """Hits asked of each shard and its ef_search: k and as given, but for HNSW (an
        approximate search per shard) 2k, with ef_search as given when it is at least 2k
        (0, the index's default, the engine raises to 2k itself), else 2k."""
        if not self._settings.index.upper().startswith("HNSW"):
            return k, ef_search
        return 2 * k, ef_search if ef_search == 0 or ef_search >= 2 * k else 2 * k

    def _lower_is_better(self) -> bool:
        return self._settings.metric == "l2"

    def _answer(self, parts: tuple, single: bool, allow_partial: bool, coverage: float):
        results = _merge.batch_results(parts)
        answer = results[0] if single else results
        return Partial(answer, coverage) if allow_partial else answer

    # ---- maintenance ----
    def stats(self) -> ClusterStats:
        found = self._everywhere(_shard.stats)
        per_shard = tuple(found[s] for s in range(self._settings.shards))
        return ClusterStats(self._settings.shards, sum(s.count for s in per_shard),
                            sum(s.deleted for s in per_shard),
                            sum(s.disk_bytes for s in per_shard), self.shard_map.epoch,
                            tuple(p.owner for p in self.shard_map.shards), per_shard)

    def __len__(self) -> int:
        return self.stats().count

    def verify(self) -> None:
        """quiver.Database.verify on every shard; quiver.Corruption naming the first bad shard."""
        try:
            self._everywhere(_shard.verify)
        except quiver.Corruption as e:
            raise quiver.Corruption(f"a shard of {self._path}: {e}") from None

    def compact(self) -> None:
        self._everywhere(_shard.compact)

    def train_index(self, sample: Any) -> None:
        """Trains the IVF/PQ index once, on shard 0's owner, on `sample` (an (n, dim) array),
        and copies the training (coarse quantizer, codebooks) into every other shard, so that
        searches equal one database trained on the same sample, at the same nprobe."""
        sample = np.ascontiguousarray(sample, dtype=np.float32)
        found, _ = self._run({0: Task(0, _shard.train_index, (sample,))})
        others = {s: Task(s, _shard.set_index_training, (found[0],))
                  for s in range(1, self._settings.shards)}
        self._run(others)

    # ---- the embedding model (one, shared by every shard) ----
    def import_word_vectors(self, path: str, format: str = "auto") -> None:
        """Gives the collection (its model database and every shard) word vectors as its model."""
        self._set_model("import_word_vectors", (os.path.abspath(path), format), {})

    def import_model(self, directory: str, **options: Any) -> None:
        """Gives the collection a sentence-transformers model (Database.import_model's
        keyword arguments)."""
        self._set_model("import_model", (os.path.abspath(directory),), options)

    def train(self, corpus: Union[str, Iterable[str]], **options: Any) -> None:
        """Trains the collection's model on text files every worker can read (Database.train's
        keyword arguments), once, and gives it to every shard."""
        corpus = [corpus] if isinstance(corpus, str) else list(corpus)
        self._set_model("train", ([os.path.abspath(c) for c in corpus],), options)

    def _set_model(self, method: str, args: tuple, options: dict) -> None:
        """method(*args, **options) on the model database (on some worker), then every shard
        copies the model."""
        self._client.submit(_call_model_db, self._path, method, args, options,
                            pure=False).result(timeout=self._deadline)
        self._everywhere(_shard.adopt_model)


# ---- helpers ------------------------------------------------------------------------------------
class _ShardGroups:
    """The rows of a call grouped by shard without a Python loop per row: `order` lists the row
    numbers shard by shard (in call order within a shard, so a repeated id keeps its last
    value last), and shard s's rows are order[slices[s]] (only shards given rows appear)."""

    def __init__(self, shard_numbers: np.ndarray):
        self.order = np.argsort(shard_numbers, kind="stable")
        counts = np.bincount(shard_numbers, minlength=1)
        stops = np.cumsum(counts)
        self.slices = {s: slice(int(stop - count), int(stop))
                       for s, (count, stop) in enumerate(zip(counts, stops)) if count}

    def pick(self, values: Optional[Sequence]) -> Optional[list]:
        """`values` (one per row) in grouped order; None stays None."""
        if values is None:
            return None
        return [values[r] for r in self.order.tolist()]


def _create_model_db(collection: str, settings: _layout.Settings) -> None:
    quiver.open(_layout.model_dir(collection), create=True, dim=settings.dim,
                metric=settings.metric, analyzer=settings.analyzer, report=False).close()


def _call_model_db(collection: str, method: str, args: tuple, options: dict) -> None:
    with quiver.open(_layout.model_dir(collection), report=False) as db:
        getattr(db, method)(*args, **options)


def _list_files(paths: Iterable) -> list:
    """The files of `paths` (directories walked, in name order) as absolute paths."""
    files = []
    for path in paths:
        path = os.path.abspath(os.fspath(path))
        if not os.path.isdir(path):
            files.append(path)
            continue
        for root, dirs, names in os.walk(path):
            dirs.sort()
            files.extend(os.path.join(root, n) for n in sorted(names)
                         if n.removesuffix(".gz").endswith(_INGESTED))
    return files


def _summed(summaries: list) -> IngestSummary:
    values = {}
    for f in dataclasses.fields(IngestSummary):
        column = [getattr(s, f.name) for s in summaries]
        if f.name == "trained_model":
            values[f.name] = any(column)
        elif f.name.endswith("seconds"):
            values[f.name] = max(column, default=0.0)  # the shards ingest in parallel
        elif f.name == "skipped":  # (path, reason) lists: every shard's, in shard order
            values[f.name] = [entry for entry_list in column for entry in entry_list]
        else:
            values[f.name] = sum(column)
    return IngestSummary(**values)


def _summed_statistics(found: list):
    """The shards' term statistics summed: one TermStatistics, or one per query text."""
    if isinstance(found[0], list):
        return [sum(column[1:], column[0]) for column in zip(*found)]
    return sum(found[1:], found[0])


def _known_field_answers(answers: list) -> list:
    """The shards' answers without those of shards lacking a filter's field; InvalidArgument
    (the engine's message) when every shard lacked it."""
    known = [a for a in answers if not isinstance(a, _shard.UnknownField)]
    if answers and not known:
        raise quiver.InvalidArgument(f"{answers[0].message}; no shard has it")
    return known


def _no_hits(n: int, k: int) -> tuple:
    return (np.full((n, k), None, dtype=object), np.full((n, k), np.nan, dtype=np.float32),
            None, None, None, None, None)
