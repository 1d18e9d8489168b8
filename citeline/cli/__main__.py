"""`python -m citeline.cli`: the `citeline` command."""

import sys

from citeline.cli import main

sys.exit(main())
