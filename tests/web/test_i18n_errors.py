"""Refusals in the reader's language: a service's error carries a template and parameters,
pages render it through the visitor's catalogue (``web.i18n.error_text``) while ``str(exc)``,
the API's problem+json, the CLI and logs keep the English words."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import httpx
from babel.messages.pofile import read_po
from sqlmodel import select

from registry import i18n
from registry.db import session_scope
from registry.errors import BadRequest, NotFound, Phrase, TooManyRequests, UnsafeURLError
from registry.models import User
from registry.notify.mail import EmailChannel
from registry.services import audit, tokens
from registry.urlpolicy import inspect_url
from tests.factories import record, store
from tests.web import accounts_helpers as h
from web import i18n as web_i18n
from web.i18n import N_, error_text

ROOT = Path(__file__).resolve().parents[2]
FR = {"Accept-Language": "fr-CA,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
NBSP = "\u00a0"
LOOPBACK = "https://127.0.0.1:8443/hooks"

# The modules whose refusals can reach a page: every error they raise is a template.
CONVERTED = (
    *sorted((ROOT / "registry" / "services").glob("*.py")),
    *(ROOT / "registry" / name for name in ("urlpolicy.py", "access.py", "identifiers.py",
                                            "source_kinds.py", "token_box.py")),
    *(ROOT / "registry" / "notify" / f"{name}.py" for name in ("mail", "webhooks", "feeds",
                                                               "channels")),
    ROOT / "registry" / "search" / "saved.py",
    ROOT / "web" / "auth.py",
    ROOT / "web" / "catalogue.py",
    *(ROOT / "web" / "routes" / f"{name}.py" for name in ("fork", "agency_signup", "agency_admin",
                                                          "agency_claim", "subscriptions_page")),
)  # fmt: skip
ERRORS = {"BadRequest", "Forbidden", "NotFound", "Conflict", "TooManyRequests", "UnsafeURLError",
          "Unauthorized"}  # fmt: skip
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sr]")


def _raised_templates(path: Path) -> list[tuple[int, str | None]]:
    """(line, template) of each ``raise Error(...)``; None when the message is no N_()."""
    out: list[tuple[int, str | None]] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        call = node.exc
        if not (isinstance(call.func, ast.Name) and call.func.id in ERRORS and call.args):
            continue
        first = call.args[0]
        marked = (isinstance(first, ast.Call) and isinstance(first.func, ast.Name)
                  and first.func.id == "N_"
                  and isinstance(first.args[0], ast.Constant))  # fmt: skip
        out.append((node.lineno, first.args[0].value if marked else None))  # type: ignore[union-attr]
    return out


def test_every_refusal_a_page_can_show_is_a_template_translated_in_french():
    with (ROOT / "registry" / "locale" / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        french = {m.id: m for m in read_po(fh) if m.id}
    seen, wrong = 0, []
    for path in CONVERTED:
        for line, template in _raised_templates(path):
            where = f"{path.relative_to(ROOT)}:{line}"
            if template is None:
                wrong.append(f"{where}: not an N_() template")
                continue
            seen += 1
            entry = french.get(template)
            if entry is None or not entry.string or entry.fuzzy:
                wrong.append(f"{where}: {template!r} not translated")
            elif sorted(_PLACEHOLDER.findall(entry.string)) != sorted(
                _PLACEHOLDER.findall(template)
            ):
                wrong.append(f"{where}: {template!r} placeholders differ in French")
    assert not wrong, "\n".join(wrong)
    assert seen > 140  # the walk found the services' refusals


def test_str_stays_english_and_a_page_renders_the_catalogue():
    exc = BadRequest(N_("not an e-mail address: %(address)r"), address="x@")
    assert str(exc) == "not an e-mail address: 'x@'" and exc.args == (str(exc),)
    with web_i18n.use("fr"):
        shown = error_text(exc)
    assert shown == f"ce n’est pas une adresse électronique{NBSP}: 'x@'" and shown.lang == "fr"
    with web_i18n.use("en"):
        assert error_text(exc) == str(exc) and error_text(exc).lang == "en"
    wait = TooManyRequests(N_("too many failed sign-ins; try again later"), retry_after=7)
    assert wait.retry_after == 7 and wait.params == {}


def test_a_phrase_inside_a_message_is_translated_with_it():
    exc = BadRequest(N_("give the agency's %(what)s"), what=Phrase(N_("name in %(lang)s"),
                                                                 lang="fr"))  # fmt: skip
    assert str(exc) == "give the agency's name in fr"
    with web_i18n.use("fr"):
        assert error_text(exc) == "indiquez le nom en fr de l’organisme"


def test_a_message_without_a_translation_stays_english_and_says_so():
    exc = NotFound("a message nobody marked %(x)s", x=1)
    with web_i18n.use("fr"):
        shown = error_text(exc)
        assert str(web_i18n.text_lang(shown)) == ' lang="en"'  # on a French page
    assert shown == "a message nobody marked 1" and shown.lang == i18n.SOURCE
    with web_i18n.use("fr"):
        assert str(web_i18n.text_lang(error_text(BadRequest(N_("this link is not valid"))))) == ""
    assert str(BadRequest("100% literal")) == "100% literal"  # no parameters: not formatted


def test_the_url_policy_and_channel_refusals_in_french():
    try:
        inspect_url(LOOPBACK)
    except UnsafeURLError as exc:
        refusal = exc
    english = "host '127.0.0.1' resolves to 127.0.0.1, a loopback, private, link-local, "
    assert str(refusal).startswith(english)
    with web_i18n.use("fr"):
        assert error_text(refusal).startswith("l’hôte '127.0.0.1' se résout en 127.0.0.1, une "
                                              "adresse de bouclage")  # fmt: skip
        try:
            EmailChannel.validate_address("two@a.example, three@b.example")
        except BadRequest as exc:
            assert error_text(exc).startswith("ce n’est pas")
            assert str(exc).startswith("not ")


def _form(c: httpx.Client, path: str, data: dict[str, str], form_page: str | None = None):
    token = h.csrf(c, form_page or path)
    return c.post(path, data={**data, "csrf_token": token})


def _error_paragraph(html: str) -> tuple[str, str]:
    """The attributes and the text of the page's error paragraph."""
    found = re.search(r'<p class="error" role="alert"([^>]*)>([^<]*)</p>', html)
    assert found, html
    return found.group(1), found.group(2)


