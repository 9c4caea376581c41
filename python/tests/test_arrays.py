"""NumPy inputs: dtypes, shapes, strides and contiguity, and the errors for wrong ones."""

import numpy as np
import pytest

import quiver
from quiver import _quiver
from conftest import low_rank


@pytest.fixture
def db(tmp_path):
    with quiver.open(tmp_path / "db", create=True, dim=4, metric="l2", report=False) as d:
        yield d


def test_float32_c_contiguous_is_used_without_copy():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    assert _quiver._matrix_address(a, 4) == a.ctypes.data
    v = a[1]  # a C-contiguous row of a bigger array
    assert _quiver._matrix_address(v, 4) == v.ctypes.data


@pytest.mark.parametrize("make", [
    lambda a: a.astype(np.float64),
    lambda a: a.astype(np.float16),
    lambda a: a.astype(np.int32),
    lambda a: a.astype(np.uint8),
    lambda a: np.asfortranarray(a),
    lambda a: np.repeat(a, 2, axis=0)[::2],          # every other row: strided
    lambda a: np.repeat(a, 2, axis=1)[:, ::2],       # every other column: strided
    lambda a: a.astype(">f4"),                       # big-endian
    lambda a: a.tolist(),                            # nested lists
], ids=["float64", "float16", "int32", "uint8", "fortran", "row-stride", "col-stride",
        "big-endian", "list"])
def test_other_layouts_are_converted_once_and_give_the_same_answer(db, make):
    a = np.array([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]], dtype=np.float32)
    db.upsert(["x", "y", "z"], make(a))
    for i, id_ in enumerate("xyz"):
        np.testing.assert_array_equal(db.get(id_).vector, a[i])
    batch = db.search(make(a), k=1, fields=())
    assert list(batch.ids[:, 0]) == ["x", "y", "z"]


def test_other_dtypes_and_layouts_are_copied_not_misread():
    a = np.arange(8, dtype=np.float32).reshape(2, 4)
    for other in (np.asfortranarray(a), a.astype(np.float64), a.astype(">f4")):
        assert _quiver._matrix_address(other, 4) != other.ctypes.data


def test_one_vector_shapes(db):
    db.upsert("one", np.array([1, 0, 0, 0], np.float32))
    db.upsert(["two"], np.array([[0, 1, 0, 0]], np.float32))
    assert isinstance(db.search([1, 0, 0, 0], k=1), list)
    assert isinstance(db.search([[1, 0, 0, 0]], k=1), quiver.BatchResults)
    empty = db.search(np.zeros((0, 4), np.float32), k=3)
    assert len(empty) == 0 and empty.ids.shape == (0, 3)


@pytest.mark.parametrize("bad, message", [
    (np.ones((2, 5), np.float32), r"dimension 4, found an array of shape \(2, 5\)"),
    (np.ones(3, np.float32), r"dimension 4, found an array of shape \(3,\)"),
    (np.ones((2, 2, 4), np.float32), r"shape \(4,\) or a batch of shape \(n, 4\), found an array of shape \(2, 2, 4\)"),
    (np.ones((2, 4), bool), "expected real numbers, found an array of dtype bool"),
    (np.array([["a", "b", "c", "d"]]), "expected real numbers, found an array of dtype <U1"),
    (np.ones((1, 4), complex), "expected real numbers, found an array of dtype complex128"),
    ([[1, 2, 3, 4], [1, 2]], "NumPy cannot turn into one"),
    (np.ones(()), r"shape \(\)"),
], ids=["columns", "short-vector", "3d", "bool", "str", "complex", "ragged", "scalar"])
def test_wrong_inputs_are_invalid_argument_naming_expected_and_found(db, bad, message):
    with pytest.raises(quiver.InvalidArgument, match=message):
        db.search(bad, k=1)
    with pytest.raises(quiver.InvalidArgument, match=message):
        db.upsert(["a", "b"], bad)
    assert len(db) == 0


def test_row_count_and_list_lengths_must_match_ids(db):
    with pytest.raises(quiver.InvalidArgument, match=r"one row per id \(3\), found 2"):
        db.upsert(["a", "b", "c"], np.ones((2, 4)))
    with pytest.raises(quiver.InvalidArgument, match=r"texts: expected one per id \(2\), found 1"):
        db.upsert(["a", "b"], np.ones((2, 4)), texts=["only one"])
    with pytest.raises(quiver.InvalidArgument, match="metadata: expected a dict"):
        db.upsert(["a"], np.ones((1, 4)), metadata=[["not", "a", "dict"]])
    with pytest.raises(quiver.InvalidArgument, match="ids: expected str items, found int"):
        db.upsert([1], np.ones((1, 4)))
    assert len(db) == 0


def test_non_finite_components_are_refused_and_nothing_is_written(db):
    v = np.ones((3, 4), np.float32)
    v[2, 1] = np.nan
    with pytest.raises(quiver.InvalidArgument):
        db.upsert(["a", "b", "c"], v)
    assert len(db) == 0
    with pytest.raises(quiver.InvalidArgument, match="metadata: record 0 is not JSON"):
        db.upsert(["a"], np.ones((1, 4)), metadata=[{"x": float("inf")}])


def test_results_own_their_memory(db):
    v = low_rank(10, 4)
    db.upsert([str(i) for i in range(10)], v)
    batch = db.search(v, k=2, fields=("vector",))
    assert batch.vectors.shape == (10, 2, 4) and batch.vectors.flags["OWNDATA"]
    np.testing.assert_array_equal(batch.vectors[3, 0], v[3])
    v[:] = 0  # the caller's array changing afterwards changes nothing stored
    np.testing.assert_array_equal(db.get("3").vector, batch.vectors[3, 0])
