"""The worker side of a sharded collection: the tasks Collection sends to a shard's owner.

Each worker process keeps its shards' quiver handles open between tasks (a module-level
cache: Dask runs every task of a worker in the same process). Every task names the collection
directory, the shard and the epoch under which the client believes this worker owns it.

Writes are fenced: before applying one, the worker reads the shard map on disk and refuses
(StaleOwner) unless the map names this worker as the shard's owner at exactly the task's
epoch. A worker that finds itself fenced off closes its handle, so the new owner can open the
shard for writing. Reads are not fenced: any worker may answer from any handle it holds.

A shard opens for writing when it can; when another process still holds its write lock (an
old owner that is gone from the cluster but not yet dead), it opens read-only for queries and
writes fail with quiver.Busy.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Optional

import distributed

import quiver

from . import _layout

_lock = threading.Lock()
_handles: dict = {}  # shard directory -> (quiver.Database, writable: bool); guarded by _lock


class StaleOwner(quiver.Error):
    """A write reached a worker that no longer owns the shard (the shard map has moved on)."""


def _me() -> str:
    return distributed.get_worker().address


def _open_handle(path: str, settings: Optional[_layout.Settings], want_write: bool):
    """A handle on shard `path`, writable when possible (required when `want_write`)."""
    cached = _handles.get(path)
    if cached is not None and (cached[1] or not want_write):
        return cached[0]
    if cached is not None:
        cached[0].close()
        del _handles[path]
    options: dict = {"report": False}
    if settings is not None:
        options.update(create=True, dim=settings.dim, metric=settings.metric,
                       index=settings.index, analyzer=settings.analyzer)
    try:
        db = quiver.open(path, **options)
        writable = True
    except quiver.Busy:
        if want_write:
            raise
        db = quiver.open(path, read_only=True, report=False)
        writable = False
    _handles[path] = (db, writable)
    return db


def _shard_handle(collection: str, shard: int, want_write: bool = False):
    with _lock:
        return _open_handle(_layout.shard_dir(collection, shard), None, want_write)


def _fenced(collection: str, shard: int, epoch: int):
    """The writable handle of `shard`, after checking the map on disk still gives it to this
    worker at `epoch`; raises StaleOwner (closing any handle) otherwise."""
    placement = _layout.load_map(collection).shards[shard]
    me = _me()
    if placement.owner != me or placement.epoch != epoch:
        close_shard(collection, shard)
        raise StaleOwner(f"shard {shard}: expected owner {me} at epoch {epoch}; the shard map "
                         f"has owner {placement.owner} at epoch {placement.epoch}")
    return _shard_handle(collection, shard, want_write=True)


def close_shard(collection: str, shard: int) -> None:
    with _lock:
        cached = _handles.pop(_layout.shard_dir(collection, shard), None)
    if cached is not None:
        cached[0].close()


def close_collection(collection: str) -> int:
    """Closes every handle this worker holds on the collection's shards; returns how many."""
    prefix = os.path.join(collection, "shards") + os.sep
    with _lock:
        mine = [p for p in _handles if p.startswith(prefix)]
        closing = [_handles.pop(p)[0] for p in mine]
    for db in closing:
        db.close()
    return len(closing)


# ---- lifetime -----------------------------------------------------------------------------------
def create(collection: str, shard: int, epoch: int, settings: _layout.Settings) -> int:
    """Creates (or opens) shard `shard` for writing; returns the epoch it was opened under."""
    _layout.load_map(collection)  # the map exists before any shard
    with _lock:
        _open_handle(_layout.shard_dir(collection, shard), settings, want_write=True)
    return epoch


def adopt_model(collection: str, shard: int, epoch: int) -> None:
    """Gives the shard the collection's embedding model (a no-op when it has the same one;
    quiver.InvalidArgument when it has another)."""
    db = _fenced(collection, shard, epoch)
    db.ingest(_layout.empty_dir(collection), model_from=_layout.model_dir(collection),
              on_message=lambda message: None)


