"""Handing work to workers. Dask distributed does the scheduling: locally a ``LocalCluster`` of worker
processes on the loopback address (one thread each, so one pose graph each), or an existing cluster
given by its scheduler's address. ``in_process`` runs the same worker function here, one file after
another (``formcheck eval`` without --jobs). No scheduler of our own: we only keep as many files in
flight as there are worker threads, so the ones in hand are known and results come back as they finish."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from formcheck.errors import FormcheckError

Item = TypeVar("Item")
# An orphaned worker (its parent killed) gives up this long after losing the scheduler.
WORKER_DEATH_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 15


def default_jobs() -> int:
    """One worker per usable core (each worker's pose model then runs on one thread)."""
    from formcheck.pose import usable_cores

    return usable_cores()


class Engine:
    """``with Engine(jobs=2) as engine: for item, result, error in engine.run(fn, items): ...``"""

    def __init__(
        self,
        jobs: int | None = None,
        cluster: str | None = None,
        in_process: bool = False,
        pose_threads: int | None = None,
    ) -> None:
        if jobs is not None and jobs < 1:
            raise FormcheckError(f"--jobs {jobs}: give 1 or more worker processes.")
        if pose_threads is not None and pose_threads < 1:
            raise FormcheckError(f"--pose-threads {pose_threads}: give 1 or more threads.")
        self.jobs = jobs
        self.pose_threads = pose_threads  # each local worker's model (default: the cores shared out)
        self.cluster_address = cluster
        self.in_process = in_process and cluster is None
        self.slots = 1
        self.description = "this process"
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> Engine:
        if self.in_process:
            return self
        from distributed import Client, LocalCluster

        if self.cluster_address:
            try:
                self._client = Client(self.cluster_address, timeout=f"{CONNECT_TIMEOUT_S}s")
            except (OSError, TimeoutError) as exc:
                raise FormcheckError(
                    f"Cannot reach the Dask scheduler at {self.cluster_address} ({exc}); check the address "
                    f"(tcp://HOST:PORT) or leave out --cluster to use this machine's cores."
                ) from exc
            threads = sum(self._client.nthreads().values())
            if threads == 0:
                self._client.close()
                raise FormcheckError(
                    f"The Dask cluster at {self.cluster_address} has no workers; start some with "
                    f"'dask worker {self.cluster_address} --nthreads 1'."
                )
            self.slots = min(self.jobs, threads) if self.jobs else threads
            self.description = f"the Dask cluster at {self.cluster_address} ({threads} worker threads)"
        else:
            from formcheck.batch.worker import POSE_THREADS_ENV
            from formcheck.pose import default_inference_threads

            n = self.jobs or default_jobs()
            threads = self.pose_threads or default_inference_threads(processes=n)
            self._cluster = LocalCluster(
                n_workers=n,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=":0",  # on the loopback host, any free port: never a clash
                silence_logs=logging.ERROR,
                death_timeout=WORKER_DEATH_TIMEOUT_S,
                # the cores shared out among the workers' pose models (each a process of its own)
                env={POSE_THREADS_ENV: str(threads)},
            )
            self._client = Client(self._cluster)
            self.slots = n
            self.description = (
                f"{n} worker process{'es' if n > 1 else ''} on this machine, "
                f"the pose model on {threads} thread{'s' if threads > 1 else ''} in each"
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def worker_count(self) -> int:
        return self.slots

    def run(
        self,
        fn: Callable[[Item], Any],
        items: Iterable[Item],
        on_start: Callable[[Item], None] | None = None,
    ) -> Iterator[tuple[Item, Any, BaseException | None]]:
        """Run ``fn`` on every item; yields (item, result, None) or (item, None, error) as each ends.

        At most ``slots`` items are in flight; ``on_start`` is told when one is handed out."""
        if self.in_process:
            for item in items:
                if on_start is not None:
                    on_start(item)
                try:
                    yield item, fn(item), None
                except Exception as exc:  # noqa: BLE001 (the caller decides; the same as from a worker)
                    yield item, None, exc
            return
        yield from self._run_dask(fn, iter(items), on_start)

    def _run_dask(
        self, fn: Callable[[Item], Any], todo: Iterator[Item], on_start: Callable[[Item], None] | None
    ) -> Iterator[tuple[Item, Any, BaseException | None]]:
        from distributed import as_completed

        client = self._client
        in_flight: dict[str, Item] = {}
        finished = as_completed()

        def hand_out() -> bool:
            item = next(todo, None)
            if item is None:
                return False
            future = client.submit(fn, item, pure=False)
            in_flight[future.key] = item
            finished.add(future)
            if on_start is not None:
                on_start(item)
            return True

        for _ in range(self.slots):
            if not hand_out():
                break
        for future in finished:
            item = in_flight.pop(future.key)
            try:
                result, error = future.result(), None
            except Exception as exc:  # noqa: BLE001 (a worker that died, or the task's own error)
                result, error = None, exc
            future.release()
            hand_out()
            yield item, result, error
