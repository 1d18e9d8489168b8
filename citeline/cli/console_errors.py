"""Keep tracebacks of errors the CLI reports as one line off the console.

Prefect logs a failed task or flow with its traceback before the exception reaches `citeline.cli.main`,
which then prints it as one line. For a CitelineError (or a full disk) the traceback says nothing the
line does not, so those log records are kept from the console; Prefect's API still receives them.
"""

from __future__ import annotations

import logging

from citeline.core.disk_full import disk_full
from citeline.core.errors import CitelineError


class OneLineErrors(logging.Filter):
    """Drops console records that carry a CitelineError or a full disk as their exception."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return error is None or not (isinstance(error, CitelineError) or disk_full(error))


def keep_reported_errors_off_console() -> None:
    """Add the filter to every console (stream) handler logging has now (Prefect's included)."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not any(isinstance(f, OneLineErrors) for f in handler.filters):
                handler.addFilter(OneLineErrors())
