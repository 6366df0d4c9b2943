"""models.training's typed settings, its command line (options → settings) and its light imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from models import DEFAULT_MODEL_PATH, MODEL_CARD_PATH, SAMPLES_PATH
from models.training.architectures import ARCHITECTURES
from models.training.cli import build_parser, option_arguments, parse_settings
from models.training.errors import UserError
from models.training.settings import (
    DataSettings,
    OutputSettings,
    RunSettings,
    SettingsError,
    TrainingSettings,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
HEAVY_MODULES = {"tensorflow", "keras", "tf2onnx", "onnx", "onnxruntime"}
# The settings, the contract and the command line's --help need not even NumPy.
LIGHT_MODULES_AVOID = {*HEAVY_MODULES, "numpy"}


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


def test_defaults_are_the_shipped_models_settings() -> None:
    settings = RunSettings()
    assert settings.data == DataSettings(path=None, limit=None)
    assert settings.training == TrainingSettings(
        architecture="lecture", epochs=20, batch_size=128, learning_rate=1e-3, augment=True, seed=0
    )
    assert settings.outputs.paths == (DEFAULT_MODEL_PATH, SAMPLES_PATH, MODEL_CARD_PATH)


@pytest.mark.parametrize(
    ("make", "setting", "option", "reason"),
    [
        (lambda: TrainingSettings(epochs=0), "epochs", "--epochs", "must be at least 1, got 0"),
        (lambda: TrainingSettings(epochs=2.5), "epochs", "--epochs", "must be a whole number"),
        (lambda: TrainingSettings(epochs=True), "epochs", "--epochs", "must be a whole number"),
        (lambda: TrainingSettings(batch_size=-3), "batch_size", "--batch-size", "at least 1"),
        (lambda: TrainingSettings(learning_rate=0.0), "learning_rate", "--learning-rate",
         "must be a positive number, got 0"),
        (lambda: TrainingSettings(learning_rate=float("nan")), "learning_rate", "--learning-rate",
         "must be a positive number, got nan"),
        (lambda: TrainingSettings(learning_rate=float("inf")), "learning_rate", "--learning-rate",
         "must be a positive number, got inf"),
        (lambda: TrainingSettings(learning_rate="0.1"), "learning_rate", "--learning-rate",
         "must be a positive number, got '0.1'"),
        (lambda: TrainingSettings(seed=-1), "seed", "--seed", "must be 0 or more, got -1"),
        (lambda: TrainingSettings(architecture="vgg"), "architecture", "--arch",
         "must be one of kth, lecture, got 'vgg'"),
        (lambda: TrainingSettings(augment=1), "augment", "--no-augment", "must be True or False"),
        (lambda: DataSettings(limit=0), "limit", "--limit", "must be at least 1, got 0"),
        (lambda: DataSettings(path="mnist.npz"), "path", "--data", "must be a pathlib.Path"),
        (lambda: OutputSettings(model="m.onnx"), "model", "--out", "must be a pathlib.Path"),
        (lambda: OutputSettings(samples=None), "samples", "--samples", "must be a pathlib.Path"),
        (lambda: OutputSettings(card=3), "card", "--card", "must be a pathlib.Path, got 3"),
        (lambda: OutputSettings(keras_model=Path("m.h5")), "keras_model", "--keras-out",
         "must end in .keras, got m.h5"),
    ],
)  # fmt: skip
def test_a_bad_setting_names_itself_and_its_option(
    make: object, setting: str, option: str, reason: str
) -> None:
    assert callable(make)
    with pytest.raises(SettingsError) as caught:
        make()
    error = caught.value
    assert (error.setting, error.option) == (setting, option)
    assert reason in error.reason
    assert str(error).startswith(f"{setting} ({option}) ")
    assert reason in str(error)
    # The command line reports it (exit 2) like any other problem the user can fix.
    assert isinstance(error, UserError)
    assert isinstance(error, ValueError)


def test_good_settings_are_kept_as_given(tmp_path: Path) -> None:
    data = DataSettings(path=tmp_path / "m.npz", limit=1)
    training = TrainingSettings("kth", epochs=1, batch_size=1, learning_rate=2, augment=False)
    outputs = OutputSettings(tmp_path / "a.onnx", tmp_path / "b.npz", tmp_path / "c.md",
                             keras_model=tmp_path / "d.keras")  # fmt: skip
    assert (data.path, data.limit) == (tmp_path / "m.npz", 1)
    assert (training.architecture, training.learning_rate, training.augment) == ("kth", 2, False)
    assert outputs.paths == tuple(
        tmp_path / name for name in ("a.onnx", "b.npz", "c.md", "d.keras")
    )


def test_settings_are_frozen() -> None:
    settings = TrainingSettings()
    with pytest.raises(AttributeError):
        settings.epochs = 0  # type: ignore[misc]


def test_run_settings_want_settings_objects() -> None:
    with pytest.raises(TypeError, match=r"RunSettings.training must be a TrainingSettings"):
        RunSettings(training=DataSettings())  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Command line → settings
# --------------------------------------------------------------------------------------------


def test_options_become_settings(tmp_path: Path) -> None:
    settings = parse_settings(
        ["--data", str(tmp_path / "m.npz"), "--arch", "kth", "--epochs", "3", "--batch-size", "64",
         "--learning-rate", "0.01", "--limit", "500", "--no-augment", "--seed", "7",
         "--out", str(tmp_path / "a.onnx"), "--samples", str(tmp_path / "b.npz"),
         "--card", str(tmp_path / "c.md"), "--keras-out", str(tmp_path / "d.keras")]
    )  # fmt: skip
    assert settings == RunSettings(
        DataSettings(tmp_path / "m.npz", limit=500),
        TrainingSettings("kth", epochs=3, batch_size=64, learning_rate=0.01, augment=False, seed=7),
        OutputSettings(tmp_path / "a.onnx", tmp_path / "b.npz", tmp_path / "c.md",
                       keras_model=tmp_path / "d.keras"),
    )  # fmt: skip


def test_no_options_give_the_default_settings() -> None:
    assert parse_settings([]) == RunSettings()
    assert option_arguments(RunSettings()) == []


@pytest.mark.parametrize(
    "settings",
    [
        RunSettings(training=TrainingSettings(epochs=3, learning_rate=0.1 + 0.2, augment=False)),
        RunSettings(
            DataSettings(Path("-odd name.npz"), limit=7),
            TrainingSettings("kth", batch_size=1, learning_rate=2, seed=9),
            OutputSettings(Path("-m.onnx"), Path("s p.npz"), Path("c.md"), Path("k.keras")),
        ),
    ],
)
def test_settings_become_options_and_back(settings: RunSettings) -> None:
    arguments = option_arguments(settings)
    assert all(argument.startswith("--") for argument in arguments)
    assert parse_settings(arguments) == settings


def test_a_bad_keras_path_exits_2_naming_the_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_settings(["--keras-out", "model.h5"], prog="train.py")
    assert caught.value.code == 2
    assert (
        "train.py: error: --keras-out must end in .keras, got model.h5" in capsys.readouterr().err
    )


def test_every_architecture_is_offered_and_described() -> None:
    help_text = build_parser().format_help()
    for key, architecture in ARCHITECTURES.items():
        assert architecture.key == key
        assert f"{key}: {architecture.description}" in " ".join(help_text.split())
    (arch,) = [action for action in build_parser()._actions if action.dest == "arch"]
    assert sorted(arch.choices or ()) == sorted(ARCHITECTURES)


# --------------------------------------------------------------------------------------------
# Light imports: no TensorFlow until a run starts
# --------------------------------------------------------------------------------------------


def imported_modules(*arguments: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run Python with -X importtime; return the result and the top-level packages imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    packages = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    assert "models" in packages, result.stderr[-2000:]
    return result, packages


@pytest.mark.parametrize(
    ("statement", "avoided"),
    [
        ("import models", LIGHT_MODULES_AVOID),
        ("import models.training.settings, models.training.cli", LIGHT_MODULES_AVOID),
        ("import models.training.contract", LIGHT_MODULES_AVOID),
        ("import models.training.run, models.train", HEAVY_MODULES),
    ],
    ids=["models", "settings-cli", "contract", "run-script"],
)
def test_importing_imports_no_tensorflow(statement: str, avoided: set[str]) -> None:
    result, packages = imported_modules("-c", statement)
    assert result.returncode == 0, result.stderr[-2000:]
    assert not packages & avoided, sorted(packages & avoided)


def test_module_help_imports_no_tensorflow() -> None:
    result, packages = imported_modules("-m", "models.training", "--help")
    assert result.returncode == 0
    assert "usage: python -m models.training" in result.stdout
    assert "--learning-rate" in result.stdout
    assert not packages & LIGHT_MODULES_AVOID, sorted(packages & LIGHT_MODULES_AVOID)


def test_module_bad_option_exits_2_without_tensorflow() -> None:
    result, packages = imported_modules("-m", "models.training", "--epochs", "0")
    assert result.returncode == 2
    assert "python -m models.training: error: argument --epochs: must be at least 1, got 0" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not packages & LIGHT_MODULES_AVOID, sorted(packages & LIGHT_MODULES_AVOID)
