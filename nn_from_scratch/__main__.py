"""``python -m nn_from_scratch``: the command line (see :mod:`nn_from_scratch.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
