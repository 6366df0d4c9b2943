"""Keep the GUI's own BLAS threads from competing with a training child for the CPU.

While a run trains, the GUI process needs little arithmetic; its BLAS (OpenBLAS, MKL) is
limited to one thread with threadpoolctl so that idle worker threads do not spin on the cores
the trainer uses (the app lets OpenBLAS use every core otherwise). The limit is lifted when
the run ends.
"""

from __future__ import annotations

from typing import Any

from threadpoolctl import threadpool_limits

GUI_BLAS_THREADS = 1


class BlasThreadLimit:
    """Limits BLAS to one thread between `apply` and `release` (both safe to repeat)."""

    def __init__(self) -> None:
        self._limits: Any = None

    @property
    def active(self) -> bool:
        """True while the limit applies."""
        return self._limits is not None

    def apply(self) -> None:
        """Limit BLAS to one thread (until `release`)."""
        if self._limits is None:
            self._limits = threadpool_limits(limits=GUI_BLAS_THREADS, user_api="blas")

    def release(self) -> None:
        """Give BLAS back the threads it had."""
        if self._limits is not None:
            self._limits.restore_original_limits()
            self._limits = None
