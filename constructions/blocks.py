"""Thread parallelism for numpy work (one BLAS thread per worker): row blocks and independent tasks.

A feature map's work on n examples splits into independent row blocks: a matrix product, an
element-wise step (cos, LeakyReLU) and, for ridge regression, the block's share FᵦᵀFᵦ of the Gram.
numpy's BLAS threads only the products and runs the element-wise step on one core; here each of
``workers`` threads takes every ``workers``-th block with BLAS limited to one thread, so every step
runs on all cores and no idle BLAS thread spins against the element-wise work.

Results do not depend on thread timing: each worker's blocks are combined in block order, and the
workers' partial results in worker order. :func:`map_tasks` runs independent tasks (e.g. the
distillations of a table) the same way and returns their results in task order.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence, TypeVar

from threadpoolctl import threadpool_limits

T = TypeVar("T")
U = TypeVar("U")


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def row_blocks(n: int, rows_per_block: int) -> list[slice]:
    if rows_per_block < 1:
        raise ValueError(f"rows_per_block must be >= 1, got {rows_per_block}")
    return [slice(start, min(start + rows_per_block, n)) for start in range(0, n, rows_per_block)]


def _workers(workers: int | None) -> int:
    workers = default_workers() if workers is None else int(workers)
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    return workers


def map_blocks(work: Callable[[Sequence[slice]], T], blocks: Sequence[slice], workers: int | None = None) -> list[T]:
    """``work(blocks[w::workers])`` for each worker w, in threads with one BLAS thread each; the
    results in worker order (one thread and the caller's BLAS settings when ``workers`` is 1)."""
    workers = _workers(workers)
    shares = [blocks[w::workers] for w in range(min(workers, len(blocks)))]
    if len(shares) <= 1:
        return [work(share) for share in shares]
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(len(shares), thread_name_prefix="ddtheory-rows") as pool:
        return list(pool.map(work, shares))


def map_tasks(work: Callable[[T], U], tasks: Sequence[T], workers: int | None = None) -> list[U]:
    """``work(task)`` for every task, in ``workers`` threads with one BLAS thread each, a free thread
    taking the next task (so put the longest first); the results in task order. Tasks must not share
    mutable state, e.g. each draws from its own seeded generator. One worker runs them in order with
    the caller's BLAS settings."""
    workers = min(_workers(workers), max(len(tasks), 1))
    if workers == 1:
        return [work(task) for task in tasks]
    with threadpool_limits(1, "blas"), ThreadPoolExecutor(workers, thread_name_prefix="ddtheory-tasks") as pool:
        return list(pool.map(work, tasks))
