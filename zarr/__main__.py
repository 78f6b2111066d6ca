"""``python -m zarr``: the command line (see :mod:`zarr.cli`)."""

import sys

from zarr.cli import main

if __name__ == "__main__":
    sys.exit(main())