def test_french_pages_show_french_refusals_and_the_api_stays_english(settings, engine):
    repo_id = store(engine, record("ahs", "tool"), agency="ahs").repository_id
    with h.live_app(settings) as (live, mail), h.client(live) as c:
        c.headers.update(FR)
        bad = _form(c, "/account/sign-up", {"email": "not-an-address", "password": h.PASSWORD})
        assert bad.status_code == 400
        attrs, text = _error_paragraph(bad.text)
        assert text.startswith(f"cette adresse électronique n’est pas valide{NBSP}: ")
        assert 'lang="en"' not in attrs

        reset = c.get("/account/reset/not-a-token")
        assert reset.status_code == 400 and "ce lien n’est pas valide" in reset.text
        assert "this link is not valid" not in reset.text

        h.sign_up_and_confirm(c, live, mail, "wes@ahs.example.org")
        assert h.sign_in(c, "wes@ahs.example.org").status_code == 303
        query = f"/account/subscriptions/new?repository={repo_id}"
        hook = {"repository": str(repo_id), "channel": "webhook", "address": LOOPBACK}
        refused = _form(c, "/account/subscriptions/new", hook, form_page=query)
        assert refused.status_code == 400
        assert "se résout en 127.0.0.1, une adresse de bouclage" in refused.text
        assert "a loopback" not in refused.text
        c.headers.update(EN)
        english = _form(c, "/account/subscriptions/new", hook, form_page=query)
        assert "resolves to 127.0.0.1, a loopback" in english.text

        missing = c.get("/agencies/nowhere", headers=FR)
        assert missing.status_code == 404 and "aucun organisme" in missing.text

        with session_scope(engine) as session:
            user = session.exec(select(User).where(User.email == "wes@ahs.example.org")).one()
            _, token = tokens.create(session, audit.Actor(user=user), name="t",
                                     scopes=["subscriptions"], days=1)  # fmt: skip
        with h.client(live) as api:
            body = {"channel": "webhook", "repository_id": repo_id, "address": LOOPBACK}
            r = api.post("/api/v1/subscriptions", json=body,
                         headers={**FR, "Authorization": f"Bearer {token}"})  # fmt: skip
            assert r.status_code == 400
            assert r.json()["detail"].startswith("host '127.0.0.1' resolves to 127.0.0.1, a loop")
            absent = api.get("/api/v1/agencies/nowhere", headers=FR).json()
            assert absent["detail"] == "no agency 'nowhere'" and absent["title"] == "Not found"
