"""quiver.Database: an open quiver database, the C++ quiver::DB made Pythonic.

Every call that does real work runs without the GIL, so threads search in parallel; one
Database may be shared by many threads (reads and searches run in parallel, writes are
serialized). Errors are quiver.Error subclasses carrying the engine's message.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

import numpy as np

from . import _quiver
from ._errors import InvalidArgument
from ._types import (BatchResults, Embedding, Hit, IngestProgress, IngestSummary, ModelInfo,
                     Neighbor, Record, ReembedSummary, SourceInfo, Stats, TermStatistics,
                     Token, Tokenization, _fields_of)

PathLike = Union[str, "os.PathLike[str]"]
Where = Union[None, str, Mapping[str, Any]]
DEFAULT_FIELDS = ("text", "metadata", "source")

_log = logging.getLogger("quiver")


def _where(where: Where) -> str:
    """The filter as the engine's JSON text: a dict is serialized, a str taken as JSON."""
    if where is None:
        return ""
    if isinstance(where, str):
        return where
    if isinstance(where, Mapping):
        return json.dumps(where, ensure_ascii=False, allow_nan=False)
    raise InvalidArgument(f"where: expected a dict or a JSON str, found {type(where).__name__}")


def _metadata_json(metadata: Optional[Sequence[Optional[Mapping]]]) -> Optional[list]:
    """Per-record metadata dicts (or None for none) as JSON texts."""
    if metadata is None:
        return None
    if isinstance(metadata, Mapping):
        metadata = [metadata]
    out = []
    for i, m in enumerate(metadata):
        if m is None:
            out.append("")
        elif isinstance(m, Mapping):
            try:
                out.append(json.dumps(m, ensure_ascii=False, allow_nan=False))
            except (TypeError, ValueError) as e:
                raise InvalidArgument(f"metadata: record {i} is not JSON-serializable: {e}") from None
        else:
            raise InvalidArgument(
                f"metadata: expected a dict (or None) per record, found {type(m).__name__} "
                f"at position {i}")
    return out


def _paths(paths: Union[PathLike, Iterable[PathLike]]) -> list:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _fields(fields: Iterable[str]) -> list:
    if isinstance(fields, str):
        return [fields]
    return list(fields)


