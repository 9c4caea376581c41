"""Fixtures of the quiver.cluster tests: a local Dask cluster of two worker processes on
127.0.0.1, started once per test module (its dashboard on a free port, never a fixed one).

The workers import quiver from PYTHONPATH (build/python, as ctest sets it).
"""

import time

import pytest

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(processes=True, host="127.0.0.1", n_workers=2,
                                       threads_per_worker=1, dashboard_address=":0",
                                       silence_logs=40)
    client = distributed.Client(cluster)
    client.wait_for_workers(2, timeout=60)
    yield client
    client.close()
    cluster.close()


@pytest.fixture
def live_client(client):
    """The module's client once both workers are up again (a test before may have killed one)."""
    client.wait_for_workers(2, timeout=60)
    return client


@pytest.fixture(autouse=True)
def time_limit():
    """Fails a test that ran longer than its budget: the whole suite must stay within minutes."""
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 90, "a cluster test took more than 90 s"
