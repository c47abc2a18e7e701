"""The visitor's language: chosen per request, used by templates and Python-side UI text.

``?lang=fr`` on any page keeps the choice in a cookie and redirects back without the
parameter; without a cookie, ``Accept-Language`` decides (``babel.Locale.negotiate``).
The choice lives in a context variable for the request, so ``_()`` here and in templates
needs no argument, and in ``scope["state"]["locale"]`` for handlers (``request.state``).
Pages answer ``Vary: Accept-Language, Cookie``; their ETags include the language.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError, dates, numbers
from jinja2 import Environment
from markupsafe import Markup
from starlette.datastructures import URL, Headers, QueryParams
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry import i18n
from registry.errors import GovcodeError, Phrase

COOKIE = "govcode_lang"
PARAM = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
# JSON, feeds, exports, badges and files: the same in every language (no Vary, one ETag)
UNLOCALISED = ("/api/", "/static/", "/feeds/", "/export/", "/badge/", "/healthz")
MACHINE_SUFFIXES = (".json", ".jsonl", ".csv", ".atom", ".svg", ".xml")

_current: ContextVar[str] = ContextVar("govcode_locale", default=i18n.SOURCE)


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def use(lang: str) -> Iterator[None]:
    token = _current.set(lang)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return i18n.translations(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return i18n.translations(current()).pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return i18n.translations(current()).npgettext(context, singular, plural, n)


_ = gettext
N_ = i18n.N_


class ErrorText(str):
    """An error's words for a page, with the language they came out in (``lang``): the
    page's, or English when the catalogue does not have the message."""

    lang: str

    def __new__(cls, text: str, lang: str) -> ErrorText:
        made = super().__new__(cls, text)
        made.lang = lang
        return made


def error_text(exc: GovcodeError | Phrase) -> ErrorText:
    """The message of ``exc`` in the request's language: its template through the active
    catalogue, filled with its parameters (a :class:`Phrase` parameter is translated too).
    ``str(exc)`` stays the English text for the API, the CLI and logs."""
    template, lang = exc.template, current()
    if not template:
        return ErrorText(str(exc), i18n.SOURCE)
    translated = i18n.translations(lang).gettext(template)
    if translated == template and lang != i18n.SOURCE:
        lang = i18n.SOURCE  # not in the catalogue: English, and marked so
    values = {
        name: error_text(value) if isinstance(value, GovcodeError | Phrase) else value
        for name, value in exc.params.items()
    }
    try:
        return ErrorText(translated % values if values else translated, lang)
    except (KeyError, ValueError, TypeError):  # a translation with broken placeholders
        return ErrorText(str(exc), i18n.SOURCE)


def text_lang(text: object) -> Markup:
    """` lang="en"` for an error that stayed English on a translated page; else ""."""
    return lang_attr(getattr(text, "lang", None))


