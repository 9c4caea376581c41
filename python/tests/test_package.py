"""The package's face: docstrings, the .pyi stub, reprs, and the example app."""

import ast
import inspect
import os
import subprocess
import sys

import numpy as np

import quiver
from conftest import sentences

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_every_public_name_has_a_docstring():
    for name in quiver.__all__:
        obj = getattr(quiver, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
    for name, member in inspect.getmembers(quiver.Database):
        if not name.startswith("_") and (inspect.isfunction(member) or isinstance(member, property)):
            assert member.__doc__, f"Database.{name}"


def test_stub_declares_the_public_api():
    stub = ast.parse(open(os.path.join(ROOT, "python", "quiver", "__init__.pyi")).read())
    declared = {n.name for n in stub.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))}
    declared |= {t.id for n in stub.body if isinstance(n, ast.AnnAssign) for t in [n.target]}
    assert set(quiver.__all__) <= declared, set(quiver.__all__) - declared
    db_stub = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Database")
    stub_methods = {n.name for n in db_stub.body if isinstance(n, ast.FunctionDef)}
    public = {n for n, m in inspect.getmembers(quiver.Database)
              if not n.startswith("_") and (inspect.isfunction(m) or isinstance(m, property))}
    assert public <= stub_methods, public - stub_methods


def test_reprs_are_short_and_readable(tmp_path):
    with quiver.open(tmp_path / "db", create=True, dim=3, report=False) as db:
        db.upsert("a", [1, 0, 0], texts="x" * 500, metadata={"k": 1})
        r = repr(db.get("a"))
        assert r.startswith("Record(id='a', vector=<3 floats>, text='xxx") and len(r) < 150
        assert "…" in r and repr(db).startswith("quiver.Database(")
        b = db.search(np.eye(3, dtype=np.float32), k=1, fields=())
        assert repr(b).startswith("BatchResults(3 queries × k=1")


def test_retrieval_example_answers_from_its_documents(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i, topic in enumerate(("rivers", "engines", "music")):
        text = "\n\n".join(s for j, s in enumerate(sentences(90, seed=i)) if j % 3 == i)
        (docs / f"{topic}.txt").write_text(text + "\n")
    example = os.path.join(ROOT, "examples", "python", "retrieval.py")
    done = subprocess.run([sys.executable, example, str(tmp_path / "db"), str(docs), "--ask",
                           "violin cello", "--ask", "piston gear", "-k", "2"],
                          capture_output=True, text=True, env=os.environ)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "? violin cello" and "music.txt" in lines[1]
    assert lines[5] == "? piston gear" and "engines.txt" in lines[6]
