"""quiver.cluster: a quiver collection sharded over the workers of a Dask distributed cluster.

    import distributed, numpy as np
    from quiver.cluster import Collection
    client = distributed.Client("tcp://scheduler:8786")  # or LocalCluster() on one machine
    with Collection.create(client, "/shared/vecs", shards=8, dim=384) as c:
        c.upsert(["a", "b"], np.random.rand(2, 384), texts=["first", "second"])
        hits = c.search(np.random.rand(384), k=5)

Each shard is an ordinary quiver database directory under the collection's directory, on
storage every worker sees; a document lives in shard shard_of(id). `python3 -m quiver.cluster
demo` tries it on a local cluster; docs/cluster.md has the design and how to deploy it.
"""

from ._collection import ClusterStats, Collection, Partial
from ._layout import Placement, Settings, ShardMap, shard_of
from ._runner import Unavailable
from ._shard import StaleOwner

__all__ = ["Collection", "ClusterStats", "Partial", "Settings", "ShardMap", "Placement",
           "shard_of", "Unavailable", "StaleOwner"]
