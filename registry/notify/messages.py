"""What a notification says: the reuse payload and the named templates that render it.

Each notification is a named template with three parts (subject, text, HTML) kept as
files under ``templates/`` so wording changes never touch code. The HTML part is
autoescaped: reuser names and summaries come from forges and are untrusted input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from babel import dates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from registry import i18n
from registry.urlpolicy import link_url

TEMPLATE_DIR = Path(__file__).parent / "templates"
REUSE_EVENT = "reuse.detected"
# News for reusers about the repositories they reuse (registry.services.source_news).
SOURCE_EVENTS = frozenset(
    {"source.released", "source.security_fix", "source.licence_changed", "source.archived"}
)
REUSE_KINDS = frozenset(
    {"fork", "based_on", "dependency", "shared_history", "copied", "copied_files", "declared"}
)

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x00-\x1f\x7f\x85\u2028\u2029]+")
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class ReuseNotice:
    """One reuse event as plain data; the delivery worker builds it from the database."""

    event_id: int
    kind: str
    created_at: datetime
    repository_name: str
    repository_url: str
    repository_html_url: str
    reuser_name: str
    reuser_url: str
    reuser_agency: str | None
    summary: str
    direction: str = "known"  # "unknown": shared history, neither side said to reuse the other

    event: ClassVar[str] = REUSE_EVENT
    template: ClassVar[str] = "reuse_detected"

    @property
    def link(self) -> str:
        """Where a feed entry points: the reuser."""
        return self.reuser_url

    def describe(self) -> str:
        """One paragraph for a feed entry."""
        by = self.reuser_name + (f" ({self.reuser_agency})" if self.reuser_agency else "")
        how = self.kind.replace("_", " ")
        if self.direction == "unknown":
            return (
                f"{self.repository_name} and {by} share git history; which one came first is"
                f" not known. {self.summary} Repository: {self.repository_url}"
            )
        return (
            f"{self.repository_name} was reused by {by} ({how}). {self.summary} "
            f"Repository: {self.repository_url}"
        )

    def __post_init__(self) -> None:
        if self.kind not in REUSE_KINDS:
            raise ValueError(f"unknown reuse kind {self.kind!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")

    def to_json(self) -> dict[str, Any]:
        """The webhook body: stable keys, ISO 8601 dates, nothing a receiver must look up."""
        return {
            "event": REUSE_EVENT,
            "event_id": self.event_id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "summary": self.summary,
            "direction": self.direction,
            "repository": {
                "name": self.repository_name,
                "url": self.repository_url,
                "html_url": self.repository_html_url,
            },
            "reuser": {
                "name": self.reuser_name,
                "url": self.reuser_url,
                "agency": self.reuser_agency,
            },
        }


@dataclass(frozen=True)
class SourceNotice:
    """News for a reuser: the source it reuses published a version, changed its licence,
    was archived, or fixed a security advisory. ``repository_*`` is the reuser (whose
    followers are told), ``source_*`` the repository it reuses."""

    event_id: int
    kind: str  # one of SOURCE_EVENTS
    created_at: datetime
    repository_name: str
    repository_url: str
    repository_html_url: str
    source_name: str
    source_url: str  # its page on govcode
    source_html_url: str
    source_agency: str | None
    summary: str
    reuse_kinds: tuple[str, ...] = ()
    version_tag: str | None = None
    version_title: str = ""
    version_url: str = ""
    advisories: tuple[str, ...] = ()
    licence_from: str | None = None
    licence_to: str | None = None

    template: ClassVar[str] = "source_changed"

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_EVENTS:
            raise ValueError(f"unknown source event {self.kind!r}")
        if self.created_at.tzinfo is None:
            raise ValueError("created_at must be timezone-aware")

    @property
    def event(self) -> str:
        return self.kind

    @property
    def link(self) -> str:
        """Where a feed entry points: the release, else the source's page."""
        return self.version_url or self.source_url

    @property
    def how(self) -> str:
        """How the reuser reuses the source, in words ("fork, dependency")."""
        return ", ".join(k.replace("_", " ") for k in self.reuse_kinds) or "reuse"

    def describe(self) -> str:
        return (
            f"{self.summary}. {self.repository_name} reuses {self.source_name} ({self.how})."
            f" Source: {self.source_url} Your repository: {self.repository_url}"
        )

    def to_json(self) -> dict[str, Any]:
        """The webhook body: stable keys, ISO 8601 dates."""
        version = None
        if self.version_tag is not None:
            version = {"tag": self.version_tag, "title": self.version_title,
                       "url": self.version_url}  # fmt: skip
        licence = None
        if self.kind == "source.licence_changed":
            licence = {"from": self.licence_from, "to": self.licence_to}
        return {
            "event": self.kind,
            "event_id": self.event_id,
            "kind": self.kind,
            "created_at": self.created_at.isoformat(),
            "summary": self.summary,
            "repository": {
                "name": self.repository_name,
                "url": self.repository_url,
                "html_url": self.repository_html_url,
            },
            "source": {
                "name": self.source_name,
                "url": self.source_url,
                "html_url": self.source_html_url,
                "agency": self.source_agency,
            },
            "reuse_kinds": list(self.reuse_kinds),
            "version": version,
            "advisories": list(self.advisories),
            "licence": licence,
        }


