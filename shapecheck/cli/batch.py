"""Checking the files of one run: each through the cache, and in worker processes when there is
enough work to share (a pool costs more than checking a file or two).  Workers read the cache;
this process writes the new results, a batch per transaction.  The results come back in the order
of the files, whatever the number of workers."""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from ..results import FileResult

POOL_FILES = 16  # a pool for this many files or more,
POOL_BYTES = 256_000  # or for fewer, larger files (about 0.5 s of work)
WRITE_EVERY = 64  # new results per cache transaction

_worker_cache = None


def check_file(path: str, options: dict, cache=None) -> FileResult:
    """analyse_path's result for one file, from the cache when it holds it (then it is the same, and
    the analysis is not even imported)."""
    result, key = _lookup(path, options, cache)
    if key is not None:
        cache.put(key, result)
    return result


def _lookup(path: str, options: dict, cache) -> Tuple[FileResult, Optional[str]]:
    """The file's result, and the cache key to write it under when it is new (None when it came
    from the cache, or there is no cache)."""
    data = None if cache is None else _read(path)
    if data is None:
        from ..api import analyse_path

        return analyse_path(path, **options), None  # which says why a file cannot be read
    key = cache.key(path, data, options)
    result = cache.get(key)
    if result is not None and _still_valid(result, path, options):
        return result, None
    from ..api import analyse_bytes

    return analyse_bytes(data, path, **options), key


def _still_valid(result: FileResult, path: str, options: dict) -> bool:
    """A cached result that read other files of the project holds while they are unchanged."""
    if not result.depends or options.get("project") is None:
        return True
    from ..analysis.project_check import still_valid

    return still_valid(options["project"], path, result.depends)


def _read(path: str) -> Optional[bytes]:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


class _Writes:
    """New results on their way to the cache, written a batch at a time by this process alone
    (workers only read it: one writer, and a transaction per batch rather than per file)."""

    def __init__(self, cache):
        self.cache = cache
        self.pending: List[Tuple[str, FileResult]] = []

    def add(self, result: FileResult, key: Optional[str]) -> FileResult:
        if key is not None and self.cache is not None:
            self.pending.append((key, result))
            if len(self.pending) >= WRITE_EVERY:
                self.flush()
        return result

    def flush(self) -> None:
        if self.pending:
            self.cache.put_many(self.pending)
            self.pending = []


def check_files(paths: Sequence[str], options_for: Callable[[str], dict], jobs: int = 1,
                cache=None) -> List[FileResult]:
    tasks = [(path, options_for(path)) for path in paths]
    writes = _Writes(cache)
    try:
        if jobs > 1 and _worth_a_pool(paths):
            results = _in_pool(tasks, jobs, cache, writes)
            if results is not None:
                return results
        return [writes.add(*_settled(_lookup(path, options, cache))) for path, options in tasks]
    finally:
        writes.flush()
        gc.unfreeze()


def _settled(outcome):
    """After a check: its garbage collected, and what outlives it (the project's syntax trees and
    modules, kept for the next checks) set aside from the collector, which would otherwise walk
    them again and again (a third of the time on the torch package)."""
    gc.collect()
    gc.freeze()
    return outcome


def _worth_a_pool(paths: Sequence[str]) -> bool:
    if len(paths) < 2:
        return False
    if len(paths) >= POOL_FILES:
        return True
    return sum(_size(path) for path in paths) >= POOL_BYTES


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _in_pool(tasks: List[Tuple[str, dict]], jobs: int, cache, writes: _Writes) -> Optional[List[FileResult]]:
    """The results in the order of ``tasks``, handed out in batches (``_batches``); None when the
    pool broke (a worker killed), to check them here instead."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from .. import api  # noqa: F401  (imported before the workers fork, so that they start with it)

    results: List[Optional[FileResult]] = [None] * len(tasks)
    workers = min(jobs, len(tasks))
    batches = _batches([path for path, _ in tasks], max(1, min(32, len(tasks) // (workers * 4))))
    pool = ProcessPoolExecutor(workers, mp_context=_context(), initializer=_start_worker, initargs=(cache,))
    try:
        done = pool.map(_check_batch, [[tasks[i] for i in batch] for batch in batches])
        for batch, outcomes in zip(batches, done):
            for index, (result, key) in zip(batch, outcomes):
                results[index] = writes.add(result, key)
    except BrokenProcessPool:
        return None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results


BIG_FILE = 32_000  # bytes: a file this large is a batch of its own, handed out first


def _batches(paths: Sequence[str], most: int) -> List[List[int]]:
    """The files (indices into ``paths``) as the workers take them, ``most`` at a time at most
    (fewer round trips, still a fair share at the end): each big file alone, largest first, so
    that no worker is left with one at the end; then the others by where they live in their
    project (``project.home_of``), the largest group first: a worker checks a package and the
    scripts that import it together, so it reads and runs the modules they share once, not once
    in every worker."""
    from ..analysis.project import home_of

    sizes = [_size(path) for path in paths]
    big = sorted((i for i in range(len(paths)) if sizes[i] >= BIG_FILE), key=lambda i: -sizes[i])
    groups: dict = {}
    for i in sorted((i for i in range(len(paths)) if sizes[i] < BIG_FILE), key=lambda i: paths[i]):
        groups.setdefault(home_of(paths[i]), []).append(i)
    batches = [[i] for i in big]
    for group in sorted(groups.values(), key=lambda g: -sum(sizes[i] for i in g)):
        pieces = -(-len(group) // most)
        step = -(-len(group) // pieces)
        batches += [group[k:k + step] for k in range(0, len(group), step)]
    return batches


def _context():
    """fork where it is safe (Linux, one thread): the workers start with shapecheck already imported."""
    import multiprocessing
    import sys
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def _start_worker(cache) -> None:
    global _worker_cache
    _worker_cache = cache


def _check_batch(batch: List[Tuple[str, dict]]) -> List[Tuple[FileResult, Optional[str]]]:
    return [_settled(_lookup(path, options, _worker_cache)) for path, options in batch]