# ---- writes: tagged (writer, sequence) so a re-sent batch applies once --------------------------
def write_sequence(collection: str, shard: int, epoch: int, writer: str) -> int:
    """The highest sequence of `writer` this shard has applied (0 when none)."""
    return _shard_handle(collection, shard).write_sequence(writer)


def upsert(collection: str, shard: int, epoch: int, writer: str, sequence: int, ids: list,
           vectors: Any, texts: Optional[list], metadata: Optional[list]) -> bool:
    """Applies one batch in one atomic write; False when (writer, sequence) was applied before."""
    db = _fenced(collection, shard, epoch)
    return db.upsert(ids, vectors, texts, metadata, writer=writer, sequence=sequence)


def delete(collection: str, shard: int, epoch: int, writer: str, sequence: int,
           ids: list) -> int:
    db = _fenced(collection, shard, epoch)
    return db.delete(ids, writer=writer, sequence=sequence)


def ingest(collection: str, shard: int, epoch: int, files: list, options: dict) -> tuple:
    """Ingests `files` into the shard with the collection's model; returns the summary and the
    engine's messages."""
    db = _fenced(collection, shard, epoch)
    messages: list = []
    summary = db.ingest(files, model_from=_layout.model_dir(collection),
                        on_message=messages.append, **options)
    return summary, messages


# ---- reads ---------------------------------------------------------------------------------------
def _parts(results: quiver.BatchResults) -> tuple:
    """BatchResults as a picklable tuple (ids, scores, texts, metadata, sources, vectors,
    highlights)."""
    return (results.ids, results.scores, results.texts, results.metadata, results.sources,
            results.vectors, results.highlights)


def get_many(collection: str, shard: int, epoch: int, ids: list) -> list:
    return _shard_handle(collection, shard).get_many(ids)


def ids(collection: str, shard: int, epoch: int, where: Any) -> list:
    return _shard_handle(collection, shard).ids(where)


class UnknownField:
    """A shard's answer to a filter naming a field none of its records has: not an error for
    the collection unless no shard has the field (the other shards may)."""

    def __init__(self, message: str):
        self.message = message


_UNKNOWN_FIELD = "filter: no record has field"


def _filtered(call):
    """call()'s parts, or UnknownField when the shard lacks a filter's field."""
    try:
        return _parts(call())
    except quiver.InvalidArgument as e:
        if _UNKNOWN_FIELD in str(e):
            return UnknownField(str(e))
        raise


def search(collection: str, shard: int, epoch: int, vectors: Any, options: dict):
    db = _shard_handle(collection, shard)
    return _filtered(lambda: db.search(vectors, **options))


def term_statistics(collection: str, shard: int, epoch: int, texts: list):
    return _shard_handle(collection, shard).term_statistics(texts)


def query(collection: str, shard: int, epoch: int, texts: list, options: dict,
          statistics: Any = None):
    db = _shard_handle(collection, shard)
    if statistics is not None:
        options = dict(options, statistics=statistics)
    return _filtered(lambda: db.query(texts, **options))


# ---- maintenance ---------------------------------------------------------------------------------
def stats(collection: str, shard: int, epoch: int):
    return _shard_handle(collection, shard).stats()


def verify(collection: str, shard: int, epoch: int) -> None:
    _shard_handle(collection, shard).verify()


def compact(collection: str, shard: int, epoch: int) -> None:
    _fenced(collection, shard, epoch).compact()


def train_index(collection: str, shard: int, epoch: int, sample: Any) -> bytes:
    """Trains this shard's IVF/PQ index on `sample`; returns the training to copy elsewhere."""
    db = _fenced(collection, shard, epoch)
    db.train_index(sample)
    return db.index_training()


def set_index_training(collection: str, shard: int, epoch: int, training: bytes) -> None:
    _fenced(collection, shard, epoch).set_index_training(training)


def pid() -> int:
    return os.getpid()
