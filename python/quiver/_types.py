"""The values quiver returns: small frozen dataclasses with a readable repr, and BatchResults,
the NumPy-array form of many queries' hits."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional

import numpy as np

_TEXT_IN_REPR = 60


def _short(text: str) -> str:
    """`text` cut to a repr-friendly length, with an ellipsis when cut."""
    return text if len(text) <= _TEXT_IN_REPR else text[: _TEXT_IN_REPR - 1] + "…"


def _metadata(json_text: Optional[str]) -> Optional[dict]:
    """The metadata dict of the engine's JSON text ("" = no metadata = {}); None stays None."""
    if json_text is None:
        return None
    return json.loads(json_text) if json_text else {}


@dataclass(frozen=True, slots=True)
class Source:
    """Where an ingested record's text came from: bytes [begin, end) of `path`'s document text,
    chunk number `chunk`, the file's content hash when it was read."""

    path: str
    begin: int
    end: int
    chunk: int
    content_hash: str

    @staticmethod
    def _of(raw: Optional[tuple]) -> Optional["Source"]:
        return None if raw is None else Source(*raw)


@dataclass(frozen=True, slots=True, repr=False)
class Hit:
    """One search or query result. `score` follows the database's metric (cosine, ip: higher is
    closer; l2: squared distance, lower is closer), or is the BM25 / fused score of a text
    query. Fields not asked for (`fields=`) are None; `metadata` is {} for a record without."""

    id: str
    score: float
    text: Optional[str] = None
    metadata: Optional[dict] = None
    source: Optional[Source] = None
    vector: Optional[np.ndarray] = field(default=None, compare=False)
    highlights: Optional[list] = None

    @staticmethod
    def _of(raw: tuple) -> "Hit":
        id_, score, text, metadata, source, vector, highlights = raw
        return Hit(id_, score, text, _metadata(metadata), Source._of(source), vector,
                   None if highlights is None else [tuple(h) for h in highlights])

    def __repr__(self) -> str:
        parts = [f"id={self.id!r}", f"score={self.score:.4f}"]
        if self.text is not None:
            parts.append(f"text={_short(self.text)!r}")
        if self.metadata:
            parts.append(f"metadata={self.metadata!r}")
        if self.source is not None:
            parts.append(f"source={self.source.path!r}#{self.source.chunk}")
        if self.vector is not None:
            parts.append(f"vector=<{self.vector.shape[0]} floats>")
        if self.highlights:
            parts.append(f"highlights={self.highlights!r}")
        return "Hit(" + ", ".join(parts) + ")"


@dataclass(frozen=True, slots=True, repr=False)
class Record:
    """A stored record: its id, vector (as given, float32), text, metadata dict and, for
    ingested records, its Source."""

    id: str
    vector: Optional[np.ndarray] = field(compare=False)
    text: str = ""
    metadata: dict = field(default_factory=dict)
    source: Optional[Source] = None

    @staticmethod
    def _of(raw: tuple) -> "Record":
        id_, vector, text, metadata, source = raw
        return Record(id_, vector, text, _metadata(metadata), Source._of(source))

    def __repr__(self) -> str:
        parts = [f"id={self.id!r}"]
        if self.vector is not None:
            parts.append(f"vector=<{self.vector.shape[0]} floats>")
        if self.text:
            parts.append(f"text={_short(self.text)!r}")
        if self.metadata:
            parts.append(f"metadata={self.metadata!r}")
        if self.source is not None:
            parts.append(f"source={self.source.path!r}#{self.source.chunk}")
        return "Record(" + ", ".join(parts) + ")"


class BatchResults:
    """The hits of n queries, k columns each, as arrays: `ids` (object, (n, k); None where a
    query has fewer than k hits), `scores` (float32, (n, k); NaN there), and when asked for
    with `fields=`, `texts`, `metadata`, `sources` (lists of per-query lists, hits only) and
    `vectors` (float32, (n, k, dimension), NaN-padded). `results[i]` is query i's list of Hit,
    as a single-vector call would return it; len() is n."""

    __slots__ = ("ids", "scores", "texts", "metadata", "sources", "vectors", "highlights")

    def __init__(self, raw: tuple):
        ids, scores, texts, metadata, sources, vectors, highlights = raw
        self.ids: np.ndarray = ids
        self.scores: np.ndarray = scores
        self.texts: Optional[list] = texts
        self.metadata: Optional[list] = (
            None if metadata is None else [[_metadata(m) for m in row] for row in metadata])
        self.sources: Optional[list] = (
            None if sources is None else [[Source._of(s) for s in row] for row in sources])
        self.vectors: Optional[np.ndarray] = vectors
        self.highlights: Optional[list] = highlights

    def __len__(self) -> int:
        return self.ids.shape[0]

    def __getitem__(self, i: int) -> list:
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"query {i} out of range: there are {len(self)} queries")
        hits = []
        for j, id_ in enumerate(self.ids[i]):
            if id_ is None:
                break
            hits.append(Hit(
                id_, float(self.scores[i, j]),
                None if self.texts is None else self.texts[i][j],
                None if self.metadata is None else self.metadata[i][j],
                None if self.sources is None else self.sources[i][j],
                None if self.vectors is None else self.vectors[i, j],
                None if self.highlights is None else [tuple(h) for h in self.highlights[i][j]]))
        return hits

    def __iter__(self) -> Iterator[list]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        n, k = self.ids.shape
        return f"BatchResults({n} queries × k={k}, ids={self.ids[:2].tolist()!r}{'…' if n > 2 else ''})"


