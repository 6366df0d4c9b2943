"""The architecture holds: import-linter's contracts in pyproject.toml, and the engine's layout.

The contracts say the engine imports no Qt, pyqtgraph, GUI or TensorFlow, the GUI never imports
TensorFlow, and the engine's sub-packages build on each other in layers (lessons and network over
animation and drawings, over operations).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ENGINE = REPO_ROOT / "engine"
MAX_ROOT_MODULES = 6


def test_import_contracts_are_kept() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())", "--no-cache"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_engine_root_keeps_few_modules() -> None:
    modules = [p.name for p in ENGINE.glob("*.py") if p.name != "__init__.py"]
    assert len(modules) <= MAX_ROOT_MODULES, modules
    packages = sorted(p.parent.name for p in ENGINE.glob("*/__init__.py"))
    assert {"operations", "animation", "lessons", "network", "drawings"} <= set(packages)


def test_engine_exports_resolve_lazily() -> None:
    code = (
        "import sys, engine\n"
        "assert 'onnxruntime' not in sys.modules, 'import engine loaded ONNX Runtime'\n"
        "from engine.lessons.registry import all_lessons\n"
        "all_lessons()\n"
        "assert 'onnxruntime' not in sys.modules, 'the lessons loaded ONNX Runtime'\n"
        "for name in engine.__all__:\n"
        "    assert getattr(engine, name) is not None, name\n"
        "assert 'onnxruntime' in sys.modules\n"
        "try:\n"
        "    engine.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('an unknown name resolved')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
