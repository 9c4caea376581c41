"""Running shard tasks on their owners, within a deadline, through worker deaths.

Every task goes to the worker the shard map names (`workers=[owner]`,
`allow_other_workers=False`), carrying the epoch of that placement. While waiting, the runner
watches the scheduler's list of workers: a shard whose owner has left the cluster (killed,
crashed, shut down) is moved to the live worker owning the fewest shards (new epoch, map saved
atomically) and its task sent again, with the same arguments, so a write keeps its
(writer, sequence) tag and applies once. A task refused as StaleOwner (another client moved
the shard) is sent again after re-reading the map.

When the deadline passes, the unanswered tasks are cancelled and the call fails with
Unavailable naming the shards, unless partial answers were allowed (reads only): then the
answers in hand are returned with their coverage, the fraction of the tasks answered.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import time
import uuid
from typing import Any, Callable, Iterable

import dask
import distributed

import quiver

from . import _layout, _shard

_POLL_SECONDS = 0.2  # how often a waiting call checks that the owners are alive
_GATHER_SECONDS = 5.0  # longest wait for a finished task's result before checking its worker
_NOT_FETCHED = (TimeoutError, distributed.TimeoutError, concurrent.futures.CancelledError,
                asyncio.CancelledError)
_LOST = ("KilledWorker", "CommClosedError", "FutureCancelledError", "CancelledError")


class Unavailable(quiver.Error):
    """Shards did not answer within the call's deadline (their workers died or hang)."""


class Task:
    """One shard's share of a call: `fn(collection, shard, epoch, *args)` on the owner."""

    __slots__ = ("shard", "fn", "args")

    def __init__(self, shard: int, fn: Callable, args: tuple):
        self.shard, self.fn, self.args = shard, fn, args


class _Sealed:
    """A task's arguments, out of Dask's sight: its graph code walks every list, tuple and dict
    among a task's arguments (looking for futures and keys), a Python step per element, which
    for a batch of rows costs more than sending them; and it would read an id spelled like a
    task's key as that key. Pickled as any object (numpy arrays travel as out-of-band buffers)."""

    __slots__ = ("args",)

    def __init__(self, args: tuple):
        self.args = args


def _unsealed(fn: Callable, collection: str, shard: int, epoch: int, sealed: _Sealed) -> Any:
    """Runs on the worker: fn(collection, shard, epoch, *args)."""
    return fn(collection, shard, epoch, *sealed.args)


