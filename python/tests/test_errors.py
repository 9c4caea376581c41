"""Engine errors map to one exception hierarchy, with the library's messages."""

import glob

import numpy as np
import pytest

import quiver


def test_hierarchy():
    for cls in (quiver.NotFound, quiver.InvalidArgument, quiver.Corruption, quiver.Busy,
                quiver.NotSupported, quiver.IOError):
        assert issubclass(cls, quiver.Error) and issubclass(cls, Exception)
    assert issubclass(quiver.InvalidArgument, ValueError)
    assert issubclass(quiver.IOError, OSError) and issubclass(quiver.NotFound, LookupError)
    assert quiver.IOError is not OSError


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "db"
    with quiver.open(p, create=True, dim=4, report=False) as db:
        db.upsert([str(i) for i in range(50)], np.random.default_rng(0).random((50, 4)),
                  texts=[f"text {i}" for i in range(50)])
    return p


def test_not_found(path, tmp_path):
    with quiver.open(path, report=False) as db:
        with pytest.raises(quiver.NotFound, match="no record with id 'zz'"):
            db.get("zz")
        with pytest.raises(quiver.NotFound):
            db.model_info()
        with pytest.raises(LookupError):  # as dict-like code expects
            db["zz"]
    with pytest.raises(quiver.NotFound, match="no database at"):
        quiver.open(tmp_path / "nothing", report=False)


def test_invalid_argument(path, tmp_path):
    with pytest.raises(quiver.InvalidArgument, match='metric: expected cosine, ip or l2, found "dot"'):
        quiver.open(tmp_path / "new", create=True, dim=4, metric="dot")
    with quiver.open(path, report=False) as db:
        with pytest.raises(quiver.InvalidArgument, match="k"):
            db.search(np.ones(4), k=0)
        with pytest.raises(ValueError):  # the built-in base catches it too
            db.query("x", mode="fuzzy")
        with pytest.raises(quiver.InvalidArgument, match="fields: expected names among"):
            db.search(np.ones(4), fields=("txt",))
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "file").write_text("x")
    with pytest.raises(quiver.InvalidArgument, match="is not a quiver database"):
        quiver.open(tmp_path / "junk", report=False)


def test_busy_and_not_supported(path):
    with quiver.open(path, report=False) as db:
        with pytest.raises(quiver.Busy, match="locked"):
            quiver.open(path, report=False)
        with quiver.open(path, read_only=True, report=False) as ro:
            assert len(ro) == 50
            with pytest.raises(quiver.NotSupported, match="read-only"):
                ro.upsert("x", np.ones(4))
        db.upsert("x", np.ones(4))


def test_io_error(path, tmp_path):
    with quiver.open(path, report=False) as db:
        with pytest.raises(quiver.IOError, match="cannot open") as caught:
            db.import_word_vectors(tmp_path / "missing.txt")
        assert str(tmp_path / "missing.txt") in str(caught.value)


def test_corruption(path):
    for sst in glob.glob(str(path / "store" / "*.sst")):
        data = bytearray(open(sst, "rb").read())
        for i in range(len(data) // 4, len(data) // 2):
            data[i] ^= 0x5A
        open(sst, "wb").write(data)
    with pytest.raises(quiver.Corruption, match="checksum"):
        with quiver.open(path, report=False) as db:
            db.verify()


def test_closed_database(path):
    db = quiver.open(path, report=False)
    db.close()
    db.close()  # idempotent
    with pytest.raises(quiver.InvalidArgument, match="the database is closed"):
        db.search(np.ones(4))
