"""The command line: --list-lessons, bad options such as an unknown lesson or mode (exit 2),
--screenshot (exit 0)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
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


# ----- the model options: --summary, --labels, --input-range, --mean/--std, --ink, --fit -------
def test_summary_prints_the_layers_and_the_input(tmp_path: Path) -> None:
    done = run_main("--summary", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Model: MNIST CNN (slide 002)"
    assert "Preprocessing: input 0..1, white ink on black (read from the model file)" in lines
    assert "conv2 (Conv)                        (None, 14, 14, 64)    18,496" in lines
    assert "Total params: 421,642" in lines
    given = run_main("--summary", "--input-range", "-1..1", "--ink", "black-on-white",
                     tmp_path=tmp_path)  # fmt: skip
    assert given.returncode == 0, given.stderr
    assert (
        "Preprocessing: input −1..1, black ink on white (given on the command line)"
        in given.stdout.splitlines()
    )


def in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    """The command line run in this process: exit status, stdout, stderr."""
    import main

    try:
        status: object = main.main(argv)
    except SystemExit as exc:  # argparse's own errors
        status = exc.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize(
    ("options", "message"),
    [(["--mean", "0.5"], "--mean and --std go together"),
     (["--input-range", "0..1", "--mean", "0.5", "--std", "0.5"], "not both"),
     (["--mean", "0.5", "--std", "zero"], "--std must be numbers"),
     (["--mean", "0.5", "--std", "0"], "std must be positive"),
     (["--mean", "0.4,0.5,0.6", "--std", "1,1,1"], "3 values but the model has 1 channels"),
     (["--input-range", "0..2"], "invalid choice: '0..2'"),
     (["--labels", "missing.txt"], "missing.txt")],
)  # fmt: skip
def test_bad_model_options_exit_2(options: list[str], message: str, capsys) -> None:
    status, out, err = in_process(["--summary", *options], capsys)
    assert status == 2 and not out
    assert message in err


def test_labels_file_names_the_classes(tmp_path: Path, capsys) -> None:
    from engine.drawings.samples import load_samples

    picture = tmp_path / "seven.png"
    write_digit_picture(picture, load_samples().first_of(7), dark_ink=True, rgb=False)
    labels = tmp_path / "labels.txt"
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    labels.write_text("\n".join(names) + "\n", encoding="utf-8")
    status, out, _ = in_process(["--classify", str(picture), "--labels", str(labels)], capsys)
    assert status == 0 and out.split("\t")[1] == "seven"
    labels.write_text("a\nb\n", encoding="utf-8")
    status, out, err = in_process(["--classify", str(picture), "--labels", str(labels)], capsys)
    assert status == 2 and not out
    assert "2 labels but the model outputs 10 classes" in err


def test_classify_says_the_preprocessing_on_stderr(tmp_path: Path) -> None:
    from engine.drawings.samples import load_samples

    picture = tmp_path / "three.png"
    write_digit_picture(picture, load_samples().first_of(3), dark_ink=False, rgb=True)
    done = run_main("--classify", str(picture), "--input-range", "-1..1", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "input −1..1, white ink on black (given on the command line)" in done.stderr
    path, _, probability = done.stdout.strip().split("\t")
    assert path == str(picture) and 0.0 < float(probability) <= 1.0


def test_window_options_are_remembered_for_the_model_file(tmp_path: Path, monkeypatch) -> None:
    import main
    from engine import OnnxModel
    from engine.network.preprocessing import MNIST_STANDARD
    from engine.network.remembered_inputs import RememberedInputs

    monkeypatch.setenv("CNN_VISUALIZER_DATA_DIR", str(tmp_path))
    model = OnnxModel()
    labels = tmp_path / "labels.txt"
    labels.write_text("\n".join(f"digit {d}" for d in range(10)), encoding="utf-8")
    args = main.build_parser().parse_args(main.joined_values([
        "--model", str(model.path), "--mean", "0.1307", "--std", "0.3081",
        "--labels", str(labels), "--fit", "letterbox",
    ]))  # fmt: skip
    assert main.check_model(args) == ""
    kept = RememberedInputs().get(model.sha256)
    assert kept.preprocessing == MNIST_STANDARD
    assert kept.fit == "letterbox" and kept.labels == tuple(f"digit {d}" for d in range(10))
    alone = main.build_parser().parse_args(["--fit", "crop"])
    assert "need --model" in main.check_model(alone)
