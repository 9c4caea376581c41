"""Fixtures of the quiver.cluster tests: local Dask clusters of two worker processes on
127.0.0.1, their dashboards on a free port, never a fixed one.

`client` starts once per test module; a test that SIGKILLs a worker takes `own_client`, a
cluster of its own, so that no later test depends on the nanny bringing the killed worker back
(it usually does within seconds, but not always on a loaded machine). The workers import
quiver from PYTHONPATH (build/python, as ctest sets it).
"""

import contextlib
import time

import pytest

distributed = pytest.importorskip("distributed")


@contextlib.contextmanager
def local_cluster():
    cluster = distributed.LocalCluster(processes=True, host="127.0.0.1", n_workers=2,
                                       threads_per_worker=1, dashboard_address=":0",
                                       silence_logs=40)
    client = distributed.Client(cluster)
    try:
        client.wait_for_workers(2, timeout=60)
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def client():
    with local_cluster() as client:
        yield client


@pytest.fixture
def own_client():
    with local_cluster() as client:
        yield client


@pytest.fixture(autouse=True)
def time_limit():
    """Fails a test that ran longer than its budget: the whole suite must stay within minutes."""
    start = time.monotonic()
    yield
    assert time.monotonic() - start < 90, "a cluster test took more than 90 s"
