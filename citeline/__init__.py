"""citeline: the shell (command line, config files, Prefect API start-up) and, in citeline.core, the
small shared core below every other package."""

from citeline.core import __version__  # noqa: F401  (also applies the environment switches, citeline.core.environment)
