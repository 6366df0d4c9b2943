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
    assert settings.data == DataSettings(path=None, train_size=None)
    assert settings.training == TrainingSettings(
        architecture="lecture", epochs=20, batch_size=128, learning_rate=1e-3, augment=True,
        seed=0, optimizer="adam", lr_decay="cosine", dropout=None,
    )  # fmt: skip
    assert settings.training == TrainingSettings.for_architecture("lecture")
    assert settings.outputs.paths == (DEFAULT_MODEL_PATH, SAMPLES_PATH, MODEL_CARD_PATH)
    assert settings.outputs.run_folder is None


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
         "must be one of dense-dropout, dense-relu, dense-sigmoid, kth, lecture, softmax, "
         "got 'vgg'"),
        (lambda: TrainingSettings.for_architecture("vgg"), "architecture", "--arch",
         "must be one of"),
        (lambda: TrainingSettings(augment=1), "augment", "--no-augment", "must be True or False"),
        (lambda: TrainingSettings(optimizer="rmsprop"), "optimizer", "--optimizer",
         "must be one of adam, sgd, got 'rmsprop'"),
        (lambda: TrainingSettings(lr_decay="step"), "lr_decay", "--lr-decay",
         "must be one of none, exponential, cosine, got 'step'"),
        (lambda: TrainingSettings(dropout=1.0), "dropout", "--dropout",
         "must be a number from 0 up to (not including) 1, got 1"),
        (lambda: TrainingSettings(dropout=-0.1), "dropout", "--dropout", "got -0.1"),
        (lambda: TrainingSettings(dropout="0.2"), "dropout", "--dropout", "got '0.2'"),
        (lambda: TrainingSettings.for_architecture("softmax", dropout=0.2), "dropout",
         "--dropout", "has no effect: the preset softmax has no dropout layer"),
        (lambda: DataSettings(train_size=0), "train_size", "--train-size",
         "must be at least 1, got 0"),
        (lambda: DataSettings(path="mnist.npz"), "path", "--data", "must be a pathlib.Path"),
        (lambda: OutputSettings(model="m.onnx"), "model", "--out", "must be a pathlib.Path"),
        (lambda: OutputSettings(samples=None), "samples", "--samples", "must be a pathlib.Path"),
        (lambda: OutputSettings(card=3), "card", "--card", "must be a pathlib.Path, got 3"),
        (lambda: OutputSettings(keras_model=Path("m.h5")), "keras_model", "--keras-out",
         "must end in .keras, got m.h5"),
        (lambda: OutputSettings(run_folder="runs/a"), "run_folder", "--out",
         "must be a pathlib.Path"),
        (lambda: OutputSettings(run_folder=Path("runs/a")), "run_folder", "--out",
         "keeps its model, samples and card inside it"),
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
    data = DataSettings(path=tmp_path / "m.npz", train_size=1)
    training = TrainingSettings("kth", epochs=1, batch_size=1, learning_rate=2, augment=False)
    outputs = OutputSettings(tmp_path / "a.onnx", tmp_path / "b.npz", tmp_path / "c.md",
                             keras_model=tmp_path / "d.keras")  # fmt: skip
    assert (data.path, data.train_size) == (tmp_path / "m.npz", 1)
    assert (training.architecture, training.learning_rate, training.augment) == ("kth", 2, False)
    assert outputs.paths == tuple(
        tmp_path / name for name in ("a.onnx", "b.npz", "c.md", "d.keras")
    )


@pytest.mark.parametrize("key", list(ARCHITECTURES))
def test_each_preset_has_its_recipe(key: str) -> None:
    recipe = ARCHITECTURES[key].recipe
    settings = TrainingSettings.for_architecture(key, seed=3)
    assert (settings.architecture, settings.seed, settings.dropout) == (key, 3, None)
    assert (settings.optimizer, settings.learning_rate, settings.lr_decay) == (
        recipe.optimizer, recipe.learning_rate, recipe.lr_decay,
    )  # fmt: skip
    assert (settings.epochs, settings.batch_size, settings.augment) == (
        recipe.epochs, recipe.batch_size, recipe.augment,
    )  # fmt: skip
    changed = TrainingSettings.for_architecture(key, epochs=1, optimizer="sgd")
    assert (changed.epochs, changed.optimizer) == (1, "sgd")


