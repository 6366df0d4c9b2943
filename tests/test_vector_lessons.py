"""The shipped lessons of issue 15 are what tests/vector_lesson_files.py makes, and their numbers.

Each lesson file in engine/lessons/data is compared with the lesson its function builds, saved
the same way (so a hand edit, or a change in the engine's number rule that the notes would
show, fails here). The one-layer network's weights come from a training run that is not
shipped: the test takes them from the file and measures their accuracy on the MNIST test set
instead, which the note states. The softmax lesson's logits are checked against the shipped
CNN today. The decks' golden numbers are checked in the engine: 6600 and 0, −log 0.9, the KTH
network's shapes and parameter counts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pytest

from engine.animation.playground import run_pipeline
from engine.lessons.file_format import save_lesson
from engine.lessons.registry import DATA_DIR, lesson
from engine.lessons.worked import lesson_animation
from tests import vector_lesson_files as made

if TYPE_CHECKING:
    from pathlib import Path


def saved(item, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{item.id}.json"
    save_lesson(path, item)
    return path.read_text(encoding="utf-8")


def shipped(lesson_id: str) -> str:
    return (DATA_DIR / f"{lesson_id}.json").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "build",
    [made.curve_detector, made.fully_connected_x_or_o, made.cross_entropy, made.shapes_kth],
    ids=lambda f: f.__name__,
)
def test_the_shipped_file_is_what_its_function_makes(build, tmp_path: Path) -> None:
    item = build()
    assert saved(item, tmp_path) == shipped(item.id)


def test_the_softmax_lessons_logits_are_the_shipped_cnns(mnist_npz: Path, tmp_path: Path) -> None:
    item = made.softmax_lesson(mnist_npz)
    assert saved(item, tmp_path) == shipped("softmax")
    logits = np.asarray(lesson("softmax").vector.values)
    image, label = made.mnist_test_digit(mnist_npz, made.SOFTMAX_DIGIT)
    np.testing.assert_allclose(made.cnn_logits(image), logits, rtol=1e-6, atol=1e-6)
    assert label == 6 and int(np.argmax(logits)) == 6
    assert int(np.argsort(logits)[-2]) == 0  # "a 6 the CNN finds a little like a 0"


def test_the_one_layer_network_is_trained_and_its_note_is_true(
    mnist_npz: Path, tmp_path: Path
) -> None:
    spec = lesson("one-layer-mnist").vector
    weights, bias = np.asarray(spec.weights), np.asarray(spec.bias)
    assert weights.shape == (784, 10) and bias.shape == (10,)
    np.testing.assert_array_equal(made.significant(weights), weights)  # 3 significant digits
    item = made.one_layer_mnist(weights, bias, mnist_npz)
    assert saved(item, tmp_path) == shipped("one-layer-mnist")
    right, total = made.mnist_accuracy(weights, bias, mnist_npz)
    assert total == 10_000 and right / total >= 0.92
    assert f"({right:,})" in " ".join(item.notes)
    image, label = made.mnist_test_digit(mnist_npz, made.MNIST_DIGIT)
    np.testing.assert_array_equal(np.asarray(spec.maps)[:, :, 0], image)
    assert spec.label == label == 6 and spec.learning_rate == made.SGD_RATE


def test_curve_detector_gives_6600_where_the_curve_is_and_0_where_it_is_not() -> None:
    item = lesson("curve-detector")
    result = run_pipeline(item.convolution)
    np.testing.assert_array_equal(result.feature_maps[:, :, 0], [[6600, 0]])
    field = made.CURVE_FIELD * made.CURVE_FILTER
    assert sorted(field[field != 0].tolist()) == [600, 1500, 1500, 1500, 1500]  # the slide's
    assert (made.NO_CURVE_FIELD * made.CURVE_FILTER).sum() == 0


def test_x_wins_on_the_x_and_o_on_the_o() -> None:
    x_votes, o_votes = made.x_or_o_votes(), made.x_or_o_votes(made.O_IMAGE)
    assert x_votes[0] > x_votes[1] and o_votes[1] > o_votes[0]
    result = lesson_animation(lesson("fully-connected-x-or-o")).result
    np.testing.assert_allclose(result.logits, x_votes)


def test_cross_entropy_is_minus_log_point_nine() -> None:
    result = lesson_animation(lesson("cross-entropy")).result
    assert result.loss == pytest.approx(-math.log(0.9), rel=1e-12)
    assert round(result.loss, 3) == 0.105


def test_the_kth_shapes_and_parameter_counts() -> None:
    shapes = lesson_animation(lesson("shapes-kth")).result.shapes
    assert [s.output_shape for s in shapes] == [
        (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (1024,), (10,),
    ]  # fmt: skip
    assert [s.params for s in shapes] == [832, 0, 51_264, 0, 0, 3_212_288, 10_250]