class ShardRunner:
    def __init__(self, client: distributed.Client, collection: str, shard_map: _layout.ShardMap):
        self.client = client
        self.collection = collection
        self.map = shard_map
        self._checked_at = 0.0  # when _lost_shards last asked which workers are alive

    # ---- placement ----
    def live_workers(self) -> list:
        return sorted(self.client.scheduler_info()["workers"])

    def place_orphans(self) -> list:
        """Moves every shard whose owner is not a live worker; returns the shards moved."""
        live = self.live_workers()
        orphans = [s for s, p in enumerate(self.map.shards) if p.owner not in live]
        for shard in orphans:
            self.move(shard, live)
        return orphans

    def move(self, shard: int, live: list) -> None:
        """Gives `shard` to the live worker with the fewest shards (ties: lowest address)."""
        if not live:
            raise Unavailable(f"shard {shard}: expected a live worker to move it to; the "
                              f"cluster has none")
        load = collections.Counter(p.owner for p in self.map.shards)
        owner = min(live, key=lambda w: (load[w], w))
        self.map = self.map.moved(shard, owner)
        _layout.save_map(self.collection, self.map)

    def reload(self) -> bool:
        """Adopts the map on disk when it is newer; True when it was."""
        on_disk = _layout.load_map(self.collection, len(self.map.shards))
        if on_disk.epoch <= self.map.epoch:
            return False
        self.map = on_disk
        return True

    # ---- running ----
    def _submit(self, task: Task) -> distributed.Future:
        placement = self.map.shards[task.shard]
        return self.client.submit(_unsealed, task.fn, self.collection, task.shard,
                                  placement.epoch, _Sealed(task.args), workers=[placement.owner],
                                  allow_other_workers=False, pure=False, retries=0)

    def _submit_all(self, tasks: dict) -> dict:
        """_submit of every task in one graph: one message to the scheduler for the call, not
        one per shard. Each task is restricted to its shard's owner (a per-key annotation)."""
        if not tasks:
            return {}
        keys, graph, owners = {}, {}, {}
        for key, task in tasks.items():
            placement = self.map.shards[task.shard]
            name = f"{task.fn.__name__}-{uuid.uuid4().hex}"
            keys[key] = name
            graph[name] = (_unsealed, task.fn, self.collection, task.shard, placement.epoch,
                           _Sealed(task.args))
            owners[name] = [placement.owner]
        with dask.annotate(workers=lambda name: owners[name]):
            futures = self.client.get(graph, list(keys.values()), sync=False, retries=0)
        return dict(zip(keys, futures))

    def run(self, tasks: dict, deadline: float, allow_partial: bool = False) -> tuple:
        """Runs `tasks` (key -> Task); returns ({key: result}, coverage). Raises the first
        task's own error (quiver.Error, ...) as it is, Unavailable past the deadline."""
        deadline_at = time.monotonic() + deadline
        pending = self._submit_all(tasks)
        results: dict = {}
        while pending:
            self._wait(list(pending.values()), deadline_at)
            for key in self._settled(pending, results, deadline_at):
                del pending[key]
            lost = self._lost_shards(tasks, pending)
            for key in [key for key in pending if tasks[key].shard in lost]:
                pending[key].cancel()
                pending[key] = self._submit(tasks[key])
            if pending and time.monotonic() >= deadline_at:
                return self._past_deadline(tasks, pending, results, deadline, allow_partial)
        return results, 1.0

    def run_in_order(self, calls: Iterable[dict], deadline: float, ahead: int = 2) -> int:
        """Runs a stream of calls (each a {shard: Task}, at most one task per shard) so that
        each shard runs its tasks one at a time, in stream order, while different shards run
        at once and the next calls are drawn from `calls` (prepared) while the shards work:
        up to `ahead` calls wait per shard beyond the one running. Returns how many calls
        ran, once every task finished. Failures are handled as in run(); Unavailable when no
        task finished for `deadline` seconds."""
        stream = iter(calls)
        queues: dict = collections.defaultdict(collections.deque)  # shard -> (key, Task)
        tasks: dict = {}
        pending: dict = {}
        drawn, exhausted = 0, False
        deadline_at = time.monotonic() + deadline
        while True:
            busy = {tasks[key].shard for key in pending}
            ready = {}
            for shard, queue in queues.items():
                if queue and shard not in busy:
                    key, task = queue.popleft()
                    ready[key] = task
            pending.update(self._submit_all(ready))
            while not exhausted and max(map(len, queues.values()), default=0) < ahead:
                call = next(stream, None)
                if call is None:
                    exhausted = True
                    break
                for shard, task in call.items():
                    key = (drawn, shard)
                    tasks[key] = task
                    queues[shard].append((key, task))
                drawn += 1
                if not pending:
                    break  # nothing running yet: send this call before preparing the next
            if not pending:
                if exhausted and not any(queues.values()):
                    return drawn
                continue  # send what was drawn (or draw more: that call had no rows)
            self._wait(list(pending.values()), deadline_at, "FIRST_COMPLETED")
            results: dict = {}
            for key in self._settled(pending, results, deadline_at):
                del pending[key]
                del tasks[key]  # and its rows: a long stream must not keep every batch
                deadline_at = time.monotonic() + deadline
            lost = self._lost_shards(tasks, pending)
            for key in [key for key in pending if tasks[key].shard in lost]:
                pending[key].cancel()
                pending[key] = self._submit(tasks[key])
            if pending and time.monotonic() >= deadline_at:
                self._past_deadline(tasks, pending, results, deadline, False)

    def _wait(self, futures: list, deadline_at: float, return_when: str = "ALL_COMPLETED"):
        timeout = max(0.0, min(_POLL_SECONDS, deadline_at - time.monotonic()))
        try:
            distributed.wait(futures, timeout=timeout, return_when=return_when)
        except Exception:  # timed out, or a future was cancelled: the statuses tell which
            pass

    def _settled(self, pending: dict, results: dict, deadline_at: float) -> list:
        """The keys whose futures finished and whose results arrived; raises a task's own
        error. A result held by a worker that died before handing it over never arrives
        (Dask reschedules the task): that key stays pending, to be sent again."""
        finished = [key for key, future in pending.items() if future.status == "finished"]
        timeout = min(max(_POLL_SECONDS, deadline_at - time.monotonic()), _GATHER_SECONDS)
        settled = self._gathered(pending, finished, results, timeout)
        for key, future in pending.items():
            if future.status == "error":
                error = future.exception()
                if isinstance(error, _shard.StaleOwner) and self.reload():
                    continue  # sent again below, to the owner the new map names
                if type(error).__name__ not in _LOST:
                    self._cancel(pending)
                    raise error
        return settled

    def _gathered(self, pending: dict, finished: list, results: dict, timeout: float) -> list:
        """Fetches the results of the `finished` keys into `results`, all in one request (one
        round trip, not one per shard); when that times out (a worker died holding one), key
        by key, so that only the lost ones stay pending. Returns the keys fetched."""
        if not finished:
            return []
        futures = [pending[key] for key in finished]
        try:
            values = self.client.sync(self.client._gather, futures, callback_timeout=timeout)
        except _NOT_FETCHED:  # timed out, or a future was lost since: key by key tells which
            values = None
        if values is not None:
            results.update(zip(finished, values))
            return finished
        fetched = []
        for key, future in zip(finished, futures):
            try:
                results[key] = future.result(timeout=timeout)
            except _NOT_FETCHED:  # stays pending; its status is handled by the caller
                continue
            fetched.append(key)
        return fetched

    def _lost_shards(self, tasks: dict, pending: dict) -> set:
        """The shards of pending tasks that must be sent again: their owner left the cluster,
        their future erred by losing it, or a newer map moved them."""
        if not pending:
            return set()
        troubled = any(f.status in ("error", "cancelled", "lost") for f in pending.values())
        if not troubled and time.monotonic() - self._checked_at < _POLL_SECONDS:
            return set()  # asking the scheduler at every finished task costs a round trip
        self._checked_at = time.monotonic()
        live = self.live_workers()
        lost = set()
        for key, future in pending.items():
            shard = tasks[key].shard
            placement = self.map.shards[shard]
            if placement.owner not in live:
                self.move(shard, live)
                lost.add(shard)
            elif future.status in ("error", "cancelled", "lost"):
                if future.status != "error" or type(future.exception()).__name__ in _LOST:
                    self.move(shard, live)
                lost.add(shard)
        return lost

    def _past_deadline(self, tasks: dict, pending: dict, results: dict, deadline: float,
                       allow_partial: bool) -> tuple:
        self._cancel(pending)
        shards = sorted({tasks[key].shard for key in pending})
        if allow_partial:
            answered = len(tasks) - len(pending)
            return results, answered / len(tasks)
        owners = ", ".join(f"{s} on {self.map.shards[s].owner}" for s in shards)
        raise Unavailable(f"expected every shard to answer within {deadline:g} s; shards "
                          f"{owners} did not")

    def _cancel(self, pending: dict) -> None:
        for future in pending.values():
            future.cancel()

    def run_everywhere(self, fn: Callable, *args: Any) -> dict:
        """fn(*args) on every live worker (client.run): {address: result}."""
        return self.client.run(fn, *args)
