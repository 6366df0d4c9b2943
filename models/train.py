r"""Train the app's MNIST CNN with Keras and export it to ONNX, with sample digits and a model card.

The script form of `python -m models.training` (same options, outputs and exit statuses); the
trainer itself is the package models/training/ (its docstring describes the outputs).

    python models/train.py                      # the shipped model (about 6 minutes on 2 cores)
    python models/train.py --limit 2000 --epochs 1 --out /tmp/m.onnx --samples /tmp/s.npz \
        --card /tmp/card.md                     # a quick smoke test
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent
PROG = "train.py"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status (0, or 2 for a problem the user can fix).

    Args:
        argv: the options (default: sys.argv[1:]); the command recorded in the model's metadata
            is "python <this script> <options>".
    """
    from models.training.cli import main as training_main
    from models.training.cli import script_command

    script = Path(sys.argv[0] if argv is None else __file__)
    return training_main(argv, prog=PROG, launcher=script_command(script))


if __name__ == "__main__":
    # Run as a script, Python puts models/ first on the path; the package needs the repo root.
    sys.path.insert(0, str(REPO_ROOT))
    sys.exit(main())
