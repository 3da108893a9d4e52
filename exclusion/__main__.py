"""``python -m exclusion``: the engine's command line (no Django import)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
