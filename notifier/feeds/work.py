"""The CPU work of a poll (parsing feeds, extracting figures) in worker processes.

Parsing a feed and extracting an item's figures are pure Python, about 1.5 ms
an item all told. Run on the event loop, or in threads that hold the GIL,
they keep it from reading the answers of the requests in flight (requests then
time out) and they use one core, however many the machine has. So they run in
a process pool, one worker per core, and the event loop only waits for them.

The pool is made on first use and kept for the life of the process, so a
daemon (or a test session) pays for starting the workers once. Workers are
forked from a server that has already imported the parser and the extractor
(`forkserver`): never from the running process, whose threads (the event
loop's executor, the logging locks) a fork could copy mid-lock.

What a worker logs is sent back with its answer and logged here, under the
same logger name, so the operator's log and its level apply as before.
`workers = 0` (`fetch.workers`) runs the same work in threads of this process.
"""

from __future__ import annotations

import asyncio
import atexit
import heapq
import itertools
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import partial

from notifier import extract as extraction  # its `extract` is imported on first use
from notifier.errors import FeedError
from notifier.extract.models import Report
from notifier.feeds.parse import parse_feed
from notifier.models import Item

_EXTRACT, _PARSE = 0, 1
"""Job priorities: extracting a parsed feed's items comes before parsing the next feed."""
logger = logging.getLogger(__name__)


def cores() -> int:
    """The cores this process may run on (its affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


class WorkerDiedError(FeedError):
    """A worker process ended in the middle of a job; the pool is made anew for the next."""


@dataclass(frozen=True, slots=True)
class Extracted:
    """One item's extraction: its report, or the traceback of the bug it tripped."""

    report: Report | None
    error: str | None = None


@dataclass(slots=True)
class _Answer:
    """What a worker sends back: the value or the exception, and the log records it made."""

    value: object = None
    error: BaseException | None = None
    records: list[logging.LogRecord] = field(default_factory=list)


class _Collect(logging.Handler):
    """Keeps a worker's log records, made picklable, to be logged by the parent."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg = record.getMessage()
        record.args = None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.exc_info = None
        self.records.append(record)


def _in_worker(level: int, job: Callable[[], object]) -> _Answer:
    """Run `job` in a worker, its log records at `level` and above collected for the parent."""
    root = logging.getLogger()
    collect = _Collect()
    root.addHandler(collect)
    root.setLevel(level)
    try:
        return _Answer(value=job(), records=collect.records)
    except Exception as e:  # noqa: BLE001 - sent to the parent, which raises it there
        return _Answer(error=e, records=collect.records)
    finally:
        root.removeHandler(collect)


def _parse(
    fingerprint: Callable[[Item], str] | None,
    feed_name: str,
    body: bytes,
    *,
    content_type: str | None,
    url: str,
    deadline: float,
) -> tuple[list[Item], dict[str, str]]:
    items = parse_feed(feed_name, body, content_type=content_type, url=url, deadline=deadline)
    if fingerprint is None:
        return items, {}
    return items, {item.guid: fingerprint(item) for item in items}


def extract_items(items: Sequence[Item]) -> list[Extracted]:
    """The report of each item's title and text; a bug on one item is that item's error only."""
    done: list[Extracted] = []
    for item in items:
        try:
            done.append(Extracted(extraction.extract(f"{item.title}\n\n{item.text}")))
        except Exception:  # noqa: BLE001 - an extractor bug: the caller logs it and skips the item
            done.append(Extracted(None, traceback.format_exc()))
    return done


def _warm() -> None:
    """Load the extractor's data (gazetteer, language model) before the first item needs it."""
    extraction.extract("Floods displaced 1,000 people in Sindh, Pakistan.")


