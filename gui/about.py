"""What Help ▸ About says: the program, its version, and the versions of Qt and ONNX Runtime.

The version comes from the installed package's metadata (``importlib.metadata``); a source
checkout that was never installed reads it from its ``pyproject.toml``.
"""

from __future__ import annotations

import re
from html import escape
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "cnn-visualizer"
PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
ORT_DISTRIBUTIONS = (
    "onnxruntime",
    "onnxruntime-gpu",
    "onnxruntime-directml",
    "onnxruntime-openvino",
)
UNKNOWN = "unknown"


def app_version(pyproject: Path = PYPROJECT) -> str:
    """The installed package's version, else the ``[project]`` version of ``pyproject``.

    Returns "unknown" when neither can be read.
    """
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return pyproject_version(pyproject) or UNKNOWN


def pyproject_version(pyproject: Path) -> str | None:
    """The ``version`` of the ``[project]`` table of a pyproject.toml (None if absent)."""
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    section = re.search(r"^\[project\]\s*$(.*?)(?=^\[|\Z)", text, re.MULTILINE | re.DOTALL)
    if section is None:
        return None
    found = re.search(r'^version\s*=\s*["\']([^"\']+)["\']', section.group(1), re.MULTILINE)
    return found.group(1) if found else None


def qt_versions() -> tuple[str, str]:
    """(PySide6's version, the Qt library's version) as running."""
    import PySide6
    from PySide6.QtCore import qVersion

    return str(PySide6.__version__), str(qVersion())


def onnxruntime_version() -> str:
    """The installed ONNX Runtime's version ("not installed" if none is)."""
    for name in ORT_DISTRIBUTIONS:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not installed"


def about_html() -> str:
    """The About box's text (Qt rich text; every version is escaped)."""
    pyside, qt = qt_versions()
    return (
        f"<h3>CNN Visualizer {escape(app_version())}</h3>"
        "<p>Step through a convolution cell by cell, watch ReLU and pooling happen, draw a "
        "digit and look inside a real trained CNN.</p>"
        "<p>For students and instructors of introductory deep-learning courses. The lessons "
        "are the worked examples of the course slides.</p>"
        f"<p>PySide6 {escape(pyside)} · Qt {escape(qt)} · "
        f"ONNX Runtime {escape(onnxruntime_version())}</p>"
    )