class Database:
    """An open quiver database. Make one with quiver.open(); use it as a context manager
    (`with quiver.open(...) as db:`) or call close()."""

    def __init__(self, raw: "_quiver.DB", path: str):
        self._raw = raw
        self._path = path

    # ---- lifetime ----
    @property
    def path(self) -> str:
        """The database directory."""
        return self._path

    @property
    def dimension(self) -> int:
        """The vectors' dimension, fixed at creation."""
        return self._raw.dimension

    def close(self) -> None:
        """Writes the index checkpoints (unless read-only) and releases the database, after any
        call still running in another thread. Idempotent; later calls raise InvalidArgument."""
        self._raw.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"quiver.Database({self._path!r}, dim={self.dimension})"

    # ---- writing ----
    def upsert(self, ids: Union[str, Sequence[str]], vectors: Any,
               texts: Optional[Union[str, Sequence[str]]] = None,
               metadata: Optional[Union[Mapping, Sequence[Optional[Mapping]]]] = None, *,
               writer: Optional[str] = None, sequence: Optional[int] = None) -> bool:
        """Inserts or replaces records as one atomic write: all of them are stored or none.

        `vectors` is an (n, dimension) array, one row per id (a single id takes a 1-D vector):
        float32 C-contiguous arrays are used as they are, anything else of numbers is converted
        once. `texts` are the records' texts (searched by query(mode="bm25"/"hybrid")),
        `metadata` one dict (or None) per record, filterable with `where=`. The last of
        repeated ids wins.

        With `writer` (a non-empty name) and `sequence` (an int > 0), given together, the write
        is applied only if `sequence` is above the highest one applied for `writer`, which the
        same atomic write then records: a retried write is applied once. Returns True when
        the write was applied (always, untagged), False when it had been already."""
        if isinstance(ids, str):
            ids = [ids]
        if isinstance(texts, str):
            texts = [texts]
        return self._raw.upsert(list(ids), vectors, None if texts is None else list(texts),
                                _metadata_json(metadata), writer, sequence)

    def delete(self, ids: Union[str, Sequence[str]], *, writer: Optional[str] = None,
               sequence: Optional[int] = None) -> int:
        """Removes the records with these ids in one atomic write; returns how many existed.
        `writer` and `sequence` tag the write as for upsert(); 0 when it was already applied."""
        if isinstance(ids, str):
            ids = [ids]
        return self._raw.delete(list(ids), writer, sequence)

    def write_sequence(self, writer: str) -> int:
        """The highest sequence applied for `writer` by tagged writes; 0 when none."""
        return self._raw.write_sequence(writer)

    # ---- reading ----
    def get(self, id: str) -> Record:
        """The stored record with this id; raises quiver.NotFound when there is none."""
        return Record._of(self._raw.get(id))

    def get_many(self, ids: Sequence[str]) -> list:
        """The stored records with these ids, in order, None for each id not stored."""
        return [None if r is None else Record._of(r) for r in self._raw.get_many(list(ids))]

    def __getitem__(self, id: str) -> Record:
        return self.get(id)

    def __contains__(self, id: str) -> bool:
        return self._raw.get_many([id])[0] is not None

    def __len__(self) -> int:
        return self.stats().count

    def ids(self, where: Where = None) -> list:
        """The ids of the records `where` matches (all without it), in id order (bytewise)."""
        return self._raw.ids(_where(where))

    def records(self, where: Where = None, batch_size: int = 256) -> Iterator[Record]:
        """The records `where` matches, in id order, read `batch_size` at a time. Records
        written meanwhile may or may not be seen; deleted ones are skipped."""
        ids = self.ids(where)
        for start in range(0, len(ids), batch_size):
            for record in self._raw.get_many(ids[start:start + batch_size]):
                if record is not None:
                    yield Record._of(record)

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def sources(self) -> list:
        """Every ingested source file (SourceInfo), in path order."""
        return [SourceInfo(*s) for s in self._raw.sources()]

    # ---- searching ----
    def search(self, vectors: Any, k: int = 10, where: Where = None,
               fields: Iterable[str] = DEFAULT_FIELDS, *, ef_search: int = 0,
               nprobe: int = 0) -> Union[list, BatchResults]:
        """The k records nearest to each query vector, best first.

        One vector (shape (dimension,)) gives a list of Hit; a batch (n, dimension) gives
        BatchResults (ids and scores as (n, k) arrays), the queries spread over the cores.
        `where` is a metadata filter ({"lang": "en", "year": {"$gte": 2000}}; see
        QueryOptions::where); the hits are the top k among the matching records. `fields`
        chooses what hits carry besides id and score, among "text", "metadata", "source",
        "vector" (fewer read less: `fields=()` is the fastest). `ef_search` (HNSW) and `nprobe`
        (IVF) tune the index search (0 = the index's default)."""
        options = {"k": k, "where": _where(where), "fields": _fields(fields),
                   "ef_search": ef_search, "nprobe": nprobe}
        raw = self._raw.search(vectors, options)
        if isinstance(raw, list):
            return [Hit._of(h) for h in raw]
        return BatchResults(raw)

    def query(self, text: Union[str, Sequence[str]], k: int = 10, mode: str = "hybrid",
              where: Where = None, fields: Iterable[str] = DEFAULT_FIELDS, *,
              highlight: bool = False, fusion: str = "convex", dense_weight: float = 0.1,
              fusion_depth: int = 100, rrf_k: int = 60, bm25_k1: float = 1.2,
              bm25_b: float = 0.75, ef_search: int = 0, nprobe: int = 0,
              statistics: Optional[TermStatistics] = None) -> Union[list, BatchResults]:
        """The k stored texts that best answer `text`, best first: a list of Hit for one str,
        BatchResults for a list of texts (answered over the cores).

        `mode`: "dense" (the text embedded with the database's model, searched in the vector
        index), "bm25" (full-text: words, "phrases", +required, -excluded) or "hybrid" (both
        lists fused: `fusion` "convex" with weight `dense_weight` on the dense list, or "rrf"
        with `rrf_k`, each list `fusion_depth` deep). `highlight` fills Hit.highlights with
        the byte ranges of the matched words. `statistics` (a TermStatistics summed over the
        shards of a collection, see term_statistics()) makes BM25 score with the collection's
        document count, average length and document frequencies instead of this database's;
        one object serves a whole batch. Other arguments as for search()."""
        if statistics is not None and not isinstance(statistics, TermStatistics):
            raise InvalidArgument("statistics: expected a quiver.TermStatistics, found " +
                                  type(statistics).__name__)
        options = {"k": k, "mode": mode, "where": _where(where), "fields": _fields(fields),
                   "highlight": highlight, "fusion": fusion, "dense_weight": dense_weight,
                   "fusion_depth": fusion_depth, "rrf_k": rrf_k, "bm25_k1": bm25_k1,
                   "bm25_b": bm25_b, "ef_search": ef_search, "nprobe": nprobe,
                   "statistics": None if statistics is None else statistics._raw()}
        if not isinstance(text, str):
            text = list(text)
        raw = self._raw.query(text, options)
        if isinstance(raw, list):
            return [Hit._of(h) for h in raw]
        return BatchResults(raw)

    def term_statistics(self, text: Union[str, Sequence[str]]) -> TermStatistics:
        """This database's BM25 statistics for the query text(s), parsed as query() parses
        them: its document count and total length, and the document frequency of every
        clause. Sum them over the shards of a collection and pass the sum to each shard's
        query(..., statistics=...): every shard then scores each record exactly as one
        database holding the whole collection would."""
        if not isinstance(text, str):
            text = list(text)
        return TermStatistics._of(self._raw.term_statistics(text))

    def train_index(self, sample: Any) -> None:
        """Trains the vector index (IVF centroids, PQ codebooks) on `sample`, an (n, dimension)
        array, and re-indexes the stored vectors under it. The training is stored, so reopening
        and compact() keep it. InvalidArgument for an index that needs no training (Flat,
        HNSW) or too small a sample (the message says how many vectors are needed)."""
        self._raw.train_index(sample)

    def index_training(self) -> bytes:
        """The index's training as bytes, for set_index_training() on another database with
        the same index spec, dimension and metric. NotFound while the index is not trained;
        InvalidArgument for an index that needs no training."""
        return self._raw.index_training()

    def set_index_training(self, data: bytes) -> None:
        """Adopts a training from index_training() and re-indexes the stored vectors under it
        (all at once, as far as a crash can tell). Shards sharing a training give, at the same
        nprobe, the results one database holding every vector would. InvalidArgument for bytes
        that are not a training of this database's index spec, dimension and metric."""
        self._raw.set_index_training(bytes(data))

    def query_like(self, id: str, k: int = 10, mode: str = "dense", where: Where = None,
                   fields: Iterable[str] = DEFAULT_FIELDS) -> list:
        """The k records most similar to the stored record `id` (itself excluded): by its
        vector (mode "dense") or its text ("bm25", "hybrid"). NotFound for an unknown id."""
        options = {"k": k, "mode": mode, "where": _where(where), "fields": _fields(fields)}
        return [Hit._of(h) for h in self._raw.query_like(id, options)]

    # ---- collections ----
    def ingest(self, paths: Union[PathLike, Iterable[PathLike]], *, chunk_tokens: int = 256,
               chunk_overlap: int = 32, id_field: str = "id", text_field: str = "text",
               metadata_fields: Sequence[str] = (), metadata: Optional[Mapping[str, str]] = None,
               prune: bool = False, skip_bad: bool = False, text_columns: Sequence[str] = (),
               model_from: Optional[PathLike] = None, train: Optional[Mapping[str, Any]] = None,
               threads: int = 0, progress: Optional[Callable[[IngestProgress], Any]] = None,
               on_message: Optional[Callable[[str], Any]] = None) -> IngestSummary:
        """Reads files and directories (.txt, .md, .jsonl, .csv, optionally .gz), cuts their
        texts into chunks of at most `chunk_tokens` tokens (overlapping by `chunk_overlap`),
        embeds and indexes them, each source file in one atomic write. Unchanged files are
        skipped, changed ones replaced; `prune` forgets files no longer among the inputs.

        `metadata` is added to every chunk's metadata. A database without a model first gets
        one: `model_from`'s (another database), else one trained on the collection (`train`:
        the keyword arguments of train()). `progress(IngestProgress)` is called after each
        file and `on_message(str)` with one-line notes (default: logged as warnings on the
        "quiver" logger), both in the calling thread.

        Ctrl-C (or an exception from a callable) stops the ingest at the next file and is
        raised once the engine has returned: the files stored so far stay stored and
        consistent, and running the same ingest again finishes the job."""
        options = {"chunk_tokens": chunk_tokens, "chunk_overlap": chunk_overlap,
                   "id_field": id_field, "text_field": text_field,
                   "metadata_fields": list(metadata_fields),
                   "extra_metadata": [(str(k), str(v)) for k, v in (metadata or {}).items()],
                   "prune": prune, "skip_bad": skip_bad, "text_columns": list(text_columns),
                   "model_from": "" if model_from is None else os.fspath(model_from),
                   "train": _train_options(**(train or {})), "threads": threads}
        report = None if progress is None else (lambda t: progress(IngestProgress(*t)))
        message = on_message if on_message is not None else _log.warning
        summary = self._raw.ingest(_paths(paths), options, report, message)
        return _fields_of(IngestSummary, summary)

    # ---- maintenance ----
    def stats(self) -> Stats:
        """Counts, index and full-text index facts, disk use."""
        return _fields_of(Stats, self._raw.stats())

    def verify(self) -> None:
        """Checks that the store is consistent, its checksums hold and both indexes hold exactly
        the stored records; raises quiver.Corruption naming the first problem otherwise."""
        self._raw.verify()

    def compact(self) -> None:
        """Rebuilds both indexes without deleted records, checkpoints them, compacts the store."""
        self._raw.compact()

    def reembed(self) -> ReembedSummary:
        """Recomputes every record's vector from its text with the current model (after
        import/train with replace=True), atomically."""
        return _fields_of(ReembedSummary, self._raw.reembed())

    def reindex(self, language: str) -> None:
        """Rebuilds the full-text index with the analyzer of `language` ("english", "none", ...)."""
        self._raw.reindex(language)

    # ---- models ----
    def train(self, corpus: Union[PathLike, Iterable[PathLike]], *, vocab_size: int = 8000,
              window: int = 5, seed: int = 42, tokenizer_sentences: int = 200000,
              case_fold: bool = True, replace: bool = False) -> None:
        """Learns an embedding model from text files (one sentence or paragraph per line;
        directories give their .txt/.md files): a sentencepiece tokenizer of `vocab_size`,
        token vectors by PPMI + SVD over a `window`, SIF pooling. `replace` replaces an
        existing model (then reembed())."""
        self._raw.train(_paths(corpus), _train_options(vocab_size, window, seed,
                                                       tokenizer_sentences, case_fold, replace))

    def import_word_vectors(self, path: PathLike, format: str = "auto", *,
                            replace: bool = False) -> None:
        """Gives the database a model of word vectors (GloVe/word2vec text or binary, fastText
        .vec; `format` "auto" detects) of the database's dimension."""
        self._raw.import_word_vectors(os.fspath(path), format, replace)

    def import_model(self, directory: PathLike, *, precision: str = "fp32",
                     query_prompt: Optional[str] = None, document_prompt: Optional[str] = None,
                     replace: bool = False) -> None:
        """Gives the database a sentence-transformers model (BertModel or XLMRobertaModel
        directory), stored in the database; `precision` "fp32", "bf16" or "int8"."""
        self._raw.import_model(os.fspath(directory), precision, query_prompt, document_prompt,
                               replace)

    def import_safetensors(self, path: PathLike, tokenizer: PathLike, *, tensor: str = "",
                           replace: bool = False) -> None:
        """Gives the database an LLM's token-embedding layer (`tensor` of a safetensors file or
        sharded checkpoint, default model.embed_tokens.weight) with its tokenizer."""
        self._raw.import_safetensors(os.fspath(path), tensor, os.fspath(tokenizer), replace)

    def model_info(self) -> ModelInfo:
        """The database's embedding model; quiver.NotFound without one."""
        return _fields_of(ModelInfo, self._raw.model_info())

    def embed(self, text: str) -> Embedding:
        """`text` as the model embeds a query: pooled vector, tokens, per-token vectors."""
        vector, tokens, token_vectors, known = self._raw.embed(text)
        return Embedding(vector, [Token(*t) for t in tokens], token_vectors, known)

    def tokenize(self, text: str, add_special_tokens: bool = True) -> Tokenization:
        """`text` split by the database's tokenizer (quiver.NotFound without one)."""
        return Tokenization._of(self._raw.tokenize(text, add_special_tokens))

    def token_vector(self, token: str) -> np.ndarray:
        """The model's vector for one token (quiver.NotFound when it is not one token)."""
        return self._raw.token_vector(token)

    def neighbors(self, token: str, k: int = 10) -> list:
        """The k vocabulary entries most similar to `token` (cosine), best first."""
        return [Neighbor(t, s) for t, s in self._raw.neighbors(token, k)]


