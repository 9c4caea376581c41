"""A sharded collection on disk: where its shards live, which shard a document goes to, and the
two small JSON files beside the shards (the collection's settings and the shard map).

    <collection>/collection.json   {"format": 1, "shards": S, "dim", "metric", "index", "analyzer"}
    <collection>/shard_map.json    {"epoch": E, "shards": [{"owner": address, "epoch": e}, ...]}
    <collection>/shards/0007/      shard 7: an ordinary quiver database directory
    <collection>/model/            the collection's embedding model (a quiver database, no records)
    <collection>/empty/            an empty directory: ingesting it gives a shard the model

Both JSON files are replaced atomically (written to a temporary name, fsynced, renamed, the
directory fsynced), so a reader sees the old file or the new one, never half of either.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Any, Optional, Sequence

import numpy as np

from .._errors import InvalidArgument, NotSupported

FORMAT_VERSION = 1
SETTINGS_FILE = "collection.json"
MAP_FILE = "shard_map.json"


def shard_of(id: str, shards: int) -> int:
    """The shard of document `id`: the first 8 bytes of BLAKE2b(id as UTF-8), big-endian, mod
    `shards`. Stable across processes, machines and Python versions (unlike hash())."""
    digest = hashlib.blake2b(id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def shards_of(ids: Sequence[str], shards: int) -> np.ndarray:
    """shard_of of every id, as an int64 array: one digest per id, the modulo in numpy."""
    digests = b"".join([hashlib.blake2b(id.encode("utf-8"), digest_size=8).digest()
                        for id in ids])
    return (np.frombuffer(digests, dtype=">u8") % np.uint64(shards)).astype(np.int64)


def shard_dir(collection: str, shard: int) -> str:
    return os.path.join(collection, "shards", f"{shard:04d}")


def model_dir(collection: str) -> str:
    return os.path.join(collection, "model")


def empty_dir(collection: str) -> str:
    return os.path.join(collection, "empty")


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a collection fixes at creation, the same for every shard."""
    shards: int
    dim: int
    metric: str = "cosine"
    index: str = "Flat"
    analyzer: str = "english"
    format: int = FORMAT_VERSION


@dataclasses.dataclass(frozen=True)
class Placement:
    """One shard's entry in the map: the worker that owns it, and the epoch of that ownership
    (bumped whenever the shard moves; a task carrying an older epoch is refused)."""
    owner: str
    epoch: int


@dataclasses.dataclass(frozen=True)
class ShardMap:
    epoch: int  # the highest shard epoch: changes whenever any shard moves
    shards: tuple  # of Placement, index = shard number

    def moved(self, shard: int, owner: str) -> "ShardMap":
        """The map with `shard` given to `owner` under a new epoch."""
        epoch = self.epoch + 1
        placements = list(self.shards)
        placements[shard] = Placement(owner, epoch)
        return ShardMap(epoch, tuple(placements))

    def owned_by(self, owner: str) -> list:
        return [s for s, p in enumerate(self.shards) if p.owner == owner]


def write_json_atomically(path: str, value: Any) -> None:
    """Replaces `path` by `value` as JSON: temporary file, fsync, rename, directory fsync."""
    directory = os.path.dirname(path) or "."
    temporary = f"{path}.tmp.{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_json(path: str, what: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            value = json.load(f)
    except FileNotFoundError:
        raise InvalidArgument(f"expected a quiver collection's {what} at {path}; found no such "
                              f"file") from None
    except ValueError as e:
        raise InvalidArgument(f"expected JSON in {path}; found {e}") from None
    if not isinstance(value, dict):
        raise InvalidArgument(f"expected a JSON object in {path}; found {type(value).__name__}")
    return value


def save_settings(collection: str, settings: Settings) -> None:
    write_json_atomically(os.path.join(collection, SETTINGS_FILE), dataclasses.asdict(settings))


def load_settings(collection: str) -> Settings:
    path = os.path.join(collection, SETTINGS_FILE)
    value = _read_json(path, "settings")
    version = value.get("format")
    if version != FORMAT_VERSION:
        raise NotSupported(f"expected collection format {FORMAT_VERSION} in {path}; found "
                           f"{version!r}")
    try:
        settings = Settings(**value)
    except TypeError as e:
        raise InvalidArgument(f"expected the fields of Settings in {path}; found {e}") from None
    if settings.shards <= 0 or settings.dim <= 0:
        raise InvalidArgument(f"expected shards > 0 and dim > 0 in {path}; found shards = "
                              f"{settings.shards}, dim = {settings.dim}")
    return settings


def save_map(collection: str, shard_map: ShardMap) -> None:
    write_json_atomically(os.path.join(collection, MAP_FILE), {
        "epoch": shard_map.epoch,
        "shards": [dataclasses.asdict(p) for p in shard_map.shards]})


def load_map(collection: str, shards: Optional[int] = None) -> ShardMap:
    path = os.path.join(collection, MAP_FILE)
    value = _read_json(path, "shard map")
    try:
        placements = tuple(Placement(str(p["owner"]), int(p["epoch"])) for p in value["shards"])
        shard_map = ShardMap(int(value["epoch"]), placements)
    except (KeyError, TypeError, ValueError) as e:
        raise InvalidArgument(f"expected epoch and shards[owner, epoch] in {path}; found "
                              f"{e!r}") from None
    if shards is not None and len(placements) != shards:
        raise InvalidArgument(f"expected {shards} shards in {path}; found {len(placements)}")
    return shard_map


def first_map(workers: list, shards: int) -> ShardMap:
    """Shard i to the i-th worker round robin (workers sorted), all at epoch 1."""
    ordered = sorted(workers)
    return ShardMap(1, tuple(Placement(ordered[s % len(ordered)], 1) for s in range(shards)))
