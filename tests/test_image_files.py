"""load_canvas: PNG and JPEG files of digits, any polarity and colour mode, become canvases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image

from engine import load_canvas, to_mnist

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


@pytest.fixture(scope="module")
def ink(mnist_npz: Path) -> np.ndarray:
    """A digit as ink 0..1: an MNIST "3" enlarged to 112x112 in a 160x200 picture's middle."""
    with np.load(mnist_npz) as data:
        digit = data["x_test"][data["y_test"] == 3][0].astype(np.float32) / 255
    big = np.asarray(Image.fromarray(digit, mode="F").resize((112, 112), Image.BILINEAR))
    canvas = np.zeros((160, 200), dtype=np.float32)
    canvas[30:142, 50:162] = np.clip(big, 0, 1)
    return canvas


def to_bytes(values: np.ndarray) -> np.ndarray:
    return np.round(np.clip(values, 0, 1) * 255).astype(np.uint8)


def dark_on_light(ink: np.ndarray) -> Image.Image:
    return Image.fromarray(to_bytes(1 - ink), mode="L")


def light_on_dark(ink: np.ndarray) -> Image.Image:
    return Image.fromarray(to_bytes(ink), mode="L")


def blue_ink_on_cream(ink: np.ndarray) -> Image.Image:
    paper = np.array([0.96, 0.93, 0.82])
    pen = np.array([0.1, 0.15, 0.55])
    rgb = paper * (1 - ink[:, :, None]) + pen * ink[:, :, None]
    return Image.fromarray(to_bytes(rgb), mode="RGB")


def black_ink_on_transparent(ink: np.ndarray) -> Image.Image:
    rgba = np.zeros((*ink.shape, 4))
    rgba[:, :, 3] = ink
    return Image.fromarray(to_bytes(rgba), mode="RGBA")


def white_ink_on_transparent(ink: np.ndarray) -> Image.Image:
    rgba = np.ones((*ink.shape, 4))
    rgba[:, :, 3] = ink
    return Image.fromarray(to_bytes(rgba), mode="RGBA")


def opaque_rgba(ink: np.ndarray) -> Image.Image:
    gray = 1 - ink
    rgba = np.stack([gray, gray, gray, np.ones_like(gray)], axis=2)
    return Image.fromarray(to_bytes(rgba), mode="RGBA")


def gray_with_alpha(ink: np.ndarray) -> Image.Image:
    la = np.stack([np.zeros_like(ink), ink], axis=2)
    return Image.fromarray(to_bytes(la), mode="LA")


def sixteen_bit(ink: np.ndarray) -> Image.Image:
    values = np.round((1 - ink) * 65535).astype(np.uint16)
    return Image.fromarray(values)


def wide_margins(ink: np.ndarray) -> Image.Image:
    page = np.zeros((700, 900), dtype=np.float32)
    page[400:560, 60:260] = ink
    return dark_on_light(page)


def palette(ink: np.ndarray) -> Image.Image:
    return dark_on_light(ink).convert("P")


PICTURES: dict[str, Callable[[np.ndarray], Image.Image]] = {
    "dark on light": dark_on_light,
    "light on dark": light_on_dark,
    "rgb": blue_ink_on_cream,
    "rgba transparent, black ink": black_ink_on_transparent,
    "rgba transparent, white ink": white_ink_on_transparent,
    "rgba opaque": opaque_rgba,
    "gray + alpha": gray_with_alpha,
    "16-bit": sixteen_bit,
    "wide margins": wide_margins,
    "palette": palette,
}


@pytest.mark.parametrize("name", PICTURES)
def test_png_files_give_the_drawn_digit(tmp_path: Path, ink: np.ndarray, name: str) -> None:
    path = tmp_path / "digit.png"
    PICTURES[name](ink).save(path)
    canvas = load_canvas(path)
    assert canvas.ndim == 2
    assert canvas.dtype == np.float32
    assert canvas.min() >= 0.0
    assert canvas.max() == pytest.approx(1.0)
    if name != "wide margins":
        assert canvas.shape == ink.shape
        assert canvas[:20].max() == 0.0  # the paper is clean
    np.testing.assert_allclose(to_mnist(canvas), to_mnist(ink), atol=0.01)


@pytest.mark.parametrize("name", ["dark on light", "light on dark", "rgb", "wide margins"])
def test_jpeg_files_give_the_drawn_digit(tmp_path: Path, ink: np.ndarray, name: str) -> None:
    path = tmp_path / "digit.jpg"
    PICTURES[name](ink).convert("RGB" if name == "rgb" else "L").save(path, quality=80)
    canvas = load_canvas(path)
    expected = to_mnist(ink)
    got = to_mnist(canvas)
    assert np.abs(got - expected).max() < 0.05
    assert np.abs(got - expected).mean() < 0.005


def test_grainy_paper_counts_as_paper(tmp_path: Path, ink: np.ndarray) -> None:
    """A photo of paper is never flat; its grain (seen on the border) must not become ink."""
    grain = np.random.default_rng(7).normal(0, 0.04, ink.shape)
    path = tmp_path / "photo.jpg"
    Image.fromarray(to_bytes(0.85 + grain - 0.8 * ink), mode="L").save(path, quality=90)
    canvas = load_canvas(path)
    assert canvas[:25].mean() < 0.01
    got, expected = to_mnist(canvas), to_mnist(ink)
    assert np.abs(got - expected).mean() < 0.03
    assert np.corrcoef(got.ravel(), expected.ravel())[0, 1] > 0.97


def test_a_blank_picture_is_an_empty_canvas(tmp_path: Path) -> None:
    path = tmp_path / "blank.png"
    Image.new("L", (64, 48), color=240).save(path)
    canvas = load_canvas(path)
    assert canvas.shape == (48, 64)
    assert not canvas.any()


def test_string_paths_work(tmp_path: Path, ink: np.ndarray) -> None:
    path = tmp_path / "digit.png"
    dark_on_light(ink).save(path)
    np.testing.assert_array_equal(load_canvas(str(path)), load_canvas(path))


def write_bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "bad.png"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("not a picture\n", encoding="utf-8")
    elif kind == "random bytes":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 999, np.uint8).tobytes())
    elif kind == "truncated png":
        Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 64), np.uint8)).save(path)
        path.write_bytes(path.read_bytes()[:300])
    return path


@pytest.mark.parametrize("kind", ["empty", "text", "random bytes", "truncated png"])
def test_unreadable_files_raise_value_error(tmp_path: Path, kind: str) -> None:
    path = write_bad(tmp_path, kind)
    with pytest.raises(ValueError, match="is not a readable image") as caught:
        load_canvas(path)
    assert str(path) in str(caught.value)
    assert "PNG or JPEG" in str(caught.value)


def test_missing_file_raises_value_error(tmp_path: Path) -> None:
    path = tmp_path / "gone.png"
    with pytest.raises(ValueError, match="not found") as caught:
        load_canvas(path)
    assert str(path) in str(caught.value)


def test_folder_raises_value_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a file"):
        load_canvas(tmp_path)
