"""The one exception base the CLI turns into a clear message and exit status 2.

Each stage raises its own subclass (an input, a config file, the warehouse, a gold folder, the Prefect
API), always with a message that names what cannot be used; `citeline.cli.main` prints it as one line.
"""

from __future__ import annotations


class CitelineError(Exception):
    """Something the user gave or set up cannot be used; the message names it."""

    exit_status = 2
