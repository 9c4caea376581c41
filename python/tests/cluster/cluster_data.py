"""Data for the quiver.cluster tests: vectors, a deliberately skewed corpus, word vectors,
and a content checksum of a collection or a database."""

import hashlib
import json
import os

import numpy as np

from quiver.cluster import shard_of

TOPICS = ("river mountain forest ocean desert valley island glacier canyon meadow "
          "engine piston turbine valve gear bearing shaft motor rotor clutch "
          "violin cello flute trumpet harp drum piano oboe guitar viola").split()


def vectors(n, dim, seed=0):
    """n float32 vectors near a rank-8 subspace (embedding-like)."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((8, dim)).astype(np.float32)
    weights = rng.standard_normal((n, 8)).astype(np.float32)
    noise = 0.05 * rng.standard_normal((n, dim)).astype(np.float32)
    return np.ascontiguousarray(weights @ basis + noise, dtype=np.float32)


def skewed_corpus(n, shards, seed=0):
    """(ids, texts) where the shards differ on purpose: shard 0's documents are long and full
    of "glacier", the others short and rarely mention it, so per-shard BM25 statistics (document
    count, average length, document frequency) differ widely from the global ones."""
    rng = np.random.default_rng(seed)
    ids, texts = [], []
    for i in range(n):
        id_ = f"d{i:05d}"
        home = shard_of(id_, shards)
        length = int(rng.integers(30, 60)) if home == 0 else int(rng.integers(4, 12))
        words = list(rng.choice(TOPICS, size=length))
        if home == 0 or rng.random() < 0.03:
            words[int(rng.integers(0, length))] = "glacier"
        if rng.random() < 0.2:
            words.append("meadow")
        ids.append(id_)
        texts.append(" ".join(words) + f" tag{i}")  # distinct texts: no dedupe ties
    return ids, texts


def write_word_vectors(path, dim, seed=0):
    """GloVe text of TOPICS: one direction per topic plus noise."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((3, dim))
    with open(path, "w") as f:
        for i, word in enumerate(TOPICS):
            v = topics[i // 10] + 0.3 * rng.standard_normal(dim)
            f.write(word + " " + " ".join(f"{x:.6f}" for x in v) + "\n")
    return str(path)


def write_jsonl_files(directory, files, per_file, seed=0):
    """`files` .jsonl files of `per_file` records {"id", "text", "n"}; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = []
    for f in range(files):
        path = os.path.join(directory, f"part{f:03d}.jsonl")
        with open(path, "w") as out:
            for r in range(per_file):
                n = f * per_file + r
                topic = TOPICS[(n % 3) * 10:(n % 3) * 10 + 10]
                text = " ".join(rng.choice(topic, size=int(rng.integers(5, 15))))
                out.write(json.dumps({"id": f"j{n:05d}", "text": f"{text} n{n}", "n": n}) + "\n")
        paths.append(path)
    return paths


def checksum(ids, get_many):
    """SHA-256 over (id, text, vector bytes) of the records `ids`, in id order."""
    digest = hashlib.sha256()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start:start + 500]
        for id_, record in zip(chunk, get_many(chunk)):
            assert record is not None, f"record {id_} listed but not stored"
            digest.update(id_.encode() + b"\0" + record.text.encode() + b"\0")
            digest.update(np.asarray(record.vector, dtype=np.float32).tobytes())
    return digest.hexdigest()