Notice = ReuseNotice | SourceNotice


@dataclass(frozen=True)
class RenderedMessage:
    subject: str
    text: str
    html: str


@cache
def _environment(language: str = i18n.SOURCE) -> Environment:
    """The templates in ``language`` (its catalogue in registry/locale; English without one)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["safe_url"] = safe_url
    env.filters["datetime"] = lambda when: _when(when, language)
    env.globals["language"] = language
    return env


def _when(when: datetime, language: str) -> str:
    """A UTC time as the language writes it ("2026-12-01 18:30 UTC" in English)."""
    if language == i18n.SOURCE:
        return when.strftime("%Y-%m-%d %H:%M UTC")
    return dates.format_datetime(when, "medium", tzinfo=UTC, locale=language) + " UTC"


def safe_url(value: str) -> str:
    """Only http(s) links reach a mail client; anything else (``javascript:``…) becomes '#'."""
    return link_url(value) or "#"


def one_line(value: str) -> str:
    """Collapse control characters so untrusted text cannot split a header or a subject."""
    # Only ASCII spaces are squeezed: a no-break space (French "réutilisé\u00a0:") stays.
    return _SPACES.sub(" ", _LINE_BREAKS.sub(" ", value)).strip(" ")


def render(name: str, *, language: str = i18n.SOURCE, **context: Any) -> RenderedMessage:
    """Render the named template's three parts (``NAME.subject.txt``, ``.txt``, ``.html``)
    in ``language``."""
    env = _environment(language if language in i18n.available() else i18n.SOURCE)
    subject = env.get_template(f"{name}.subject.txt").render(**context)
    return RenderedMessage(
        subject=one_line(subject),
        text=env.get_template(f"{name}.txt").render(**context),
        html=env.get_template(f"{name}.html").render(**context),
    )


def message_id(key: str, *, mail_from: str) -> str:
    """The Message-ID of a delivery: the same for every retry, different for every delivery."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "govcode.invalid"
    safe_key = re.sub(r"[^A-Za-z0-9.-]", "-", key)
    return f"<govcode.reuse.{safe_key}@{one_line(domain)}>"


def render_reuse_email(
    notice: Notice,
    *,
    to: str,
    mail_from: str,
    unsubscribe_url: str | None,
    key: str,
    language: str = i18n.SOURCE,
) -> EmailMessage:
    """The notice's mail (its ``template``: ``reuse_detected``, ``source_changed``) in the
    subscriber's ``language``: text with an HTML alternative, ready for any Mailer.

    ``key`` names the delivery; it becomes the Message-ID, so a retry is recognisable.
    """
    rendered = render(
        notice.template,
        language=language,
        notice=notice,
        when=notice.created_at.astimezone(UTC),
        unsubscribe_url=unsubscribe_url,
    )
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = mail_from
    message["To"] = to
    message["Date"] = format_datetime(notice.created_at)
    message["Message-ID"] = message_id(key, mail_from=mail_from)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Govcode-Event"] = notice.event
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{one_line(unsubscribe_url)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    message["Content-Language"] = language  # after the content: setting it clears Content-*
    return message
