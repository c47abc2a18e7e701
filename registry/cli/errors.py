"""How the command line fails: one plain line per fault on stderr, never a traceback.

``govcode --debug …`` lets the exception through (with its traceback) instead. Exit codes:
2 for our own errors and bad settings (the user can fix them), 1 for anything unexpected.
"""

from __future__ import annotations

import re
import typing
from typing import Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.2x ships its own click: its usage errors derive from this
    from typer import TyperException as UsageProblem
except ImportError:  # pragma: no cover - older typer on click
    from click import ClickException as UsageProblem

from registry.errors import GovcodeError

_FIELD = re.compile(r'field "(\w+)"')


def env_name(field: str) -> str:
    return f"GOVCODE_{field.upper()}"


def _expected(field: str) -> str:
    """What a complex setting's environment variable must hold, from its type."""
    from registry.settings import Settings

    info = Settings.model_fields.get(field)
    origin = typing.get_origin(info.annotation) if info else None
    if origin is list:
        return 'a JSON list, for example ["localhost:8000"]'
    if origin is dict:
        return 'a JSON object, for example {"key": "value"}'
    return "JSON"


def settings_lines(exc: Exception) -> list[str]:
    """One line per mistyped setting, naming its variable and what it expects."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        lines = []
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            msg = str(error["msg"]).removeprefix("Value error, ")
            if not loc:  # a check across settings: its message names the variables
                lines.append(f"govcode: bad settings: {msg}")
                continue
            got = error.get("input")
            shown = f" (got {got!r})" if isinstance(got, str | int | float) else ""
            lines.append(f"govcode: bad setting {env_name(loc[0])}: {msg}{shown}")
        return lines
    match = _FIELD.search(str(exc))
    if match is None:
        return [f"govcode: bad settings: {exc}"]
    field = match.group(1)
    return [f"govcode: bad setting {env_name(field)}: expected {_expected(field)}"]


def error_lines(exc: BaseException) -> tuple[list[str], int]:
    """The lines to print for ``exc`` and the exit code."""
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    if isinstance(exc, SettingsError) or (
        isinstance(exc, ValidationError) and exc.title == "Settings"
    ):
        return settings_lines(exc), 2
    if isinstance(exc, GovcodeError):
        return [f"govcode: {exc.title.lower()}: {one_line(str(exc))}"], 2
    first = one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else "")
    what = type(exc).__name__ + (f": {first}" if first else "")
    return [f"govcode: error: {what} (run `govcode --debug …` for the traceback)"], 1


def one_line(text: str) -> str:
    return " ".join(text.split())


class GovcodeGroup(TyperGroup):
    """The root command: turns any exception into its lines, unless ``--debug``."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, UsageProblem):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            lines, code = error_lines(exc)
            for line in lines:
                typer.echo(line, err=True)
            ctx.exit(code)
