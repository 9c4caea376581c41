"""quiver: an embedded vector database (RocksDB + FAISS + a full-text index) for Python.

    import numpy as np, quiver
    with quiver.open("vecs.db", create=True, dim=384, index="HNSW32") as db:
        db.upsert(["a", "b"], np.random.rand(2, 384), texts=["first", "second"],
                  metadata=[{"lang": "en"}, {"lang": "fr"}])
        hits = db.search(np.random.rand(384), k=5, where={"lang": "en"})
        print(hits[0].id, hits[0].score)

See quiver.open and quiver.Database; errors are quiver.Error subclasses.
"""

from ._errors import (Busy, Cancelled, Corruption, Error, InvalidArgument, IOError, NotFound,
                      NotSupported)
from ._types import (BatchResults, Embedding, Hit, IngestProgress, IngestSummary, ModelInfo,
                     Neighbor, Record, ReembedSummary, Source, SourceInfo, Stats,
                     TermStatistics, Token, Tokenization)
from ._db import DEFAULT_FIELDS, Database, open, tokenize

__version__ = "0.1.0"

__all__ = [
    "open", "tokenize", "Database", "DEFAULT_FIELDS",
    "Error", "NotFound", "InvalidArgument", "Corruption", "Busy", "NotSupported", "Cancelled",
    "IOError",
    "Hit", "Record", "Source", "BatchResults", "Stats", "Token", "Tokenization", "Embedding",
    "Neighbor", "ModelInfo", "SourceInfo", "IngestProgress", "IngestSummary", "ReembedSummary",
    "TermStatistics",
]
