# Type stub of the quiver package's public API (the implementation is in _db.py, _types.py,
# _errors.py and the compiled _quiver module).
import os
from typing import (Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Tuple,
                    Union, overload)

import numpy as np
import numpy.typing as npt

__version__: str

PathLike = Union[str, os.PathLike[str]]
Where = Union[None, str, Mapping[str, Any]]
ArrayLike = npt.ArrayLike
DEFAULT_FIELDS: Tuple[str, ...]

class Error(Exception): ...
class NotFound(Error, LookupError): ...
class InvalidArgument(Error, ValueError): ...
class Corruption(Error): ...
class Busy(Error): ...
class NotSupported(Error): ...
class Cancelled(Error): ...
class IOError(Error, OSError): ...

class Source:
    path: str
    begin: int
    end: int
    chunk: int
    content_hash: str

class Hit:
    id: str
    score: float
    text: Optional[str]
    metadata: Optional[dict[str, Any]]
    source: Optional[Source]
    vector: Optional[npt.NDArray[np.float32]]
    highlights: Optional[list[Tuple[int, int]]]

class Record:
    id: str
    vector: Optional[npt.NDArray[np.float32]]
    text: str
    metadata: dict[str, Any]
    source: Optional[Source]

class BatchResults:
    ids: npt.NDArray[np.object_]
    scores: npt.NDArray[np.float32]
    texts: Optional[list[list[str]]]
    metadata: Optional[list[list[dict[str, Any]]]]
    sources: Optional[list[list[Optional[Source]]]]
    vectors: Optional[npt.NDArray[np.float32]]
    highlights: Optional[list[list[list[Tuple[int, int]]]]]
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> list[Hit]: ...
    def __iter__(self) -> Iterator[list[Hit]]: ...

class Stats:
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

class Token:
    piece: str
    id: int
    begin: int
    end: int

class Tokenization:
    tokenizer_kind: str
    vocab_size: int
    tokens: list[Token]
    @property
    def ids(self) -> npt.NDArray[np.int32]: ...

class Embedding:
    vector: npt.NDArray[np.float32]
    tokens: list[Token]
    token_vectors: npt.NDArray[np.float32]
    known_tokens: int

class Neighbor:
    token: str
    score: float

class ModelInfo:
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

class SourceInfo:
    path: str
    content_hash: str
    mtime: int
    size: int
    chunks: int

class IngestProgress:
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    chunks: int

class IngestSummary:
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

class ReembedSummary:
    records: int
    records_kept: int
    seconds: float

class TermStatistics:
    """BM25 statistics of a database for some query texts (Database.term_statistics). Sum
    those of every shard (`a + b`, `sum(stats[1:], stats[0])` or `sum(stats)`) and pass the
    sum to each shard's query(..., statistics=...) so that every shard scores as one database
    holding the whole collection. Pickles (Dask sends it between processes)."""
    documents: int
    total_length: int
    frequencies: dict[str, int]
    constrained: bool
    def __init__(self, documents: int = ..., total_length: int = ...,
                 frequencies: Optional[dict[str, int]] = ..., constrained: bool = ...) -> None: ...
    def __add__(self, other: TermStatistics) -> TermStatistics: ...
    def __radd__(self, other: int) -> TermStatistics: ...