def test_the_ladder_follows_slide_004() -> None:
    softmax = TrainingSettings.for_architecture("softmax")
    assert (softmax.optimizer, softmax.batch_size, softmax.epochs) == ("sgd", 100, 10)
    dropout = TrainingSettings.for_architecture("dense-dropout")
    # slide 004: lr_decay(epoch) = 0.01 * math.pow(0.6, epoch)
    assert (dropout.learning_rate, dropout.lr_decay) == (0.01, "exponential")
    assert TrainingSettings.for_architecture("dense-dropout", dropout=0.4).dropout == 0.4


def test_a_run_folder_keeps_everything_inside(tmp_path: Path) -> None:
    outputs = OutputSettings.in_run_folder(tmp_path / "run", keras_model=tmp_path / "m.keras")
    assert outputs.run_folder == tmp_path / "run"
    assert outputs.paths == (
        tmp_path / "run" / "model.onnx", tmp_path / "run" / "samples.npz",
        tmp_path / "run" / "MODEL_CARD.md", tmp_path / "m.keras",
    )  # fmt: skip


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
        DataSettings(tmp_path / "m.npz", train_size=500),
        TrainingSettings("kth", epochs=3, batch_size=64, learning_rate=0.01, augment=False, seed=7),
        OutputSettings(tmp_path / "a.onnx", tmp_path / "b.npz", tmp_path / "c.md",
                       keras_model=tmp_path / "d.keras"),
    )  # fmt: skip
    # --train-size is --limit's new name.
    assert parse_settings(["--train-size", "500"]).data.train_size == 500


def test_left_out_options_take_the_presets_recipe() -> None:
    settings = parse_settings(["--arch", "softmax", "--epochs", "2"])
    assert settings.training == TrainingSettings.for_architecture("softmax", epochs=2)
    assert settings.training.optimizer == "sgd"
    augmented = parse_settings(["--arch", "dense-relu", "--augment", "--seed=1"])
    assert (augmented.training.augment, augmented.training.seed) == (True, 1)
    tuned = parse_settings(["--arch", "dense-dropout", "--optimizer", "sgd", "--lr-decay",
                            "cosine", "--dropout", "0.4"])  # fmt: skip
    assert (tuned.training.optimizer, tuned.training.lr_decay) == ("sgd", "cosine")
    assert tuned.training.dropout == 0.4


def test_an_out_path_without_onnx_is_a_run_folder(tmp_path: Path) -> None:
    settings = parse_settings(["--out", str(tmp_path / "run")])
    assert settings.outputs == OutputSettings.in_run_folder(tmp_path / "run")
    assert parse_settings(["--out", str(tmp_path / "m.ONNX")]).outputs.run_folder is None


@pytest.mark.parametrize("option", ["--samples", "--card"])
def test_samples_and_card_need_an_onnx_out(
    option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_settings(["--out", str(tmp_path / "run"), option, str(tmp_path / "x")])
    assert caught.value.code == 2
    assert f"{option} applies only when --out is an .onnx file" in capsys.readouterr().err


def test_dropout_for_a_preset_without_dropout_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_settings(["--arch", "dense-relu", "--dropout", "0.3"])
    assert caught.value.code == 2
    assert "--dropout has no effect: the preset dense-relu has no dropout layer" in (
        capsys.readouterr().err
    )


def test_no_options_give_the_default_settings() -> None:
    assert parse_settings([]) == RunSettings()
    assert option_arguments(RunSettings()) == []


@pytest.mark.parametrize(
    "settings",
    [
        RunSettings(training=TrainingSettings(epochs=3, learning_rate=0.1 + 0.2, augment=False)),
        RunSettings(
            DataSettings(Path("-odd name.npz"), train_size=7),
            TrainingSettings("kth", batch_size=1, learning_rate=2, seed=9),
            OutputSettings(Path("-m.onnx"), Path("s p.npz"), Path("c.md"), Path("k.keras")),
        ),
        RunSettings(
            DataSettings(train_size=2000),
            TrainingSettings.for_architecture("softmax", augment=True, optimizer="adam"),
            OutputSettings.in_run_folder(Path("-runs/a b")),
        ),
        RunSettings(
            training=TrainingSettings.for_architecture(
                "dense-dropout", dropout=0.5, lr_decay="none", learning_rate=0.003
            ),
            outputs=OutputSettings.in_run_folder(Path("r"), keras_model=Path("r/m.keras")),
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
    assert "--train-size N, --limit N" in help_text
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
        ("import models.training.options, models.training.run_document", LIGHT_MODULES_AVOID),
        ("import models.training.mnist_source, models.training.run_layout", LIGHT_MODULES_AVOID),
        ("import models.training.run, models.train", HEAVY_MODULES),
    ],
    ids=["models", "settings-cli", "contract", "options-document", "source-layout", "run-script"],
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