@dataclass(frozen=True, slots=True)
class Stats:
    """What DB.stats reports: live records, the index, the full-text index, the disk."""

    count: int
    dimension: int
    metric: str
    index_spec: str
    index_trained: bool
    deleted: int
    disk_bytes: int
    last_sequence: int
    checkpoint_sequence: int
    distance_kernel: str
    analyzer: str
    icu_version: str
    lexical_documents: int
    lexical_terms: int
    lexical_deleted: int


@dataclass(frozen=True, slots=True)
class Token:
    """A token: vocabulary entry `piece`, its `id`, and bytes [begin, end) of the text it came
    from (empty for tokens the tokenizer adds, such as BOS)."""

    piece: str
    id: int
    begin: int
    end: int


@dataclass(frozen=True, slots=True, repr=False)
class Tokenization:
    """A text as a tokenizer splits it; `ids` is the token ids as an int32 array."""

    tokenizer_kind: str
    vocab_size: int
    tokens: list

    @staticmethod
    def _of(raw: tuple) -> "Tokenization":
        kind, vocab, tokens = raw
        return Tokenization(kind, vocab, [Token(*t) for t in tokens])

    @property
    def ids(self) -> np.ndarray:
        return np.array([t.id for t in self.tokens], dtype=np.int32)

    def __repr__(self) -> str:
        pieces = [t.piece for t in self.tokens[:8]]
        more = "…" if len(self.tokens) > 8 else ""
        return (f"Tokenization({self.tokenizer_kind}, vocab {self.vocab_size}, "
                f"{len(self.tokens)} tokens {pieces!r}{more})")


@dataclass(frozen=True, slots=True, repr=False)
class Embedding:
    """A text as the model embeds it: the pooled, L2-normalized `vector` (zeros when no token is
    known), its tokens, one vector per token (`token_vectors`, (n, dimension)) and how many of
    the tokens the model knows."""

    vector: np.ndarray = field(compare=False)
    tokens: list
    token_vectors: np.ndarray = field(compare=False)
    known_tokens: int

    def __repr__(self) -> str:
        return (f"Embedding(<{self.vector.shape[0]} floats>, {len(self.tokens)} tokens, "
                f"{self.known_tokens} known)")


@dataclass(frozen=True, slots=True)
class Neighbor:
    """A vocabulary entry and its cosine similarity to the query token."""

    token: str
    score: float


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """The database's embedding model (see DB::GetModelInfo in the C++ API)."""

    source: str
    tokenizer_kind: str
    vocab_size: int
    dimension: int
    identity: str
    pooling: str
    architecture: str
    max_tokens: int
    query_prompt: str
    document_prompt: str


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """An ingested source file as the database remembers it."""

    path: str
    content_hash: str
    mtime: int
    size: int
    chunks: int


@dataclass(frozen=True, slots=True)
class IngestProgress:
    """How far an ingest is, given to the `progress` callable after each file."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    chunks: int


@dataclass(frozen=True, slots=True)
class IngestSummary:
    """What an ingest did (see IngestSummary in the C++ API)."""

    files_seen: int
    files_added: int
    files_replaced: int
    files_unchanged: int
    files_skipped: int
    sources_pruned: int
    chunks_added: int
    chunks_removed: int
    bytes: int
    repaired_bytes: int
    skipped_records: int
    empty_chunks: int
    trained_model: bool
    train_seconds: float
    seconds: float


@dataclass(frozen=True, slots=True)
class ReembedSummary:
    """What reembed did: records whose vector was recomputed, records kept as they were."""

    records: int
    records_kept: int
    seconds: float


@dataclass(slots=True)
class TermStatistics:
    """A database's BM25 statistics for some query texts (Database.term_statistics), so that
    the shards of a collection score as one database would: sum every shard's (`a + b`, or
    `sum(stats[1:], stats[0])`) and pass the sum as query(..., statistics=...) to each shard.

    `documents` and `total_length` are the full-text index's live records and their summed
    lengths in terms (avgdl = total_length / documents); `frequencies` maps each analyzed query
    clause (a term, or a phrase's terms joined by spaces) to the number of records holding it;
    `constrained` says some text has +required or -excluded clauses (hybrid queries then fuse
    only bm25 hits). Plain data: it pickles, for Dask."""

    documents: int = 0
    total_length: int = 0
    frequencies: dict = field(default_factory=dict)
    constrained: bool = False

    def __add__(self, other: "TermStatistics") -> "TermStatistics":
        if not isinstance(other, TermStatistics):
            return NotImplemented
        frequencies = dict(self.frequencies)
        for key, df in other.frequencies.items():
            frequencies[key] = frequencies.get(key, 0) + df
        return TermStatistics(self.documents + other.documents,
                              self.total_length + other.total_length, frequencies,
                              self.constrained or other.constrained)

    def __radd__(self, other: Any) -> "TermStatistics":
        # sum(stats) starts from 0.
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    @staticmethod
    def _of(raw: tuple) -> "TermStatistics":
        return TermStatistics(raw[0], raw[1], dict(raw[2]), raw[3])

    def _raw(self) -> tuple:
        return (self.documents, self.total_length, self.frequencies, self.constrained)


def _fields_of(cls: Any, d: dict) -> Any:
    """An instance of dataclass `cls` from the engine's dict (same keys)."""
    return cls(**d)