class Workers:
    """Parsing and extraction off the event loop: in `count` processes, or threads when 0.

    At most one job more than there are workers is handed to the pool at a time;
    the others wait here, extractions before parses. The pool's own queue is
    first come, first served: the parses of every feed fetched in the first
    second would run before the first extraction, and every parsed item would
    wait in memory until then. This way a feed's items are extracted (and can
    be stored) soon after they were parsed.
    """

    def __init__(self, count: int, fingerprint: Callable[[Item], str] | None = None) -> None:
        self.count = count
        self.fingerprint = fingerprint
        """Computed for each parsed item in the workers too (the store's content hash: as
        costly as extracting an item, and it would otherwise be done on the event loop)."""
        self._fingerprints: dict[str, dict[str, str]] = {}
        self._free = max(count, 1) + 1
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._started = False

    def start(self) -> None:
        """Start the workers (and load the extractor's data) if not yet.

        Called by the first parse, or earlier by a poll that knows it will parse
        (a feed it has no validators for). Not always at once: a poll whose feeds
        all answer 304 has nothing to parse, and starting the workers (each loads
        the extractor, a CPU second on this 2-core machine) would slow its digest.
        """
        if self.count and not self._started:
            self._started = True
            pool = _pool(self.count)
            for _ in range(self.count):
                pool.submit(_in_worker, logging.WARNING, _warm)

    async def parse(
        self, feed_name: str, body: bytes, *, content_type: str | None, url: str, deadline: float
    ) -> list[Item]:
        """`parse_feed` of one answer; FeedError when it is not a feed (or the worker died).

        The items' fingerprints wait in `fingerprints(feed_name)`.
        """
        self.start()
        job = partial(
            _parse,
            self.fingerprint,
            feed_name,
            body,
            content_type=content_type,
            url=url,
            deadline=deadline,
        )
        try:
            parsed = await self._run(job, _PARSE)
        except WorkerDiedError as e:
            raise FeedError(f"feed {feed_name!r}: {e}") from e
        assert isinstance(parsed, tuple)  # noqa: S101 - _parse's type, through pickling
        items: list[Item] = parsed[0]
        if self.fingerprint is not None:
            self._fingerprints[feed_name] = parsed[1]
        return items

    def fingerprints(self, feed_name: str) -> dict[str, str]:
        """Fingerprints of the items of `feed_name` parsed last, by guid; forgotten once read."""
        return self._fingerprints.pop(feed_name, {})

    async def extract(self, items: Sequence[Item]) -> list[Extracted]:
        """`extract_items` of these items, off the event loop."""
        if not items:
            return []
        done = await self._run(partial(extract_items, list(items)), _EXTRACT)
        assert isinstance(done, list)  # noqa: S101 - extract_items' type, through pickling
        return done

    async def _run(self, job: Callable[[], object], priority: int) -> object:
        await self._slot(priority)
        try:
            return await self._submit(job)
        finally:
            self._release()

    async def _slot(self, priority: int) -> None:
        """Wait for a free slot; the waiter of the lowest `priority` number is served first."""
        if self._free and not self._waiting:
            self._free -= 1
            return
        ready = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (priority, next(self._seq), ready))
        try:
            await ready
        except asyncio.CancelledError:
            if ready.done() and not ready.cancelled():
                self._release()  # handed the slot just as it was cancelled: pass it on
            raise

    def _release(self) -> None:
        while self._waiting:
            ready = heapq.heappop(self._waiting)[2]
            if not ready.done():
                ready.set_result(None)
                return
        self._free += 1

    async def _submit(self, job: Callable[[], object]) -> object:
        if not self.count:
            return await asyncio.to_thread(job)
        level = logging.getLogger().getEffectiveLevel()
        try:
            answer = await asyncio.wrap_future(_pool(self.count).submit(_in_worker, level, job))
        except BrokenProcessPool as e:
            _discard(self.count)
            raise WorkerDiedError(
                "a worker process died (out of memory, or killed); "
                "it will be tried again on the next poll"
            ) from e
        for record in answer.records:
            log = logging.getLogger(record.name)
            if log.isEnabledFor(record.levelno) and _first_time(record):
                log.handle(record)
        if answer.error is not None:
            raise answer.error
        return answer.value


_said: set[str] = set()
_ONCE = "notifier.feeds.parse"
"""The logger whose warnings (a dropped entry) are said once per process: each worker says
them once, and every worker may meet the same broken entry."""


def _first_time(record: logging.LogRecord) -> bool:
    if record.name != _ONCE:
        return True
    text = str(record.msg)
    if text in _said:
        return False
    if len(_said) < 10_000:
        _said.add(text)
    return True


_pools: dict[int, ProcessPoolExecutor] = {}
_lock = threading.Lock()


def _pool(count: int) -> ProcessPoolExecutor:
    """The process-wide pool of `count` workers, made on first use."""
    with _lock:
        pool = _pools.get(count)
        if pool is None:
            context: multiprocessing.context.BaseContext
            if "forkserver" in multiprocessing.get_all_start_methods():
                server = multiprocessing.get_context("forkserver")
                # The workers' server imports the extractor once; this process never needs it.
                server.set_forkserver_preload([__name__, "notifier.extract.pipeline"])
                context = server
            else:  # pragma: no cover - Windows: each worker imports what it needs itself
                context = multiprocessing.get_context("spawn")
            pool = _pools[count] = ProcessPoolExecutor(
                count, mp_context=context, initializer=_watch, initargs=(os.getpid(),)
            )
        return pool


def _watch(parent: int) -> None:
    """In each worker: end when the process that made the pool is gone.

    A pool's workers end when it is shut down, but not when their parent is killed
    outright (SIGKILL, the OOM killer): each worker holds both ends of its own job
    queue and never sees it close, and the fork server lives as long as its workers.
    Without this, every run killed under cron would leave three idle processes.
    """

    def check() -> None:
        while True:
            time.sleep(1)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pragma: no cover - the pid went to another user
                os._exit(0)

    threading.Thread(target=check, name="notifier-parent-watch", daemon=True).start()


def _discard(count: int) -> None:
    """Forget a broken pool, so the next job starts a new one."""
    with _lock:
        pool = _pools.pop(count, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


@atexit.register
def _stop() -> None:  # pragma: no cover - runs at interpreter exit
    with _lock:
        pools = list(_pools.values())
        _pools.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)
