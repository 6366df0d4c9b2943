"""The engine's matrix products run on one BLAS thread, whoever calls the engine.

OpenBLAS uses every core by default, and its waiting threads spin. Beside another busy
process on a 2-core laptop (a browser, a video call, the training child) two spinning pools
starve each other: issue 11 measured the 14x14x32 → 64 convolution at 53 µs alone and
16–24 ms (median) beside a process multiplying small matrices on two threads, against 79 µs
alone and 77–87 µs beside it with one BLAS thread. So ``on_one_blas_thread`` wraps the
engine's products (``run_conv``, ``dense``): the process's BLAS libraries are set to one
thread on the way in and put back on the way out, so that ``from engine import conv2d`` in a
notebook or a test behaves like the app, and the caller's own NumPy keeps its threads. The app
itself sets its whole process to one BLAS thread (``one_blas_thread_for_this_process``): it
does more NumPy than the engine's products.

The libraries are found once (threadpoolctl's ``ThreadpoolController``, imported and run on
the first product: about 10 ms). After that a call costs one ``get_num_threads`` per library
when BLAS already runs on one thread, and two ``set_num_threads`` more when it does not: 2.4
and 8 µs per call on the 2-core development machine under load (``benchmarks/bench_busy.py``
prints the figures), against 170 µs for the 14x14x32 → 64 convolution. A nested call (a
convolution inside a pipeline) does nothing more.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable

    from threadpoolctl import LibController

P = ParamSpec("P")
R = TypeVar("R")


class _OneThread(threading.local):
    """Per Python thread: how deep in limited calls it is, and what to restore at the end."""

    def __init__(self) -> None:
        self.depth = 0
        self.restore: list[tuple[LibController, int]] = []


_LOCAL = _OneThread()
_LIBRARIES: list[tuple[LibController, ...]] = []
_FOUND = threading.Lock()


def blas_libraries() -> tuple[LibController, ...]:
    """The BLAS libraries loaded in this process (found once, by threadpoolctl)."""
    if not _LIBRARIES:
        with _FOUND:
            if not _LIBRARIES:
                # NumPy loads its BLAS when imported: find the libraries only after that, or
                # an early caller (the app, before it imports NumPy) would cache none.
                import numpy  # noqa: F401
                from threadpoolctl import ThreadpoolController  # on the first product only

                found = ThreadpoolController().select(user_api="blas").lib_controllers
                _LIBRARIES.append(tuple(found))
    return _LIBRARIES[0]


def enter_one_thread() -> None:
    """Set every BLAS library to one thread (nested calls only count); see ``leave``."""
    local = _LOCAL
    local.depth += 1
    if local.depth > 1:
        return
    restore = []
    for library in blas_libraries():
        threads = library.get_num_threads()
        if threads is not None and threads != 1:
            library.set_num_threads(1)
            restore.append((library, threads))
    local.restore = restore


def leave_one_thread() -> None:
    """Undo the outermost ``enter_one_thread``: each library gets its thread count back."""
    local = _LOCAL
    local.depth -= 1
    if local.depth == 0 and local.restore:
        for library, threads in local.restore:
            library.set_num_threads(threads)
        local.restore = []


def on_one_blas_thread(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` with BLAS on one thread (see the module docstring)."""

    @functools.wraps(function)
    def limited(*args: P.args, **kwargs: P.kwargs) -> R:
        enter_one_thread()
        try:
            return function(*args, **kwargs)
        finally:
            leave_one_thread()

    return limited


def one_blas_thread_for_this_process() -> None:
    """Set every BLAS library of the process to one thread for good (the app calls it).

    The GUI process does more NumPy than the engine's products (preparing a drawing,
    pyqtgraph's images); on one thread none of it spins against a busy neighbour, and the
    engine's own limit then costs one ``get_num_threads`` per call.
    """
    for library in blas_libraries():
        if library.get_num_threads() not in (None, 1):
            library.set_num_threads(1)


def blas_threads() -> int | None:
    """The thread count of the first BLAS library, None without one (for tests and tables)."""
    libraries = blas_libraries()
    return libraries[0].get_num_threads() if libraries else None
