"""The project config file, `citeline.toml`: the run configuration, and the schedule of scheduled runs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from citeline.core.errors import CitelineError
from flows.run_config import RunConfig, RunConfigError, run_config

CONFIG_FILE = Path("citeline.toml")
SCHEDULE_KEYS = {"schedule": "0 * * * *", "timezone": "UTC"}


class ConfigError(CitelineError):
    """The config file cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class ProjectConfig:
    """citeline.toml read: the run configuration, and the schedule `citeline serve` runs it on."""

    run: RunConfig = field(default_factory=RunConfig)
    schedule: str = SCHEDULE_KEYS["schedule"]
    timezone: str = SCHEDULE_KEYS["timezone"]
    source: Path | None = None


def load_config(path: Path | None = None) -> ProjectConfig:
    """Read `path`, or ./citeline.toml when present; defaults when neither exists."""
    chosen = path or (CONFIG_FILE if CONFIG_FILE.exists() else None)
    if chosen is None:
        return ProjectConfig()
    where = f"config {str(chosen)!r}"
    try:
        data = tomllib.loads(Path(chosen).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{where}: cannot be read ({error.strerror})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{where}: not valid TOML ({error})") from error
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively: a few thousand levels overflow the stack.
        raise ConfigError(f"{where}: nested too deeply to read (arrays or inline tables inside each other)") from None
    table = data.get("citeline")
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: no [citeline] table")
    known = set(RunConfig.model_fields) | set(SCHEDULE_KEYS)
    for key in table:
        if key not in known:
            raise ConfigError(f"{where} [citeline]: unknown key {key!r} (known: {', '.join(sorted(known))})")
    schedule = {key: table.get(key, default) for key, default in SCHEDULE_KEYS.items()}
    _check_schedule(schedule, where)
    try:
        run = run_config({k: v for k, v in table.items() if k not in SCHEDULE_KEYS}, f"{where} [citeline]")
    except RunConfigError as error:
        raise ConfigError(str(error)) from None
    return ProjectConfig(run=run, source=Path(chosen), **schedule)


def _check_schedule(schedule: dict[str, Any], where: str) -> None:
    cron, zone = schedule["schedule"], schedule["timezone"]
    if not isinstance(cron, str) or len(cron.split()) != 5:
        raise ConfigError(f"{where}: schedule {cron!r} is not a five-field cron expression")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ConfigError(f"{where}: timezone {zone!r} is not an IANA time zone such as 'UTC' or 'Europe/Amsterdam'") from None
