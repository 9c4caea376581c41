"""Shared fixtures of the quiver Python tests. They run from the build tree:
PYTHONPATH=build/python, QUIVER_CLI_PATH=the quiver CLI, QUIVER_REFERENCE_PATH=the C++ API
reference program (python/tests/api_reference.cc); ctest sets all three (python/CMakeLists.txt).
"""

import json
import os
import random
import subprocess

import numpy as np
import pytest

import quiver

WORDS = ("river mountain forest ocean desert valley island glacier canyon meadow "
         "engine piston turbine valve gear bearing shaft motor rotor clutch "
         "violin cello flute trumpet harp drum piano oboe guitar viola").split()


def low_rank(n, dim, rank=8, seed=0):
    """n float32 vectors of `dim` components lying near a rank-`rank` subspace (embedding-like,
    unlike white Gaussian noise)."""
    rng = np.random.default_rng(seed)
    basis = rng.standard_normal((rank, dim)).astype(np.float32)
    weights = rng.standard_normal((n, rank)).astype(np.float32)
    noise = 0.05 * rng.standard_normal((n, dim)).astype(np.float32)
    return np.ascontiguousarray(weights @ basis + noise, dtype=np.float32)


def sentences(n, seed=0, words_per=8):
    """n sentences of WORDS, each drawn from one of three topics (10 words each)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        topic = WORDS[(i % 3) * 10:(i % 3) * 10 + 10]
        out.append(" ".join(rng.choice(topic) for _ in range(words_per)) + ".")
    return out


def write_glove(path, dim, seed=0):
    """A GloVe text file giving each of WORDS a vector (topic direction plus noise)."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((3, dim))
    with open(path, "w") as f:
        for i, word in enumerate(WORDS):
            v = topics[i // 10] + 0.3 * rng.standard_normal(dim)
            f.write(word + " " + " ".join(f"{x:.6f}" for x in v) + "\n")
    return path


def write_collection(directory, files, lines_per_file=6, seed=0):
    """`files` .txt files of topic sentences under `directory`; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for i in range(files):
        path = os.path.join(directory, f"doc{i:03d}.txt")
        with open(path, "w") as f:
            f.write("\n\n".join(sentences(lines_per_file, seed=seed + i)) + "\n")
        paths.append(path)
    return paths


def _program(variable):
    """The path in environment variable `variable`; skips the test when it is not set."""
    path = os.environ.get(variable)
    if not path:
        pytest.skip(f"{variable} is not set (run through ctest)")
    return path


def _run(path, args):
    return subprocess.run([path, *map(str, args)], capture_output=True, text=True)


@pytest.fixture
def cli():
    """Runs the quiver CLI; returns the CompletedProcess (asserts exit 0 unless check=False)."""
    path = _program("QUIVER_CLI_PATH")

    def run(*args, check=True):
        done = _run(path, args)
        assert not check or done.returncode == 0, done.stderr
        return done
    return run


@pytest.fixture
def reference():
    """Runs python/tests/api_reference.cc (the C++ API); returns [(query, id, score)]."""
    path = _program("QUIVER_REFERENCE_PATH")

    def run(*args):
        done = _run(path, args)
        assert done.returncode == 0, done.stderr
        return [(int(q), id_, float(score)) for q, id_, score in
                (line.split("\t") for line in done.stdout.splitlines())]
    return run


@pytest.fixture
def vector_db(tmp_path):
    """A cosine Flat database of 200 low-rank vectors of dimension 16, ids "r000".., with texts
    and metadata {"n": i, "group": "even"/"odd"}."""
    vectors = low_rank(200, 16)
    with quiver.open(tmp_path / "vec.db", create=True, dim=16, report=False) as db:
        ids = [f"r{i:03d}" for i in range(200)]
        texts = sentences(200)
        meta = [{"n": i, "group": "even" if i % 2 == 0 else "odd"} for i in range(200)]
        db.upsert(ids, vectors, texts=texts, metadata=meta)
        yield db, vectors


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]
