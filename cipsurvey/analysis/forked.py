"""Part of a large plan computed in a forked copy of the process, on the second core.

A plan's analyses spend much of their time in Python (building tables, fitting models), so
two threads share one interpreter lock and gain little. A forked child has its own
interpreter and the wave already in memory (copy-on-write: nothing is copied or pickled
on the way in). Analyses that share a narrow frame (a table and its figure, the tests of
one subset) form a group, computed whole in one process, so they still share their work.
The parent computes the figures' groups first (a caller may be drawing them), then parent
and child take the remaining groups one at a time from a shared counter. The child sends
each result back pickled over a pipe.

Whatever goes wrong in the child (it cannot fork, dies, hangs, a result will not pickle)
costs only time: the parent computes every analysis it did not get back. Forking is used
on Linux only (macOS's system libraries are not safe to use after fork).
"""

from __future__ import annotations

import gc
import itertools
import os
import pickle
import queue
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Hashable

from .results import Result

# after the parent's own share, how long the child may still take: this many times the
# parent's time, plus a margin (the shares are about even, so a healthy child is done long
# before)
PATIENCE, MARGIN = 3.0, 10.0


def available() -> bool:
    """Whether a second process can be forked here (Linux only)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def run(order: list[int], key: Callable[[int], Hashable], parent_only: Callable[[int], bool],
        cost: Callable[[int], float], compute: Callable[[int], Result],
        child_compute: Callable[[int], Result], done: Callable[[int, Result], None]) -> bool:
    """Compute every analysis in ``order`` (indices), calling ``done(i, result)`` in this
    process for each, the parent's and the child's as they arrive; the child computes with
    ``child_compute`` (the same, without reporting progress). The shared groups are taken
    costliest first (by ``cost``, a rough guess), so that what is left at the end is
    short and both processes finish about together. False, with nothing computed, when
    no shared counter can be made (no shared memory): use threads."""
    try:
        from multiprocessing import Lock, RawValue

        counter = RawValue("i", 0)
        lock = Lock()
    except (ImportError, OSError):
        return False
    groups: dict[Hashable, list[int]] = {}
    for i in order:
        groups.setdefault(key(i), []).append(i)
    mine = [g for g in groups.values() if any(parent_only(i) for i in g)]
    shared = [g for g in groups.values() if not any(parent_only(i) for i in g)]
    shared.sort(key=lambda g: -sum(cost(i) for i in g))  # (stable: plan order on ties)

    def take() -> list[int] | None:
        with lock:
            k = counter.value
            if k >= len(shared):
                return None
            counter.value = k + 1
        return shared[k]

    got: dict[int, Result] = {}
    child = _fork(take, child_compute)
    started = time.perf_counter()
    try:
        for group in itertools.chain(mine, iter(take, None)):  # (taken one at a time)
            for i in group:
                got[i] = compute(i)
                done(i, got[i])
                if child is not None:
                    child.deliver(got, done)
        if child is not None:
            child.finish(got, done, PATIENCE * (time.perf_counter() - started) + MARGIN)
    except BaseException:  # (an interrupt, or the caller's callback failed): no orphan
        if child is not None:
            child.stop()
        raise
    for i in order:  # what the child claimed and did not send: computed here
        if i not in got:
            got[i] = compute(i)
            done(i, got[i])
    return True


class _Child:
    """The forked process, seen from the parent: its results arrive through a pipe."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid = pid
        self.ended = False  # everything it will send has been handed on
        self.inbox: queue.Queue[tuple[int, Result] | None] = queue.Queue()
        self.reader = threading.Thread(target=self._read, args=(pipe,), daemon=True)
        self.reader.start()

    def _read(self, pipe: int) -> None:
        try:  # pickles delimit themselves; None ends the stream
            with os.fdopen(pipe, "rb") as stream:
                while (item := pickle.load(stream)) is not None:
                    self.inbox.put(item)
        except Exception:  # the child died mid-message: the rest is computed by the parent
            pass
        finally:
            self.inbox.put(None)

    def deliver(self, got: dict[int, Result], done: Callable[[int, Result], None],
                timeout: float | None = None) -> bool:
        """Hand on what has arrived (waiting up to ``timeout`` for the end, if given);
        True once the child has sent everything it will send."""
        deadline = None if timeout is None else time.perf_counter() + timeout
        while not self.ended:
            try:
                if deadline is None:
                    item = self.inbox.get_nowait()
                else:
                    item = self.inbox.get(timeout=max(0.0, deadline - time.perf_counter()))
            except queue.Empty:
                return False
            if item is None:
                self.ended = True
                break
            i, result = item
            if i not in got:
                got[i] = result
                done(i, result)
        return True

    def finish(self, got: dict[int, Result], done: Callable[[int, Result], None],
               timeout: float) -> None:
        if not self.deliver(got, done, timeout):  # hung: stopped, its share done here
            self.stop()
        else:
            os.waitpid(self.pid, 0)

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


def _fork(take: Callable[[], list[int] | None],
          compute: Callable[[int], Result]) -> _Child | None:
    read, write = os.pipe()
    sys.stdout.flush()  # (or the child's copy of the buffers could be written twice)
    sys.stderr.flush()
    # the objects that exist now are left out of the child's garbage collections: a
    # collection writes to every object it visits, and each page written would be copied
    gc.freeze()
    pid = -1
    try:
        with warnings.catch_warnings():
            # Python 3.12+ warns that a fork of a threaded process may deadlock in the
            # child: here the child is watched and replaced by the parent if it does
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    finally:
        if pid != 0:
            gc.unfreeze()
    if pid == 0:  # the child: compute, send, and leave without running any exit handler
        os.close(read)
        code = 1
        try:
            _child(take, compute, write)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return _Child(pid, read)


def _child(take: Callable[[], list[int] | None], compute: Callable[[int], Result],
           pipe: int) -> None:
    with os.fdopen(pipe, "wb") as stream:
        for group in iter(take, None):
            for i in group:
                result = compute(i)
                try:  # pickled whole before anything is written: no half message
                    message = pickle.dumps((i, result), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # one that will not pickle is computed again by the parent
                    continue
                stream.write(message)
                stream.flush()
        pickle.dump(None, stream)
