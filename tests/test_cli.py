"""The command line: --list-lessons, bad options such as an unknown lesson or mode (exit 2),
--screenshot (exit 0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from engine.lessons.registry import all_lessons

ROOT = Path(__file__).resolve().parent.parent


def run_main(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CNN_VISUALIZER_SETTINGS_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


def test_list_lessons_prints_one_lesson_per_line_id_first(tmp_path: Path) -> None:
    done = run_main("--list-lessons", tmp_path=tmp_path)
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert [line.split("\t")[0] for line in lines] == [item.id for item in all_lessons()]
    assert all(len(line.split("\t")) == 2 for line in lines)


def test_unknown_lesson_exits_2_with_a_message(tmp_path: Path) -> None:
    done = run_main("--lesson", "nope", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "unknown lesson 'nope'" in done.stderr and "six-by-six" in done.stderr
    bad_size = run_main("--screenshot", str(tmp_path / "x.png"), "--size", "big", tmp_path=tmp_path)
    assert bad_size.returncode == 2 and "size must look like 1280x800" in bad_size.stderr
    bad_tab = run_main("--tab", "training-wheels", tmp_path=tmp_path)
    assert bad_tab.returncode == 2 and "invalid choice: 'training-wheels'" in bad_tab.stderr
    assert "(choose from 'playground', 'digits')" in bad_tab.stderr


def test_screenshot_renders_the_window_and_exits_0(tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    done = run_main(
        "--lesson", "x-or-o", "--step", "5", "--screenshot", str(shot), tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as image:
        assert image.size[0] >= 1280 and image.size[1] >= 800
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # a real rendering, not a blank window
    big = tmp_path / "big.png"
    done = run_main("--screenshot", str(big), "--size", "1920x1080", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    with Image.open(big) as image:
        assert image.size == (1920, 1080)


def test_settings_remember_the_last_lesson_and_speed(tmp_path: Path, qtbot) -> None:
    from gui.app import LaunchOptions, build_window

    first = build_window(LaunchOptions(lesson="x-or-o"))
    qtbot.addWidget(first)
    first.playground.steps.speed.setValue(23)
    first.close()
    second = build_window(LaunchOptions())
    qtbot.addWidget(second)
    assert second.playground.state.context.id == "x-or-o"
    assert second.playground.steps.speed.value() == 23
    assert second.playground.player.speed == 23
    second.close()


def write_digit_picture(path: Path, digit: np.ndarray, *, dark_ink: bool, rgb: bool) -> None:
    """A 28x28 digit scaled up onto a larger page with margins, in either polarity."""
    ink = (digit * 255).astype(np.uint8)
    page = np.zeros((260, 220), dtype=np.uint8)
    big = np.asarray(Image.fromarray(ink).resize((168, 168), Image.Resampling.BILINEAR))
    page[50:218, 30:198] = big
    if dark_ink:
        page = 255 - page
    image = Image.fromarray(page)
    (image.convert("RGB") if rgb else image).save(path)


def test_classify_prints_path_digit_probability_per_image(tmp_path: Path) -> None:
    from engine.drawings.samples import load_samples

    samples = load_samples()
    paths, expected = [], []
    for n, label in enumerate(range(10)):
        suffix = ".jpg" if n % 3 == 0 else ".png"
        path = tmp_path / f"digit{label}{suffix}"
        write_digit_picture(path, samples.first_of(label), dark_ink=n % 2 == 0, rgb=n % 4 == 1)
        paths.append(str(path))
        expected.append(str(label))
    done = run_main("--classify", *paths, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line.split("\t") for line in done.stdout.strip().splitlines()]
    assert [line[0] for line in lines] == paths
    assert [line[1] for line in lines] == expected
    assert all(0.5 < float(line[2]) <= 1.0 for line in lines)


def test_classify_reports_unreadable_images_and_goes_on(tmp_path: Path) -> None:
    from engine.drawings.samples import load_samples

    good = tmp_path / "seven.png"
    write_digit_picture(good, load_samples().first_of(7), dark_ink=True, rgb=False)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    blank = tmp_path / "blank.png"
    Image.new("L", (50, 50), 255).save(blank)
    missing = tmp_path / "missing.png"
    done = run_main(
        "--classify", str(broken), str(good), str(blank), str(missing), tmp_path=tmp_path
    )
    assert done.returncode == 2
    assert done.stdout.strip().split("\t")[:2] == [str(good), "7"]
    assert "broken.png" in done.stderr and "blank" in done.stderr and "missing.png" in done.stderr
    bad_model = tmp_path / "model.onnx"
    bad_model.write_text("not a model")
    done = run_main("--classify", str(good), "--model", str(bad_model), tmp_path=tmp_path)
    assert done.returncode == 2 and "model.onnx" in done.stderr and not done.stdout