class Database:
    @property
    def path(self) -> str: ...
    @property
    def dimension(self) -> int: ...
    def close(self) -> None: ...
    def __enter__(self) -> Database: ...
    def __exit__(self, *exc: Any) -> None: ...
    def upsert(self, ids: Union[str, Sequence[str]], vectors: ArrayLike,
               texts: Optional[Union[str, Sequence[str]]] = ...,
               metadata: Optional[Union[Mapping[str, Any], Sequence[Optional[Mapping[str, Any]]]]] = ...,
               *, writer: Optional[str] = ..., sequence: Optional[int] = ...) -> bool:
        """Inserts or replaces records in one atomic write. With `writer` and `sequence`
        (together; InvalidArgument otherwise) the write is applied only when `sequence` is
        above the highest one applied for `writer`. True when applied (always, untagged),
        False when the tagged write had been applied already."""
    def delete(self, ids: Union[str, Sequence[str]], *, writer: Optional[str] = ...,
               sequence: Optional[int] = ...) -> int:
        """Removes these ids in one atomic write; how many existed (0 when the tagged write
        had been applied already)."""
    def write_sequence(self, writer: str) -> int:
        """The highest sequence applied for `writer` by tagged writes; 0 when none."""
    def term_statistics(self, text: Union[str, Sequence[str]]) -> TermStatistics:
        """BM25 statistics (documents, total length, df of every analyzed clause) for the
        query text(s), to be summed over shards and passed to query(statistics=...)."""
    def train_index(self, sample: ArrayLike) -> None:
        """Trains the IVF/PQ index on an (n, dimension) sample and re-indexes the stored
        vectors; InvalidArgument for Flat/HNSW or too small a sample (says how many needed)."""
    def index_training(self) -> bytes:
        """The trained, empty index as bytes for set_index_training(); NotFound before
        training."""
    def set_index_training(self, data: bytes) -> None:
        """Adopts another database's training (same spec, dimension, metric; InvalidArgument
        otherwise) and re-indexes the stored vectors under it."""
    def get(self, id: str) -> Record: ...
    def get_many(self, ids: Sequence[str]) -> list[Optional[Record]]: ...
    def __getitem__(self, id: str) -> Record: ...
    def __contains__(self, id: str) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Record]: ...
    def ids(self, where: Where = ...) -> list[str]: ...
    def records(self, where: Where = ..., batch_size: int = ...) -> Iterator[Record]: ...
    def sources(self) -> list[SourceInfo]: ...
    def search(self, vectors: ArrayLike, k: int = ..., where: Where = ...,
               fields: Iterable[str] = ..., *, ef_search: int = ...,
               nprobe: int = ...) -> Union[list[Hit], BatchResults]: ...
    @overload
    def query(self, text: str, k: int = ..., mode: str = ..., where: Where = ...,
              fields: Iterable[str] = ..., *, highlight: bool = ..., fusion: str = ...,
              dense_weight: float = ..., fusion_depth: int = ..., rrf_k: int = ...,
              bm25_k1: float = ..., bm25_b: float = ..., ef_search: int = ...,
              nprobe: int = ..., statistics: Optional[TermStatistics] = ...) -> list[Hit]: ...
    @overload
    def query(self, text: Sequence[str], k: int = ..., mode: str = ..., where: Where = ...,
              fields: Iterable[str] = ..., *, highlight: bool = ..., fusion: str = ...,
              dense_weight: float = ..., fusion_depth: int = ..., rrf_k: int = ...,
              bm25_k1: float = ..., bm25_b: float = ..., ef_search: int = ...,
              nprobe: int = ..., statistics: Optional[TermStatistics] = ...) -> BatchResults: ...
    def query_like(self, id: str, k: int = ..., mode: str = ..., where: Where = ...,
                   fields: Iterable[str] = ...) -> list[Hit]: ...
    def ingest(self, paths: Union[PathLike, Iterable[PathLike]], *, chunk_tokens: int = ...,
               chunk_overlap: int = ..., id_field: str = ..., text_field: str = ...,
               metadata_fields: Sequence[str] = ..., metadata: Optional[Mapping[str, str]] = ...,
               prune: bool = ..., skip_bad: bool = ..., text_columns: Sequence[str] = ...,
               model_from: Optional[PathLike] = ..., train: Optional[Mapping[str, Any]] = ...,
               threads: int = ..., progress: Optional[Callable[[IngestProgress], Any]] = ...,
               on_message: Optional[Callable[[str], Any]] = ...) -> IngestSummary: ...
    def stats(self) -> Stats: ...
    def verify(self) -> None: ...
    def compact(self) -> None: ...
    def reembed(self) -> ReembedSummary: ...
    def reindex(self, language: str) -> None: ...
    def train(self, corpus: Union[PathLike, Iterable[PathLike]], *, vocab_size: int = ...,
              window: int = ..., seed: int = ..., tokenizer_sentences: int = ...,
              case_fold: bool = ..., replace: bool = ...) -> None: ...
    def import_word_vectors(self, path: PathLike, format: str = ..., *,
                            replace: bool = ...) -> None: ...
    def import_model(self, directory: PathLike, *, precision: str = ...,
                     query_prompt: Optional[str] = ..., document_prompt: Optional[str] = ...,
                     replace: bool = ...) -> None: ...
    def import_safetensors(self, path: PathLike, tokenizer: PathLike, *, tensor: str = ...,
                           replace: bool = ...) -> None: ...
    def model_info(self) -> ModelInfo: ...
    def embed(self, text: str) -> Embedding: ...
    def tokenize(self, text: str, add_special_tokens: bool = ...) -> Tokenization: ...
    def token_vector(self, token: str) -> npt.NDArray[np.float32]: ...
    def neighbors(self, token: str, k: int = ...) -> list[Neighbor]: ...

def open(path: PathLike, create: bool = ..., *, dim: Optional[int] = ..., metric: str = ...,
         index: str = ..., tokenizer: Optional[PathLike] = ..., analyzer: str = ...,
         read_only: bool = ..., error_if_exists: bool = ..., checkpoint_interval: int = ...,
         report: bool = ...) -> Database: ...
def tokenize(tokenizer_path: PathLike, text: str,
             add_special_tokens: bool = ...) -> Tokenization: ...
