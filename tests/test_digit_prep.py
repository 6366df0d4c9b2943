"""to_mnist: drawings of any size and place come out like MNIST digits (20 px, centred)."""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from engine import OnnxModel, to_mnist
from models import DEFAULT_MODEL_PATH

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

CENTRE = 14.0  # MNIST's own centre of mass (row, col), see engine/drawings/digit_prep.py


def draw(points: list[tuple[float, float]], width: float, size: int = 280) -> np.ndarray:
    """An anti-aliased polyline through (row, col) points on a blank size x size canvas."""
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
    distance = np.full((size, size), np.inf)
    for (r0, c0), (r1, c1) in pairwise(points):
        dr, dc = r1 - r0, c1 - c0
        t = ((rows - r0) * dr + (cols - c0) * dc) / max(dr * dr + dc * dc, 1e-12)
        t = np.clip(t, 0.0, 1.0)
        distance = np.minimum(distance, np.hypot(rows - r0 - t * dr, cols - c0 - t * dc))
    return np.clip(width / 2 + 0.5 - distance, 0.0, 1.0)


def zero(top: float, left: float, height: float, width: float, stroke: float) -> np.ndarray:
    """A ring ("0") whose ink fills the box (top, left, height, width)."""
    t = np.linspace(0, 2 * np.pi, 60)
    ry, rx = (height - stroke) / 2, (width - stroke) / 2
    points = [(top + height / 2 + ry * np.sin(a), left + width / 2 + rx * np.cos(a)) for a in t]
    return draw(points, stroke)


def seven(top: float, left: float, height: float, width: float, stroke: float) -> np.ndarray:
    """A "7": a bar along the top and a diagonal down to the bottom left; lopsided mass."""
    half = stroke / 2
    points = [
        (top + half, left + half),
        (top + half, left + width - half),
        (top + height - half, left + width * 0.3),
    ]
    return draw(points, stroke)


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    total = image.sum()
    rows = image.sum(axis=1) @ np.arange(image.shape[0]) / total
    cols = image.sum(axis=0) @ np.arange(image.shape[1]) / total
    return float(rows), float(cols)


def ink_box(image: np.ndarray, threshold: float = 0.05) -> tuple[int, int]:
    """(height, width) of the pixels above ``threshold``."""
    rows = np.flatnonzero((image > threshold).any(axis=1))
    cols = np.flatnonzero((image > threshold).any(axis=0))
    return int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


DRAWINGS = {
    "centred": (60, 80, 160, 120, 16),
    "off-centre top left": (4, 6, 100, 70, 10),
    "off-centre bottom right": (172, 195, 100, 80, 10),
    "small": (120, 130, 30, 22, 4),
    "large": (0, 0, 280, 200, 30),
    "thick": (40, 60, 200, 150, 50),
    "thin": (40, 60, 200, 150, 2),
}


@pytest.mark.parametrize("shape", [zero, seven])
@pytest.mark.parametrize("case", DRAWINGS)
def test_drawings_come_out_centred_and_20_px_tall(
    shape: Callable[..., np.ndarray], case: str
) -> None:
    canvas = shape(*DRAWINGS[case])
    digit = to_mnist(canvas)
    assert digit.shape == (28, 28)
    assert digit.dtype == np.float32
    assert digit.min() >= 0.0
    assert digit.max() == pytest.approx(1.0)
    row, col = centre_of_mass(digit)
    assert abs(row - CENTRE) < 0.25
    assert abs(col - CENTRE) < 0.25
    height, width = ink_box(digit)
    assert 19 <= height <= 21  # the 20 px box, give or take an anti-aliased edge
    assert width <= height


def test_aspect_ratio_is_kept() -> None:
    digit = to_mnist(zero(30, 110, 220, 66, 12))  # 10:3
    height, width = ink_box(digit, threshold=0.3)
    assert height in (19, 20, 21)
    assert 5 <= width <= 7


def test_wide_drawings_fit_20_px_across() -> None:
    digit = to_mnist(zero(120, 20, 60, 240, 12))
    height, width = ink_box(digit)
    assert 19 <= width <= 21
    assert height <= 8