# Dates and numbers as the visitor's locale writes them.
def format_date(value: date | datetime | None, format: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return dates.format_date(value, format=format, locale=current())


def format_datetime(value: datetime | None, format: str = "medium") -> str:
    """In UTC, and saying so (stored times are UTC, naive or not)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return dates.format_datetime(value, format=format, tzinfo=UTC, locale=current()) + " UTC"


def format_number(value: float | int | None) -> str:
    if value is None:
        return ""
    lang = current()
    if type(value) is int and (group := _thousands(lang)) is not None:
        return f"{value:,}".replace(",", group)  # what Babel writes, a hundred times faster
    return _decimal(value, lang)


@cache
def _thousands(lang: str) -> str | None:
    """The group separator of a language that groups whole numbers by threes with the ASCII
    minus (as English and French do); None for any other (Babel formats those)."""
    pattern = numbers.parse_pattern(Locale.parse(lang).decimal_formats[None].pattern)
    if pattern.grouping != (3, 3) or numbers.get_minus_sign_symbol(lang) != "-":
        return None
    return numbers.get_group_symbol(lang)


@lru_cache(maxsize=8192)
def _decimal(value: float | int, lang: str) -> str:
    """Babel takes ~0.1 ms a number and a search page shows dozens of counts, mostly the same
    few: remembered per language."""
    return numbers.format_decimal(value, locale=lang)


def format_percent(value: float | None, decimals: int = 1) -> str:
    """A share (0.9) as the locale writes a percentage ("90.0%", "90,0 %")."""
    if value is None:
        return ""
    return _percent_pattern(current(), decimals).apply(value, current())


@cache
def _percent_pattern(lang: str, decimals: int) -> numbers.NumberPattern:
    pattern = numbers.parse_pattern(Locale.parse(lang).percent_formats[None].pattern)
    pattern.frac_prec = (decimals, decimals)
    return pattern


def install(env: Environment) -> None:
    """gettext callables that follow the request's language, the filters, the switcher."""
    env.add_extension("jinja2.ext.i18n")
    env.policies["ext.i18n.trimmed"] = True  # whitespace inside {% trans %} is one space
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["number"] = format_number
    env.filters["percent"] = format_percent
    env.globals["current_locale"] = current
    env.globals["language_links"] = language_links
    env.globals["lang_attr"] = lang_attr
    env.globals["text_lang"] = text_lang
    env.globals["language_name"] = language_name


_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def lang_attr(tag: str | None) -> Markup:
    """` lang="fr"` for content in a language other than the page's, else "" (a tag that
    is not a language tag is left out: it comes from stored data)."""
    if not tag or not _TAG.match(tag):
        return Markup("")
    if tag.split("-")[0].split("_")[0].lower() == current().split("-")[0].lower():
        return Markup("")
    return Markup(' lang="{}"').format(tag.replace("_", "-"))


def language_name(tag: str) -> str:
    """The name of the language ``tag`` in the page's language ("anglais" on a French page)."""
    try:
        name = Locale.parse(tag.replace("-", "_")).get_display_name(current())
    except (ValueError, TypeError, UnknownLocaleError):
        return tag
    return (name[:1].upper() + name[1:]) if name else tag


def language_links(url: URL) -> list[dict[str, str]]:
    """One link per other language: this page with ``?lang=``, named in that language."""
    kept = [(k, v) for k, v in QueryParams(url.query).multi_items() if k != PARAM]
    path = "/" + url.path.lstrip("/")  # "//host/" would be a link off the site
    links = []
    for lang in i18n.available():
        if lang == current():
            continue
        query = urlencode([*kept, (PARAM, lang)])
        links.append({"lang": lang, "name": i18n.display_name(lang), "href": f"{path}?{query}"})
    return links


def localised(path: str) -> bool:
    """Whether ``path`` is a page for people (written in the visitor's language)."""
    return not path.startswith(UNLOCALISED) and not path.endswith(MACHINE_SUFFIXES)


def choose(headers: Headers) -> str:
    """The cookie's language if it is still offered, else ``Accept-Language``'s."""
    offered = i18n.available()
    cookie = SimpleCookie()
    with contextlib.suppress(Exception):
        cookie.load(headers.get("cookie", ""))
    chosen = cookie.get(COOKIE)
    if chosen is not None and chosen.value in offered:
        return chosen.value
    return i18n.choose(headers.get("accept-language"), offered)


class LanguageMiddleware:
    """Sets the request's language; answers ``?lang=`` with a cookie and a redirect."""

    def __init__(self, app: ASGIApp, *, https_only: bool = False) -> None:
        self.app, self.https_only = app, https_only

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not localised(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        params = QueryParams(scope.get("query_string", b"").decode("latin-1"))
        if PARAM in params and scope["method"] in ("GET", "HEAD"):
            await self._switch(scope, params, self.https_only)(scope, receive, send)
            return
        lang = choose(headers)
        scope.setdefault("state", {})["locale"] = lang

        async def send_varying(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"vary"]
                seen = [v.decode("latin-1") for k, v in message.get("headers", [])
                        if k.lower() == b"vary"]  # fmt: skip
                vary = dict.fromkeys(
                    [t.strip() for v in seen for t in v.split(",") if t.strip()]
                    + ["Accept-Language", "Cookie"]
                )
                message["headers"] = [*raw, (b"vary", ", ".join(vary).encode("latin-1"))]
            await send(message)

        with use(lang):
            await self.app(scope, receive, send_varying)

    @staticmethod
    def _switch(scope: Scope, params: QueryParams, https_only: bool) -> RedirectResponse:
        wanted = params[PARAM]
        kept = [(k, v) for k, v in params.multi_items() if k != PARAM]
        path = "/" + scope["path"].lstrip("/")  # never "//host": that would leave the site
        target = path + ("?" + urlencode(kept) if kept else "")
        response = RedirectResponse(target, status_code=303)
        response.headers["Cache-Control"] = "no-store"
        if wanted in i18n.available():
            response.set_cookie(
                COOKIE,
                wanted,
                max_age=COOKIE_MAX_AGE,
                path="/",
                samesite="lax",
                secure=https_only,
            )
        return response
