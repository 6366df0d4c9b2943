"""The engine's products run on one BLAS thread, set by the engine itself (issue 11).

Seen from inside the product (the code that runs between the limit and the matrix product
reports what threadpoolctl sees), for ``conv2d`` on both of its paths, ``dense`` and the
playground's pipeline; the caller's thread count is back afterwards, also after an error. The
app's process runs BLAS on one thread throughout; ONNX Runtime's sessions never spin.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import engine.operations.conv as conv_module
import engine.operations.layers as layers_module
from engine import conv2d, dense
from engine.animation.playground import run_pipeline
from engine.lessons.registry import lesson
from engine.network.model import OnnxModel
from engine.operations.blas_threads import (
    blas_libraries,
    blas_threads,
    on_one_blas_thread,
    one_blas_thread_for_this_process,
)

ROOT = Path(__file__).resolve().parent.parent


def blas_counts() -> list[int]:
    """Every loaded BLAS library's thread count, as threadpoolctl reports it."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_threads():
    """The caller's BLAS on two threads (as a notebook on a 2-core laptop has it)."""
    assert blas_libraries(), "NumPy's BLAS is found"
    with threadpool_limits(2, user_api="blas"):
        yield blas_counts()


def spy_on(monkeypatch, module, name: str) -> list[list[int]]:
    """Record the BLAS thread counts whenever ``module.name`` runs."""
    seen: list[list[int]] = []
    original = getattr(module, name)

    def spy(*args, **kwargs):
        seen.append(blas_counts())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)
    return seen


def test_conv2d_multiplies_on_one_blas_thread(two_threads, monkeypatch) -> None:
    one_channel = spy_on(monkeypatch, conv_module, "im2col")
    channels = spy_on(monkeypatch, conv_module, "_run_by_kernel_rows")
    rng = np.random.default_rng(0)
    conv2d(rng.random((14, 14)), rng.random((3, 3)))
    conv2d(rng.random((14, 14, 32)), rng.random((3, 3, 32, 64)), padding="same")
    assert one_channel == [[1] * len(two_threads)]
    assert channels == [[1] * len(two_threads)]
    assert blas_counts() == two_threads  # the caller's threads are back


def test_dense_and_the_pipeline_too(two_threads, monkeypatch) -> None:
    seen = spy_on(monkeypatch, layers_module, "as_float_array")
    dense(np.ones(10), np.ones((10, 3)))
    assert seen and all(counts == [1] * len(two_threads) for counts in seen)
    inside = spy_on(monkeypatch, conv_module, "im2col")
    run_pipeline(lesson("six-by-six").spec)
    assert inside == [[1] * len(two_threads)]
    assert blas_counts() == two_threads


def test_nested_calls_and_errors_give_the_threads_back(two_threads) -> None:
    @on_one_blas_thread
    def outer() -> tuple[int | None, int | None]:
        first = blas_threads()
        conv2d(np.ones((4, 4)), np.ones((2, 2)))  # nested: still one thread afterwards
        return first, blas_threads()

    assert outer() == (1, 1)
    assert blas_counts() == two_threads
    with pytest.raises(ValueError, match="kernel"):
        conv2d(np.ones((2, 2)), np.ones((3, 3)))
    assert blas_counts() == two_threads

    @on_one_blas_thread
    def failing() -> None:
        raise RuntimeError("inside")

    with pytest.raises(RuntimeError, match="inside"):
        failing()
    assert blas_counts() == two_threads


def test_the_app_sets_its_whole_process_to_one_blas_thread(two_threads) -> None:
    one_blas_thread_for_this_process()
    assert blas_counts() == [1] * len(two_threads)
    conv2d(np.ones((4, 4)), np.ones((2, 2)))
    assert blas_counts() == [1] * len(two_threads)  # and the engine leaves it so


def test_make_application_runs_blas_on_one_thread(tmp_path) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from threadpoolctl import threadpool_info; "
        "from gui.app import make_application; make_application(); "
        "print([i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'])"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", OPENBLAS_NUM_THREADS="2")
    env["CNN_VISUALIZER_SETTINGS_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1]"


def test_onnx_runtime_threads_never_spin() -> None:
    model = OnnxModel(None)
    for session in (model._session, model._inspector):
        options = session.get_session_options()
        assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
        assert options.get_session_config_entry("session.inter_op.allow_spinning") == "0"
        assert options.intra_op_num_threads == 1
