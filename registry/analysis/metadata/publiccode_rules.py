"""The rule pass: what the standard asks of each value, with the reference parser's
keys and messages (so a maintainer sees the same words in govcode and in the official
validator).

Runs after the type pass, on a document whose kinds are known to be right, except in
sections the type pass marked broken: those are seen empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from registry.analysis.metadata import publiccode_checks as checks
from registry.analysis.metadata.publiccode_problems import Reporter
from registry.analysis.metadata.publiccode_view import View, scalar_items
from registry.analysis.metadata.publiccode_yaml import MappingNode, ScalarNode, child, items

STANDARD = "https://github.com/publiccodeyml/publiccode.yml/blob/main/docs/standard"
IPA_VOCABULARY = "https://github.com/publiccodeyml/italian-organizations-ipa-vocabulary"
DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
IT_EXTENSION_VERSIONS = ("0.2", "1.0")

# Looks a relative file up in the repository (None: not there); None when there is no tree.
FileLookup = Callable[[str], bytes | None] | None


def one_of(name: str, values: Sequence[str]) -> str:
    quoted = [f'"{v}"' for v in values]
    return f"{name} must be one of the following: {', '.join(quoted[:-1])} or {quoted[-1]}"


class Rules:
    def __init__(self, report: Reporter, files: FileLookup = None) -> None:
        self.r = report
        self.files = files

    # -- small reusable rules -------------------------------------------------------

    def required(self, view: View, key: str) -> str | None:
        value = view.text(key)
        if value is None:
            self.r.error(view.path_of(key), f"{key} is a required field", view.anchor(key))
        return value

    def not_empty(self, view: View, key: str) -> None:
        if not view.seq(key):
            self.r.error(
                view.path_of(key), f"{key} must contain more than 0 items", view.anchor(key)
            )

    def choice(self, view: View, key: str, values: Sequence[str]) -> None:
        value = self.required(view, key)
        if value is not None and value not in values:
            self.r.error(view.path_of(key), one_of(key, values), view.key_node(key))

    def http_url(self, view: View, key: str) -> None:
        value = view.text(key)
        if value is not None and not checks.is_http_url(value):
            self.r.error(view.path_of(key), f"{key} must be an HTTP URL", view.key_node(key))

    def each(self, view: View, key: str, ok: Callable[[str], bool], what: str) -> None:
        """Every item of the list ``key`` passes ``ok``; else "<key>[i] <what>"."""
        for i, node in scalar_items(view.seq(key)):
            if not ok(node.value):
                self.r.error(child(view.path_of(key), i), f"{child(key, i)} {what}", node)

    # -- the document ---------------------------------------------------------------

    def run(self, root: View, broken: set[str]) -> None:
        def section(key: str) -> View:
            return View(root.raw(key), key, zeroed=True) if key in broken else root.sub(key)

        self.top(root, broken)
        self.organisations(section("organisation"), section("fundedBy"), root)
        self.audience(section("intendedAudience"))
        self.description(root, broken)
        self.legal(section("legal"))
        self.maintenance(section("maintenance"))
        self.localisation(section("localisation"))
        self.dependencies(section("dependsOn"))
        self.country_section(root, broken)

    def top(self, root: View, broken: set[str]) -> None:
        self.required(root, "name")
        url = self.required(root, "url")
        if url is not None and not checks.is_url(url):
            self.r.error("url", "url must be a valid URL", root.key_node("url"))
        self.http_url(root, "landingURL")
        self.http_url(root, "roadmap")
        based = root.value("isBasedOn")
        if isinstance(based, ScalarNode):
            if not checks.is_url(based.value):
                self.r.error(
                    "isBasedOn[0]", "isBasedOn[0] must be a valid URL", root.key_node("isBasedOn")
                )
        else:
            self.each(root, "isBasedOn", checks.is_url, "must be a valid URL")
        date = root.text("releaseDate")
        if date is not None and not checks.is_date(date):
            message = "releaseDate must be a date with format 'YYYY-MM-DD'"
            self.r.error("releaseDate", message, root.key_node("releaseDate"))
        for key in ("logo", "monochromeLogo"):
            self.logo(root, key)
        self.each(root, "inputTypes", checks.is_mime_type, "is not a valid MIME type")
        self.each(root, "outputTypes", checks.is_mime_type, "is not a valid MIME type")
        self.not_empty(root, "platforms")
        category = f"must be a valid category (see {STANDARD}/categories-list.rst)"
        self.each(root, "categories", lambda v: v in checks.vocabulary("categories"), category)
        self.choice(root, "developmentStatus", DEVELOPMENT_STATUSES)
        self.choice(root, "softwareType", SOFTWARE_TYPES)
        if "supports" not in broken:
            self.supports(root)

    def logo(self, root: View, key: str) -> None:
        value = root.text(key)
        if value is None:
            return
        problem = checks.logo_problem(value)
        if problem is None and self.files is not None and not checks.is_http_url(value):
            problem = file_problem(self.files, value, image=True)
        if problem:
            self.r.error(key, problem, root.key_node(key))

    def supports(self, root: View) -> None:
        for i, node in enumerate(root.seq("supports") or []):
            item = View(node, child("supports", i))
            ident = self.required(item, "id")
            if ident is None:
                continue
            if ident.startswith("alias:"):
                if ident.removeprefix("alias:") not in checks.vocabulary("aliases"):
                    message = f"id contains an unknown alias (see {STANDARD}/aliases-list.rst)"
                    self.r.error(item.path_of("id"), message, item.key_node("id"))
            elif not checks.is_uri(ident):
                self.r.error(item.path_of("id"), "id must be a valid URI", item.key_node("id"))

    def organisations(self, organisation: View, funded: View, root: View) -> None:
        if organisation.present and not organisation.zeroed:
            self.organisation_uri(organisation)
        for i, node in enumerate(root.seq("fundedBy") or []):
            if not funded.zeroed:
                self.organisation_uri(View(node, child("fundedBy", i)))

    def organisation_uri(self, org: View) -> None:
        uri = self.required(org, "uri")
        if uri is None:
            return
        where = org.key_node("uri")
        if uri.startswith(checks.IPA_URN):
            if not checks.is_ipa_code(uri.removeprefix(checks.IPA_URN)):
                message = (
                    "uri must be a valid Italian Public Administration Code (iPA) with format "
                    f"'urn:x-italian-pa:[codiceIPA]' (see {IPA_VOCABULARY})"
                )
                self.r.error(org.path_of("uri"), message, where)
        elif not checks.is_uri(uri):
            self.r.error(org.path_of("uri"), "uri is not a valid URI", where)

    def audience(self, audience: View) -> None:
        scope = f"must be a valid scope (see {STANDARD}/scope-list.rst)"
        self.each(audience, "scope", lambda v: v in checks.vocabulary("scopes"), scope)
        country = "must be a valid ISO 3166-1 alpha-2 two-letter country code"
        for key in ("countries", "unsupportedCountries"):
            self.each(audience, key, checks.is_country, country)
            for i, node in scalar_items(audience.seq(key)):
                code = node.value
                if checks.is_country(code) and code != code.upper():
                    message = (
                        "Lowercase country codes are DEPRECATED. "
                        f"Use uppercase instead ('{code.upper()}')"
                    )
                    self.r.warning(child(audience.path_of(key), i), message, node)

    def description(self, root: View, broken: set[str]) -> None:
        node = root.value("description")
        languages = list(items(node)) if isinstance(node, MappingNode) else []
        if "description" in broken or not languages:
            message = "description must contain more than 0 items"
            self.r.error("description", message, root.anchor("description"))
            return
        for lang, _key_node, value in languages:
            if not checks.is_bcp47(lang):
                message = "description must be a valid BCP 47 language"
                self.r.error("description", message, root.key_node("description"))
                continue
            self.one_description(View(value, child("description", lang)))

    def one_description(self, desc: View) -> None:
        self.length(desc, "genericName", None, 35)
        if self.required(desc, "shortDescription") is not None:
            self.length(desc, "shortDescription", None, 150)
        if self.required(desc, "longDescription") is not None:
            self.length(desc, "longDescription", 150, 10000)
        self.http_url(desc, "documentation")
        self.http_url(desc, "apiDocumentation")
        self.not_empty(desc, "features")
        self.each(desc, "videos", checks.is_http_url, "must be an HTTP URL")
        for i, video in scalar_items(desc.seq("videos")):
            if checks.is_http_url(video.value) and not checks.is_video_url(video.value):
                message = (
                    f"'{video.value}' is not a valid video URL supporting oEmbed: "
                    f"invalid oEmbed link: {video.value}"
                )
                self.r.error(child(desc.path_of("videos"), i), message, video)
        if self.files is not None:
            for i, shot in scalar_items(desc.seq("screenshots")):
                if not checks.is_http_url(shot.value):
                    problem = file_problem(self.files, shot.value, image=True)
                    if problem:
                        key = child(desc.path_of("screenshots"), i)
                        self.r.error(key, f"'{shot.value}' is not an image: {problem}", shot)

    def length(self, view: View, key: str, least: int | None, most: int | None) -> None:
        value = view.text(key)
        if value is None:
            return
        size = checks.graphemes(value)
        if least is not None and size < least:
            message = f"{key} must be at least {least} characters in length"
            self.r.error(view.path_of(key), message, view.key_node(key))
        if most is not None and size > most:
            message = f"{key} must be a maximum of {most} characters in length"
            self.r.error(view.path_of(key), message, view.key_node(key))

    def legal(self, legal: View) -> None:
        licence = self.required(legal, "license")
        if licence is not None and checks.spdx_expression_problem(licence):
            message = "license must be a valid license (see https://spdx.org/licenses)"
            self.r.error("legal.license", message, legal.key_node("license"))
        authors = legal.text("authorsFile")
        if authors is not None and self.files is not None:
            problem = file_problem(self.files, authors, image=False)
            if problem:
                message = f"'{authors}' does not exist: {problem}"
                self.r.error("legal.authorsFile", message, legal.key_node("authorsFile"))

    def maintenance(self, m: View) -> None:
        kind = m.text("type")
        self.choice(m, "type", MAINTENANCE_TYPES)
        if kind is None:
            return
        contractors = m.value("contractors")
        if kind == "contract" and contractors is None:
            message = 'contractors is a required field when "type" is "contract"'
            self.r.error("maintenance.contractors", message, m.node)
        if kind != "contract" and contractors is not None:
            message = 'contractors must not be present unless "type" is "contract"'
            self.r.error("maintenance.contractors", message, m.key_node("contractors"))
        if kind in ("community", "internal") and m.value("contacts") is None:
            message = f'contacts is a required field when "type" is "{kind}"'
            self.r.error("maintenance.contacts", message, m.node)
        contract = m.seq("contractors") if kind == "contract" else None
        for i, node in enumerate(contract or []):
            who = View(node, child("maintenance.contractors", i))
            self.required(who, "name")
            self.email(who)
            self.http_url(who, "website")
            until = self.required(who, "until")
            if until is not None and not checks.is_date(until):
                message = "until must be a date with format 'YYYY-MM-DD'"
                self.r.error(who.path_of("until"), message, who.key_node("until"))
        for i, node in enumerate(m.seq("contacts") or []):
            who = View(node, child("maintenance.contacts", i))
            self.required(who, "name")
            self.email(who)

    def email(self, who: View) -> None:
        value = who.text("email")
        if value is not None and not checks.is_email(value):
            message = "email must be a valid email address"
            self.r.error(who.path_of("email"), message, who.key_node("email"))

    def localisation(self, loc: View) -> None:
        if loc.value("localisationReady") is None:
            key = "localisation.localisationReady"
            self.r.error(
                key, "localisationReady is a required field", loc.anchor("localisationReady")
            )
        if loc.value("availableLanguages") is None:
            key = "localisation.availableLanguages"
            message = "availableLanguages is a required field"
            self.r.error(key, message, loc.anchor("availableLanguages"))
            return
        self.not_empty(loc, "availableLanguages")
        self.each(loc, "availableLanguages", checks.is_bcp47, "must be a valid BCP 47 language")

    def dependencies(self, deps: View) -> None:
        for kind in ("open", "proprietary", "hardware"):
            for i, node in enumerate(deps.seq(kind) or []):
                self.required(View(node, child(deps.path_of(kind), i)), "name")

    def country_section(self, root: View, broken: set[str]) -> None:
        upper, lower = root.key_node("IT"), root.key_node("it")
        if lower is not None:
            message = "Lowercase country codes are DEPRECATED and will be removed in the future."
            self.r.warning("it", f"{message} Use 'IT' instead", lower)
            if upper is not None:
                self.r.error("it", "'IT' key already present. Remove this key", lower)
        key = "IT" if upper is not None else "it"
        if key in broken:
            return
        it = View(root.value(key), "IT")
        version = it.text("countryExtensionVersion")
        if version is not None and version not in IT_EXTENSION_VERSIONS:
            where = it.key_node("countryExtensionVersion")
            message = one_of("countryExtensionVersion", IT_EXTENSION_VERSIONS)
            self.r.error("IT.countryExtensionVersion", message, where)
        riuso = it.sub("riuso")
        code = riuso.text("codiceIPA")
        if code is not None:
            where = riuso.key_node("codiceIPA")
            if checks.is_ipa_code(code):
                advice = f"Use 'organisation.uri' and set it to '{checks.IPA_URN}{code}' instead"
                self.r.deprecated("IT.riuso.codiceIPA", where, advice)
            else:
                message = (
                    "codiceIPA must be a valid Italian Public Administration Code (iPA) "
                    f"(see {IPA_VOCABULARY})"
                )
                self.r.error("IT.riuso.codiceIPA", message, where)


def file_problem(files: Callable[[str], bytes | None], path: str, *, image: bool) -> str | None:
    """Why a relative file named in the publiccode.yml is unusable, or None."""
    data = files(path)
    if data is None:
        return f"no such file: {path}"
    if image and not looks_like_image(data):
        return "image: unknown format"
    return None


def looks_like_image(data: bytes) -> bool:
    """PNG, JPEG, GIF, WebP or SVG (gzip for SVGZ) by their first bytes."""
    head = data[:512].lstrip()
    signatures = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b")
    if head.startswith(signatures) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return True
    return b"<svg" in data[:4096] and head.startswith((b"<", b"\xef\xbb\xbf"))
