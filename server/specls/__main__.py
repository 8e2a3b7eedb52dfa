"""`python -m specls` is the CLI; `python -m specls` alone starts the server."""

import sys

from specls.cli import main

sys.exit(main(sys.argv[1:] or ["serve"]))
