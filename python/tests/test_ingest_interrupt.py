"""Ctrl-C (SIGINT) or an exception from the progress callable during an ingest: the exception
reaches the caller, the database stays consistent, and ingesting again finishes the job."""

import os
import signal
import threading

import pytest

import quiver
from conftest import write_collection, write_glove

FILES = 40


def ingest_all(db, docs, **kwargs):
    return db.ingest(docs, chunk_tokens=16, chunk_overlap=0, threads=1, **kwargs)


@pytest.fixture
def setup(tmp_path):
    glove = write_glove(tmp_path / "glove.txt", 12)
    docs = tmp_path / "docs"
    write_collection(docs, FILES, lines_per_file=30)
    with quiver.open(tmp_path / "clean.db", create=True, dim=12, report=False) as clean:
        clean.import_word_vectors(glove)
        expected = ingest_all(clean, docs).chunks_added
    return tmp_path, glove, docs, expected


def check_resumes(db, docs, expected):
    db.verify()
    stored = len(db.sources())
    assert stored < FILES, "the ingest was not stopped early"
    again = ingest_all(db, docs)
    assert again.files_unchanged == stored and again.files_added == FILES - stored
    assert len(db) == expected and len(db.sources()) == FILES
    db.verify()


def test_sigint_mid_ingest_raises_keyboard_interrupt_then_resume(setup):
    tmp_path, glove, docs, expected = setup
    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        db.import_word_vectors(glove)
        sent = []

        def progress(p):
            if not sent:  # after the first file: Ctrl-C from another thread, as a terminal does
                sent.append(p)
                threading.Timer(0.01, os.kill, (os.getpid(), signal.SIGINT)).start()

        with pytest.raises(KeyboardInterrupt):
            ingest_all(db, docs, progress=progress)
        assert sent
        check_resumes(db, docs, expected)


def test_exception_in_progress_callable_stops_the_ingest(setup):
    tmp_path, glove, docs, expected = setup

    class Stop(Exception):
        pass

    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        db.import_word_vectors(glove)

        def progress(p):
            if p.files_done >= 3:
                raise Stop(p)

        with pytest.raises(Stop):
            ingest_all(db, docs, progress=progress)
        check_resumes(db, docs, expected)


def test_skipped_files_are_listed_with_their_reason(setup):
    tmp_path, glove, docs, _ = setup
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 8)
    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        db.import_word_vectors(glove)
        summary = ingest_all(db, docs)
    assert summary.files_skipped == 1
    [(path, reason)] = summary.skipped
    assert path.endswith("binary.txt") and "binary" in reason, (path, reason)


def ingest_new_collection(tmp_path, **kwargs):
    """Ingests 4 files into a new database, which first trains its model on them."""
    docs = tmp_path / "docs"
    write_collection(docs, 4, lines_per_file=30)
    with quiver.open(tmp_path / "db", create=True, dim=12, report=False) as db:
        return ingest_all(db, docs, train={"vocab_size": 400}, **kwargs)


def test_messages_reach_the_callable(tmp_path):
    messages = []
    ingest_new_collection(tmp_path, on_message=messages.append)
    assert any("training one on the collection" in m for m in messages), messages


def test_progress_reports_every_phase(tmp_path):
    seen = []
    ingest_new_collection(tmp_path, progress=seen.append)
    phases = [p.phase for p in seen]
    for phase in ("training the tokenizer", "training the embedding model", "reading",
                  "embedding", "committing"):
        assert phase in phases, phases
    assert all(p.total == 0 or p.done <= p.total for p in seen)
    assert seen[-1].files_done <= seen[-1].files_total == 4
