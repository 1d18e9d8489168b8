"""The one run configuration: `citeline run` flags, `citeline.toml` and a deployment's parameters all
map onto `RunConfig`, the flow's single parameter, so Prefect validates every way in alike.

The fetch defaults are `extract.fetch.FetchPolicy`'s; the settings here are the part of that policy a
user sets, with the limits and help text the flags and the config file share.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from citeline.core.errors import CitelineError
from citeline.core.workspace import DEFAULT_DB
from extract.fetch import FetchPolicy

_DEFAULTS = FetchPolicy()


# Upper bounds of the settings that make a run wait: finite values past them (1e308 s) hung a run as
# surely as `inf`. An hour for one request and ten minutes between two requests to a host are already
# far past any site a run can use; attempts past ten meet max_retry_wait's limit first anyway.
MAX_TIMEOUT = 3600.0
MAX_PER_HOST_DELAY = 600.0
MAX_ATTEMPTS = 10


class RunConfigError(CitelineError):
    """A run setting (from a flag, the config file or a deployment) has a value that cannot be used."""


class FetchSettings(BaseModel):
    """How politely and how persistently a run fetches."""

    # `inf` parses as a float, and a per-host delay of inf would hang the run.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # strict: a real TOML/JSON boolean only; lax pydantic reads "yes", "off" or 0 as one.
    allow_private_hosts: bool = Field(_DEFAULTS.allow_private_hosts, strict=True, description="also fetch hosts on private, loopback or link-local addresses")
    respect_robots: bool = Field(_DEFAULTS.respect_robots, strict=True, description="honour robots.txt")
    timeout: float = Field(_DEFAULTS.timeout, gt=0, le=MAX_TIMEOUT, description="seconds before one request times out")
    max_attempts: int = Field(_DEFAULTS.max_attempts, ge=1, le=MAX_ATTEMPTS, description="attempts per URL on timeouts, 429 and 5xx")
    per_host_delay: float = Field(_DEFAULTS.per_host_delay, ge=0, le=MAX_PER_HOST_DELAY, description="seconds between requests to one host")
    max_bytes: int = Field(_DEFAULTS.max_bytes, gt=0, description="largest page kept, in bytes after decompression")
    max_sitemaps: int = Field(_DEFAULTS.max_sitemaps, ge=0, description="most sitemaps a run reads from sitemap indexes (the rest recorded on the index's fetch_log row)")
    max_urls: int = Field(_DEFAULTS.max_urls, ge=1, description="most URLs a run fetches, listed or found in feeds and sitemaps (the rest recorded, not fetched)")

    def policy(self) -> FetchPolicy:
        return FetchPolicy(**self.model_dump())


class AttributionSettings(BaseModel):
    """What finds the statements: the rules alone, or the rules with a trained model beside them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str | None = Field(None, min_length=1, description="folder of a model trained with `citeline train`, stacked on the rules")
    # The demo corpus's longest article is 103,200 characters; long-form news rarely passes 100,000. spaCy's
    # own bound (nlp.max_length, 1,000,000) is never met: paragraphs are parsed in pieces of 20,000 at most.
    max_chars: int = Field(200_000, ge=1, description="most characters of one article's text attributed; past them the text is cut, and the article records it")

    @field_validator("model")
    @classmethod
    def _absolute(cls, model: str | None) -> str | None:
        # Absolute, as the run's worker processes (and Dask workers, elsewhere) resolve it from their own directory.
        return None if model is None else str(Path(model).expanduser().resolve())


class ScaleSettings(BaseModel):
    """Where extraction and attribution run: worker processes on this machine, or a Dask cluster."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dask_address: str | None = Field(
        None, min_length=1, pattern=r"^\S+$",
        description="Dask scheduler that runs extraction and attribution (tcp://HOST:8786); none: worker processes on this machine")
    # A scheduler answers in milliseconds; Dask's own client honours its timeout only until the port
    # accepts, and a server that accepted and never answered held `citeline run` for over seven minutes.
    dask_check_timeout: float = Field(
        30.0, gt=0, le=MAX_TIMEOUT, allow_inf_nan=False,
        description="seconds the check of the Dask scheduler before a run may take (it must answer and list its workers)")


class RunConfig(BaseModel):
    """Everything one run of the pipeline needs to know."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    inputs: list[str] = Field(default_factory=list, description="URLs, URL lists, feeds, sitemaps, folders or files of .html; none: the demo corpus")
    db: str = Field(str(DEFAULT_DB), min_length=1, description="warehouse file")
    fetch: FetchSettings = Field(default_factory=FetchSettings)
    attribution: AttributionSettings = Field(default_factory=AttributionSettings)
    batch_size: int = Field(500, ge=1, description="fetched pages extracted, attributed and staged together (one batch)")
    scale: ScaleSettings = Field(default_factory=ScaleSettings)
    matcher: str | None = Field(None, min_length=1, description="folder of a matcher trained with `citeline train-matcher`, re-ranking the default fact-check matcher's candidates")

    @field_validator("matcher")
    @classmethod
    def _absolute(cls, matcher: str | None) -> str | None:
        # Absolute, as attribution.model: worker processes resolve it from their own directory.
        return None if matcher is None else str(Path(matcher).expanduser().resolve())

    @property
    def db_path(self) -> Path:
        return Path(self.db)


def run_config(values: dict[str, Any], where: str = "", name_of: Callable[[str], str] = str) -> RunConfig:
    """Validate `values` (RunConfig's fields, `fetch` as a table). An error names `where` and the key,
    as `name_of` spells it (the CLI names its flags: `fetch.timeout` is `--timeout` there)."""
    try:
        return RunConfig.model_validate(values)
    except ValidationError as error:
        parts = []
        for item in error.errors():
            key = name_of(".".join(str(part) for part in item["loc"]) or "value")
            message = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
            got = "" if item["type"] == "missing" else f" (got {item['input']!r})"
            parts.append(f"{key}: {message}{got}")
        raise RunConfigError(f"{where}{': ' if where else ''}{'; '.join(parts)}") from None