def test_empty_and_faint_canvases_give_zeros() -> None:
    for canvas in (np.zeros((280, 280)), np.full((100, 50), 0.04), np.zeros((1, 1))):
        digit = to_mnist(canvas)
        assert digit.shape == (28, 28)
        assert digit.dtype == np.float32
        assert not digit.any()


@settings(max_examples=25, deadline=None)
@given(dr=st.integers(-60, 60), dc=st.integers(-70, 70))
def test_where_the_digit_is_drawn_does_not_matter(dr: int, dc: int) -> None:
    base = seven(80, 90, 120, 100, 12)
    moved = np.roll(base, (dr, dc), axis=(0, 1))
    np.testing.assert_allclose(to_mnist(moved), to_mnist(base), atol=1e-4)


def test_how_large_the_digit_is_drawn_hardly_matters() -> None:
    small = seven(20, 25, 60, 50, 6)[:140, :140]
    doubled = np.kron(small, np.ones((2, 2)))  # the same drawing at twice the size
    assert np.abs(to_mnist(doubled) - to_mnist(small)).mean() < 0.01


def test_any_numeric_2d_input_is_accepted() -> None:
    canvas = np.zeros((40, 30), dtype=np.uint8)
    canvas[5:35, 12:18] = 1
    digit = to_mnist(canvas)
    assert digit.sum() == pytest.approx(20 * 4, rel=1e-4)  # 30x6 ink scaled by 2/3, centred
    assert ink_box(digit, 0.75) == (19, 3)  # with half-covered pixels at either end
    np.testing.assert_array_equal(to_mnist(canvas.tolist()), digit)
    np.testing.assert_allclose(to_mnist(canvas * 3.0), digit)  # ink above 1.0 is clipped


@pytest.mark.parametrize(
    ("canvas", "match"),
    [
        (np.zeros((28, 28, 1)), "2-D"),
        (np.zeros(784), "2-D"),
        (np.zeros((0, 5)), "empty"),
        (np.full((10, 10), np.nan), "NaN"),
        (np.array([[0.0, np.inf]]), "NaN or infinite"),
        (np.array([["a", "b"]]), "real numbers"),
        (np.zeros((3, 3), dtype=complex), "complex"),
    ],
)
def test_bad_canvases_raise_value_error(canvas: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        to_mnist(canvas)


def test_an_mnist_digit_stays_itself(mnist_npz: Path) -> None:
    with np.load(mnist_npz) as data:
        images = data["x_test"][:200].astype(np.float32) / 255
    diffs = [np.abs(to_mnist(image) - image).mean() for image in images]
    assert np.median(diffs) < 0.06


def redrawn_on_canvas(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit enlarged 2.5-10x and pasted at a random place on a 280x280 canvas."""
    size = int(28 * rng.uniform(2.5, 10.0))
    big = np.asarray(Image.fromarray(image, mode="F").resize((size, size), Image.BILINEAR))
    canvas = np.zeros((280, 280), dtype=np.float32)
    top, left = rng.integers(0, 280 - size + 1, size=2)
    canvas[top : top + size, left : left + size] = big
    return canvas


def test_shipped_model_reads_redrawn_mnist_digits(mnist_npz: Path) -> None:
    if not DEFAULT_MODEL_PATH.is_file():
        pytest.fail(f"the shipped model is missing: {DEFAULT_MODEL_PATH} (run models/train.py)")
    model = OnnxModel()
    rng = np.random.default_rng(2024)
    with np.load(mnist_npz) as data:
        chosen = rng.choice(len(data["x_test"]), size=1000, replace=False)
        images = data["x_test"][chosen].astype(np.float32) / 255
        labels = data["y_test"][chosen]
    guesses = [int(np.argmax(model.predict(to_mnist(redrawn_on_canvas(x, rng))))) for x in images]
    accuracy = float(np.mean(np.array(guesses) == labels))
    assert accuracy >= 0.98, f"accuracy on redrawn digits {accuracy:.3f}"