def _train_options(vocab_size: int = 8000, window: int = 5, seed: int = 42,
                   tokenizer_sentences: int = 200000, case_fold: bool = True,
                   replace: bool = False) -> dict:
    return {"vocab_size": vocab_size, "window": window, "seed": seed,
            "tokenizer_sentences": tokenizer_sentences, "case_fold": case_fold,
            "replace": replace}


def open(path: PathLike, create: bool = False, *, dim: Optional[int] = None,
         metric: str = "cosine", index: str = "Flat", tokenizer: Optional[PathLike] = None,
         analyzer: str = "english", read_only: bool = False, error_if_exists: bool = False,
         checkpoint_interval: int = 50000, report: bool = True) -> Database:
    """Opens the quiver database in directory `path`.

    With `create`, a missing database is made with vectors of dimension `dim` (required then),
    `metric` "cosine", "ip" or "l2", `index` a FAISS description ("Flat", "HNSW32",
    "IVF1024,Flat", ...), optionally a `tokenizer` file kept in the database, and the full-text
    `analyzer` language; these are fixed at creation and ignored afterwards. `read_only` opens
    without the write lock (searches work while another process writes). `report` lets the
    engine print long open-time work (index rebuilds) on stderr.

    Raises quiver.Busy when another process (or handle) has the database open for writing,
    quiver.InvalidArgument when `path` is not a quiver database, quiver.NotSupported for a
    newer format."""
    options: dict = {"create": create, "error_if_exists": error_if_exists,
                     "read_only": read_only, "metric": metric, "index": index,
                     "analyzer": analyzer, "checkpoint_interval": checkpoint_interval,
                     "report": report}
    if dim is not None:
        options["dim"] = int(dim)
    if tokenizer is not None:
        options["tokenizer"] = os.fspath(tokenizer)
    p = os.fspath(path)
    return Database(_quiver.open(p, options), p)


def tokenize(tokenizer_path: PathLike, text: str, add_special_tokens: bool = True) -> Tokenization:
    """`text` split by the tokenizer in a file (sentencepiece .model, tokenizer.json, a word
    list), without a database."""
    return Tokenization._of(_quiver.tokenize_file(os.fspath(tokenizer_path), text,
                                                  add_special_tokens))
