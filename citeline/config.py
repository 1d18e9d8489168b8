"""The project config file, `citeline.toml`: inputs, warehouse, politeness and schedule for scheduled runs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from citeline.paths import DEFAULT_DB

CONFIG_FILE = Path("citeline.toml")


class ConfigError(ValueError):
    """The config file cannot be used; the message names the file and the key."""


@dataclass
class FetchSettings:
    allow_private_hosts: bool = False
    respect_robots: bool = True
    timeout: float = 15.0
    max_attempts: int = 4
    per_host_delay: float = 0.25
    max_bytes: int = 10 * 1024 * 1024


@dataclass
class Config:
    inputs: list[str] = field(default_factory=list)
    db: str = str(DEFAULT_DB)
    schedule: str = "0 * * * *"
    timezone: str = "UTC"
    fetch: FetchSettings = field(default_factory=FetchSettings)
    source: Path | None = None

    def flow_parameters(self) -> dict[str, Any]:
        """Parameters of `citeline_run` for this config."""
        return {
            "inputs": self.inputs, "db_path": self.db, "allow_private_hosts": self.fetch.allow_private_hosts,
            "respect_robots": self.fetch.respect_robots, "fetch_timeout": self.fetch.timeout,
            "max_attempts": self.fetch.max_attempts, "per_host_delay": self.fetch.per_host_delay,
            "max_bytes": self.fetch.max_bytes,
        }


def _typed(dataclass_type, table: dict[str, Any], where: str):
    known = {f.name: f for f in fields(dataclass_type) if f.name not in {"fetch", "source"}}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(sorted(known))})")
        values[key] = value
    return values


def load_config(path: Path | None = None) -> Config:
    """Read `path`, or ./citeline.toml when present; defaults when neither exists."""
    chosen = path or (CONFIG_FILE if CONFIG_FILE.exists() else None)
    if chosen is None:
        return Config()
    try:
        data = tomllib.loads(Path(chosen).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"config {str(chosen)!r}: cannot be read ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {str(chosen)!r}: not valid TOML ({error})") from error
    table = data.get("citeline")
    if not isinstance(table, dict):
        raise ConfigError(f"config {str(chosen)!r}: no [citeline] table")
    table = dict(table)
    fetch = table.pop("fetch", {})
    config = Config(**_typed(Config, table, f"config {str(chosen)!r} [citeline]"), source=Path(chosen))
    config.fetch = FetchSettings(**_typed(FetchSettings, fetch, f"config {str(chosen)!r} [citeline.fetch]"))
    if not isinstance(config.inputs, list) or not all(isinstance(i, str) for i in config.inputs):
        raise ConfigError(f"config {str(chosen)!r}: inputs must be a list of strings")
    if len(config.schedule.split()) != 5:
        raise ConfigError(f"config {str(chosen)!r}: schedule {config.schedule!r} is not a five-field cron expression")
    return config
