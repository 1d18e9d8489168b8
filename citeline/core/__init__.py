"""The small shared core every layer may import: errors, the workspace's paths, progress, stage timing
and environment switches. It imports nothing of citeline above it."""

from citeline.core import environment

__version__ = "0.1.0"

environment.apply()
