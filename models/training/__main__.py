"""`python -m models.training`: train the MNIST CNN and export it (see cli.py, or --help)."""

import sys

from models.training.cli import main

if __name__ == "__main__":
    sys.exit(main())
