"""The one jinja2 template set behind the HTML and PDF reports (autoescaped, loaded from the package)."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from functools import lru_cache
from typing import Any, Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from gapcheck import __version__
from gapcheck.render.labels import (GAP_ORDER, SEVERITY_LABELS, STATUS_COLOURS, STATUS_LABELS, STATUS_SIGNS,
                                    STATUS_TINTS, THEME)


def format_datetime(value: datetime | str) -> str:
    """A date and time a reader can take in at a glance: "23 November 2026, 00:00 UTC"."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    zone = moment.tzname() or ""
    return f"{moment.day} {moment:%B %Y, %H:%M} {'UTC' if zone in ('UTC', 'UTC+00:00') else zone}".rstrip()


def format_date(value: datetime | str) -> str:
    """Only the day: "23 November 2026"."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%B %Y}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared environment: templates from gapcheck/templates, everything escaped unless marked safe."""
    env = Environment(loader=PackageLoader("gapcheck", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(datetime=format_datetime, date=format_date)
    env.globals.update(STATUS_LABELS=STATUS_LABELS, STATUS_COLOURS=STATUS_COLOURS, STATUS_TINTS=STATUS_TINTS,
                       STATUS_SIGNS=STATUS_SIGNS, SEVERITY_LABELS=SEVERITY_LABELS, GAP_ORDER=GAP_ORDER,
                       theme={name: Markup(value) for name, value in THEME.items()})
    return env


Variant = Literal["screen", "print"]


@lru_cache(maxsize=8)
def inline_script(name: str) -> tuple[Markup, str]:
    """A script from the template folder and its Content-Security-Policy hash source."""
    env = environment()
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return Markup(source), f"'sha256-{digest}'"


def render_page(name: str, variant: Variant, created: datetime, script: str | None = None, **context: Any) -> str:
    """Render one page template; `script` names an inline script for the screen variant (never in print)."""
    code, digest = inline_script(script) if script and variant == "screen" else (None, None)
    return environment().get_template(name).render(variant=variant, created=created.isoformat(), script=code,
                                                   script_hash=digest, version=__version__, **context)


def stylesheet(variant: Variant) -> str:
    """The CSS of a variant (the screen variant carries it inline; the PDF passes it to WeasyPrint)."""
    return environment().get_template("stylesheet.css").render(variant=variant)
