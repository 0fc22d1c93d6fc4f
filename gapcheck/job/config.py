"""The nightly job's TOML config: validated, with every path resolved against the config file's folder.

A bad config is refused with a ConfigError naming the file, the key and the problem on one line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gapcheck.batch import EXECUTORS
from gapcheck.checklist import CHECKLIST_SUFFIXES, bundled_dir, bundled_names, describe_path
from gapcheck.errors import GapcheckError
from gapcheck.ingest import provider_name, safe_name
from gapcheck.ingest.fetch import is_url
from gapcheck.render import RENDERERS

DEFAULT_CONFIG = "gapcheck.toml"


class ConfigError(GapcheckError):
    """A job config that cannot be used: names the file and the key."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        where = f"{path}: {key}" if key else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = str(path)
        self.key = key
        self.reason = reason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class JobSpec(_Strict):
    out: str = Field(default="reports", min_length=1)
    database: str = Field(default="reports/gapcheck.sqlite", min_length=1)
    checklists: list[str] = Field(default_factory=list)
    formats: list[str] = Field(default_factory=lambda: ["json"], min_length=1)
    fail_under: float = Field(default=0.0, ge=0, le=100)
    fail_on_new_gaps: bool = False
    executor: str = "inline"
    scheduler: str | None = Field(default=None, min_length=1)


class NotifySpec(_Strict):
    webhook: str = Field(min_length=1)
    timeout: float = Field(default=10.0, gt=0, le=300)


class ProviderSpec(_Strict):
    name: str | None = Field(default=None, min_length=1)
    source: str = Field(min_length=1)


class ConfigSpec(_Strict):
    job: JobSpec = Field(default_factory=JobSpec)
    notify: NotifySpec | None = None
    providers: list[ProviderSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Provider:
    """One provider of the portfolio: a safe name and where its policy is read from."""

    name: str
    source: str  # as written in the config (shown in reports)
    location: str  # the URL, or the file path resolved against the config's folder


@dataclass(frozen=True)
class JobConfig:
    """A validated job: absolute paths, known formats, unique provider names."""

    path: Path
    out: Path
    database: Path
    checklists: tuple[str, ...]  # checklist files (bundled ones resolved), loaded only when an audit is due
    formats: tuple[str, ...]
    fail_under: float
    fail_on_new_gaps: bool
    providers: tuple[Provider, ...]
    webhook: str | None = None
    webhook_timeout: float = 10.0
    executor: str = "inline"  # where audits and reports are made: inline, process or dask (gapcheck.batch)
    scheduler: str | None = None  # with dask: tcp://HOST:PORT of an existing cluster (None: a local one)


def _reason(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "missing (required)"
    if kind == "extra_forbidden":
        return "unknown key"
    return str(error["msg"]).replace("Value error, ", "")


def load_config(path: Path | str) -> JobConfig:
    """Read and validate a job config file; raise ConfigError naming the file and key."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(path, "", "no such config file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, "", f"cannot be read ({exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f"{path}:{found.group(1)}" if found else str(path)
        raise ConfigError(where, "", f"TOML syntax error: {str(exc).split(' (at')[0]}") from exc
    try:
        spec = ConfigSpec.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ConfigError(path, describe_path(tuple(error["loc"])), _reason(error)) from exc
    return _resolve(spec, path)


def _resolve(spec: ConfigSpec, path: Path) -> JobConfig:
    base = path.resolve().parent
    job = spec.job
    for i, fmt in enumerate(job.formats):
        if fmt not in RENDERERS:
            raise ConfigError(path, f"job.formats[{i}]",
                              f"unknown format {fmt!r} (available: {', '.join(RENDERERS)})")
    if job.executor not in EXECUTORS:
        raise ConfigError(path, "job.executor", f"unknown executor {job.executor!r} (available: {', '.join(EXECUTORS)})")
    if job.scheduler is not None and job.executor != "dask":
        raise ConfigError(path, "job.scheduler", "goes with executor = \"dask\"")
    names = job.checklists or bundled_names()
    checklists = tuple(dict.fromkeys(_checklist_file(path, base, i, n) for i, n in enumerate(names)))
    providers: list[Provider] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(spec.providers):
        key = f"providers[{i}]"
        if "://" in item.source and not is_url(item.source):
            raise ConfigError(path, f"{key}.source", "only http and https URLs can be fetched")
        name = item.name if item.name is not None else provider_name(item.source)
        if name != safe_name(name):
            raise ConfigError(path, f"{key}.name", f"{name!r} is not a safe file name "
                              "(use letters, digits, '.', '_' and '-', not starting with '.' or '-')")
        if name.lower() in seen:
            raise ConfigError(path, f"{key}.name",
                              f"duplicate provider name {name!r} (also providers[{seen[name.lower()]}])")
        seen[name.lower()] = i
        location = item.source if is_url(item.source) else str(base / item.source)
        providers.append(Provider(name, item.source, location))
    webhook = spec.notify.webhook if spec.notify else None
    if webhook is not None and not (is_url(webhook) and urlsplit(webhook).hostname):
        raise ConfigError(path, "notify.webhook", "must be an http or https URL")
    return JobConfig(
        path=path.resolve(), out=base / job.out, database=base / job.database,
        checklists=checklists,
        formats=tuple(dict.fromkeys(job.formats)), fail_under=job.fail_under,
        fail_on_new_gaps=job.fail_on_new_gaps, providers=tuple(providers), webhook=webhook,
        webhook_timeout=spec.notify.timeout if spec.notify else 10.0,
        executor=job.executor, scheduler=job.scheduler)


def _checklist_file(path: Path, base: Path, index: int, name: str) -> str:
    """The checklist file a name stands for: a bundled one by name, or a path against the config's folder."""
    key = f"job.checklists[{index}]"
    if Path(name).suffix.lower() in CHECKLIST_SUFFIXES:
        if not (base / name).is_file():
            raise ConfigError(path, key, f"no such checklist file {name!r}")
        return str(base / name)
    found = [p for p in sorted(bundled_dir().iterdir()) if p.stem == name and p.suffix in CHECKLIST_SUFFIXES]
    if not found:
        raise ConfigError(path, key, f"no bundled checklist {name!r} (bundled: {', '.join(bundled_names()) or 'none'})")
    return str(found[0])
